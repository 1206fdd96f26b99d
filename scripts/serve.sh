#!/usr/bin/env bash
# Builds the playground (WebAssembly + page) and serves it on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
port="${PORT:-8080}"
echo "== the playground: http://127.0.0.1:${port}/  (Ctrl-C stops it)"
exec node_modules/.bin/vite preview --port "$port" --strictPort
