#!/usr/bin/env bash
# Runs every test: formatting, the native Rust suites (CPU reference, data,
# CLI), and a check that the core still builds for WebAssembly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== cargo fmt --check"
cargo fmt --check
echo "== the core builds for wasm32 (the page's target)"
cargo check --quiet --lib --target wasm32-unknown-unknown
echo "== native tests"
cargo test
