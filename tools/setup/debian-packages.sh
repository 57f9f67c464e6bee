#!/usr/bin/env bash
# Installs the Debian packages ocikit's tests drive (real peers, see
# shared/READING.md). Idempotent and quick when everything is present; run by
# `npm test` (pretest) and by .ci/run. The demo needs none of them.
# Without root or a password-less sudo it installs nothing: it names what is
# missing, and the tests that need those peers say so when they are skipped
# (under CI=true they fail instead).
set -euo pipefail

DEBS=(
  runc              # OCI runtime: default configs, lifecycle and bundle runs
  crun              # second OCI runtime
  busybox-static    # static busybox for tiny test rootfs trees
  umoci             # image layouts, unpack/repack interop
  skopeo            # copies images between layouts
  openssl           # digest baseline in benchmarks and tests
  zstd              # zstd layers made by the real tool
  time              # GNU time: peak memory in benchmarks
  libdeflate0       # native libdeflate: @ocikit/bundle's fast gzip (else WebAssembly)
  docker-registry   # the CNCF distribution registry (v2.8): the real registry of the distribution tests
  apache2-utils     # htpasswd -B: the registry's basic-auth users
  uidmap            # newuidmap/newgidmap: rootless containers with /etc/subuid ranges (ocikit run)
  gnupg             # gpg: OpenPGP keys and simple signing, in @ocikit/signature tests (with skopeo standalone-sign/verify)
  golang-github-opencontainers-image-spec-dev  # upstream schemas, differential tests
  golang-github-opencontainers-specs-dev       # upstream schemas, differential tests
)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ocikit setup: not a Debian machine; tests that need them will say so. Install these yourself: ${missing[*]}" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "ocikit setup: not root and no password-less sudo, so nothing was installed; tests that need these will say so. To install them: sudo apt-get install ${missing[*]}" >&2
    exit 0
  fi
fi
echo "ocikit setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
