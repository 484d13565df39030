#!/usr/bin/env bash
# Installs the Debian packages Cadre needs (idempotent). Sourced or run by start.sh, test.sh and .ci/run.
set -euo pipefail
# skopeo pulls images, attr (setfattr) and zstd unpack their layers; python3-seccomp compiles the sandbox's
# seccomp filter; iproute2 brings up a phase's loopback.
packages=(git bubblewrap util-linux procps iproute2 uidmap ca-certificates skopeo attr zstd python3-seccomp)
# The tests also need PostgreSQL, Chromium, what code-server (the real VS Code for the extension test) builds with,
# and mmdebstrap + umoci to build test images from Debian's packages.
if [ "${1:-}" = "--test" ]; then packages+=(postgresql chromium ripgrep curl zsh libkrb5-dev build-essential python3 mmdebstrap umoci); fi
# kubectl checks deploy/kubernetes (npm run check:deploy); Debian's kubernetes-client unless a kubectl is installed already.
if [ "${1:-}" = "--test" ] && ! command -v kubectl >/dev/null; then packages+=(kubernetes-client); fi
need=()
for pkg in "${packages[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
[ ${#need[@]} -eq 0 ] && exit 0
echo "cadre: installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "cadre: please install as root: apt-get install ${need[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
