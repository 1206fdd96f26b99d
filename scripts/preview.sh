#!/usr/bin/env bash
# Serves the built page (dist/) as `make serve` does: Vite's preview server
# on 127.0.0.1:$PORT (8080 by default). The browser tests start this same
# script, so they meet the page as a visitor of `make serve` does.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8080}"
echo "== the playground: http://127.0.0.1:${port}/  (Ctrl-C stops it)"
exec node_modules/.bin/vite preview --port "$port" --strictPort
