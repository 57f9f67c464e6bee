#!/usr/bin/env bash
# The main job on the embedded example, end to end with the ocikit CLI:
# validate every example document, pack examples/image-src into a real OCI
# image layout, validate the layout down to its layers, unpack it into a
# runtime bundle, validate the bundle, and digest it. Works in a temp dir.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ocikit() { node "$here/../packages/conformance/bin/ocikit.js" "$@"; }
work="$(mktemp -d "${TMPDIR:-/tmp}/ocikit-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "1. validate the example documents (kinds detected)"
ocikit validate "$here/runtime" "$here/image"

step "2. pack examples/image-src into an OCI image layout"
cp -a "$here/image-src" "$work/src"
SOURCE_DATE_EPOCH=1700000000 ocikit pack "$work/src" --image "$work/layout:demo"

step "3. validate the layout: every blob hashed, every document checked, layers decompressed"
ocikit validate --deep "$work/layout"

step "4. unpack the image into a runtime bundle (config.json converted from the image config)"
ocikit unpack --image "$work/layout:demo" "$work/bundle"
ocikit validate "$work/bundle"

step "5. digest the bundle (a canonical record of config.json and every rootfs entry)"
ocikit bundle digest "$work/bundle"
ocikit digest "$work/bundle/config.json"
