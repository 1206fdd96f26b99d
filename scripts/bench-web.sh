#!/usr/bin/env bash
# The side-by-side benchmark in headless Chromium: this engine beside
# TensorFlow.js 4.22 on the three models of BENCHMARKS.md, on WebGPU and on
# the CPU (WebAssembly), then the cold first step. Builds the page first.
# Arguments go to tests/e2e/bench.mjs (--rounds N, --cases a,b,c,
# --cold-cases a,b,c, --quick, --json FILE, --link LINK).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
node tests/e2e/bench.mjs "$@"
