#!/usr/bin/env bash
# Installs the Debian packages ocikit's tests and demo drive (real peers, see
# shared/READING.md). Idempotent and quick when everything is present; run by
# `npm test`/`npm run demo` (pre-scripts) and by .ci/run.
set -euo pipefail

DEBS=(
  runc              # OCI runtime: default configs, lifecycle and bundle runs
  crun              # second OCI runtime
  busybox-static    # static busybox for tiny test rootfs trees
  umoci             # image layouts, unpack/repack interop
  skopeo            # copies images between layouts
  openssl           # digest baseline in benchmarks
  time              # GNU time: peak memory in benchmarks
  libdeflate0       # native libdeflate: @ocikit/bundle's fast gzip (else WebAssembly)
  golang-github-opencontainers-image-spec-dev  # upstream schemas, differential tests
  golang-github-opencontainers-specs-dev       # upstream schemas, differential tests
)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ocikit setup: not a Debian machine; install these yourself: ${missing[*]}" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ocikit setup: run as root or install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "ocikit setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
