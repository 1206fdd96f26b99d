#!/usr/bin/env bash
# The information plane on var_u (Shwartz-Ziv & Tishby; Saxe et al.;
# REPRODUCTIONS.md): tanh and ReLU, seeds 1-5, 1000 epochs each, the plane
# measured every 5 epochs by binning (30 bins). Writes
# results/plane/<act>-seed<S>.jsonl, then the summary table and the figure
# docs/figures/var_u-plane.png (scripts/figures.mjs, headless Chromium).
# Usage: scripts/reproduce-plane.sh [SEEDS] (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-5}
cargo build --release --bin ibp
mkdir -p results/plane
cp target/release/ibp results/plane/ibp
for act in tanh relu; do
  for seed in $(seq 1 "$seeds"); do
    link="data=var_u&hidden=10,7,5,4,3&act=$act&k=2&beta=0&lr=4e-4&batch=256&seed=$seed&report=64&samples=1"
    out="results/plane/$act-seed$seed.jsonl"
    start=$(date +%s)
    results/plane/ibp train --info-plane --steps 12800 --link "$link" > "$out"
    echo "$act seed $seed: $(( $(date +%s) - start )) s -> $out" >&2
  done
done
node scripts/figures.mjs plane
