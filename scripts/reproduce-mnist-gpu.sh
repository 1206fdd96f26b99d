#!/usr/bin/env bash
# VIB on full MNIST on a GPU (REPRODUCTIONS.md, issue 18): the paper's
# set-up for EPOCHS epochs, as three sweeps at once, each replica of a sweep
# in the same GPU dispatches:
#   beta 1e-3, seeds 1 and 2;
#   the deterministic baseline (beta 0, z = mu), seeds 1 and 2;
#   the beta row 1e-6 ... 1e-1 (six betas), seed 1.
# Usage: scripts/reproduce-mnist-gpu.sh OUTDIR [EPOCHS] [IBP]
#   EPOCHS defaults to 200; IBP to target/release/ibp (built if missing).
# Writes OUTDIR/{vib-1e-3,baseline,beta-row}.csv (a row per replica per
# epoch: test error with 12 samples and with 1, rate, I(Z;Y), seconds) and
# .jsonl (the reports), checkpoints every 20 epochs in OUTDIR/checkpoints
# (run the script again to resume), and prints each sweep's time.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/reproduce-mnist-gpu.sh OUTDIR [EPOCHS] [IBP]}
epochs=${2:-200}
ibp=${3:-target/release/ibp}
[ -x "$ibp" ] || { cargo build --release --bin ibp; ibp=target/release/ibp; }
mkdir -p "$out/checkpoints"
base='data=mnist_full&hidden=1024,1024&act=relu&k=256&decoder=linear&batch=100&lr=1e-4&b1=0.5&b2=0.999&lr_decay=0.97&decay_steps=1200&ema=0.999&samples=12&report=600&seed=1'
sweep() { # name, link, sweep spec
  local name="$1" link="$2" spec="$3" ckpt="$out/checkpoints/$1.ckpt"
  local run=("$ibp" train --epochs "$epochs" --backend gpu --sweep "$spec"
             --checkpoint "$ckpt" --checkpoint-every 12000 --log "$out/$name.csv")
  if [ -f "$ckpt" ]; then run+=(--resume "$ckpt"); else run+=(--link "$link"); rm -f "$out/$name.csv"; fi
  local start; start=$(date +%s)
  "${run[@]}" >>"$out/$name.jsonl" 2>>"$out/$name.err" || echo "$name: exit $?" >&2
  echo "$name: $(( $(date +%s) - start )) s for $epochs epochs" | tee -a "$out/times.txt" >&2
}
sweep vib-1e-3 "$base&beta=1e-3" seed=1:2 &
sweep baseline "$base&beta=0&sample=0" seed=1:2 &
sweep beta-row "$base" beta=1e-6:1e-1:6 &
wait
