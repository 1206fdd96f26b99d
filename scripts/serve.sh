#!/usr/bin/env bash
# Builds the playground and runs it. The page lands with the page issue; until
# then this builds the CLI and trains the circle toy live in the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --quiet --release --bin ibp
link='data=circle&objective=vib&hidden=16,16&k=2&beta=1e-3&seed=1&report=250'
echo "== training '$link' on the CPU reference (one JSON report per line)"
./target/release/ibp train --link "$link" --steps 3000
echo "== the browser page is not built yet; the CLI above is the playground for now:"
echo "   ./target/release/ibp --help"
