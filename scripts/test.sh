#!/usr/bin/env bash
# Runs every test: formatting, the native Rust suites (CPU reference, data,
# CLI, GPU kernels and training on the Vulkan adapter, lavapipe where there
# is no GPU), then the page: built for WebAssembly and driven in headless
# Chromium with WebGPU (SwiftShader where there is no GPU).
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
echo "== native tests"
cargo test
echo "== the published anchors, quick tier (ibp anchors --quick; REPRODUCTIONS.md)"
cargo run --release --bin ibp -- anchors --quick
echo "== the MNIST lesson's numbers at step 1,000, on the CLI (tests/cli_lessons.rs)"
cargo test --release --test cli_lessons -- --ignored
echo "== the page (build, type-check the page-worker protocol, then browser tests)"
scripts/build-web.sh
node_modules/.bin/tsc -p www/jsconfig.json
node --test --test-concurrency=1 tests/e2e/
