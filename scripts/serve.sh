#!/usr/bin/env bash
# Builds the playground (WebAssembly + page) and serves it on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
exec scripts/preview.sh
