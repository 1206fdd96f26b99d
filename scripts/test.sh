#!/usr/bin/env bash
# Runs every test: formatting, the native Rust suites (CPU reference, data,
# CLI, GPU kernels and training on the Vulkan adapter, lavapipe where there
# is no GPU), and a check that the core still builds for WebAssembly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Vulkan (lavapipe) wants a runtime dir and a shader cache; keep both out of
# the home folder.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
export MESA_SHADER_CACHE_DIR="${MESA_SHADER_CACHE_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
echo "== cargo fmt --check"
cargo fmt --check
echo "== the core builds for wasm32 (the page's target)"
cargo check --quiet --lib --target wasm32-unknown-unknown
echo "== native tests"
cargo test
