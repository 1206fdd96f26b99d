#!/usr/bin/env bash
# VIB on MNIST, error vs beta (Alemi et al. 2017; REPRODUCTIONS.md): the
# paper's set-up on the full 60k/10k split, one run per beta and the
# deterministic baseline (beta 0, z = mu), each printing a report per epoch.
# Usage: scripts/reproduce-mnist.sh [EPOCHS] [BACKEND] [BETAS...]
#   EPOCHS defaults to 25, BACKEND to cpu (gpu where a GPU is available).
# Writes results/mnist/beta-<beta>.jsonl (one JSON report per line), a CSV
# log per epoch (beta-<beta>.csv) and a checkpoint each epoch
# (beta-<beta>.ckpt): run the script again and each run resumes where it
# stopped. SEEDS (default 1) sets the seeds, e.g. SEEDS="1 2"; THREADS the
# CPU threads of each run (default: every core), e.g. two scripts at once
# with THREADS=1 on two cores. EXTRA adds link keys to every run and OUT
# names the results folder (default results/mnist; one per set-up), e.g.
# EXTRA='&train_samples=12' OUT=results/mnist-s12 for the JAX notebook's
# 12 noise samples per training example; LR sets the learning rate (1e-4),
# B1 Adam's first-moment decay (0.5) and DECAY the learning rate's factor
# every two epochs (0.97).
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-25}
backend=${2:-cpu}
shift $(($# > 2 ? 2 : $#))
betas=("$@")
[ ${#betas[@]} -gt 0 ] || betas=(1e-3 0 1e-2 1e-1 1e-4 1e-5 1e-6)
cargo build --release --bin ibp
out=${OUT:-results/mnist}
mkdir -p "$out"
# A copy, so rebuilding while the runs go on does not change them (one per
# script, so two scripts at once do not overwrite a running binary).
ibp="$out/ibp-$$"
cp target/release/ibp "$ibp"
trap 'rm -f "$ibp"' EXIT
base="data=mnist_full&hidden=1024,1024&act=relu&k=256&decoder=linear&batch=100&lr=${LR:-1e-4}&b1=${B1:-0.5}&b2=0.999&lr_decay=${DECAY:-0.97}&decay_steps=1200&ema=0.999&samples=12&report=600"
for seed in ${SEEDS:-1}; do
  for beta in "${betas[@]}"; do
    link="$base&seed=$seed&beta=$beta${EXTRA:+&${EXTRA#&}}"
    [ "$beta" = 0 ] && link="$link&sample=0"
    name="$out/beta-$beta"
    [ "$seed" = 1 ] || name="$name-seed-$seed"
    run=("$ibp" train --epochs "$epochs" --backend "$backend"
         --checkpoint "$name.ckpt" --log "$name.csv" ${THREADS:+--threads "$THREADS"})
    # Resuming with the link too: a checkpoint of another set-up is refused.
    if [ -f "$name.ckpt" ]; then run+=(--resume "$name.ckpt" --link "$link"); else run+=(--link "$link"); rm -f "$name.csv" "$name.jsonl"; fi
    echo "seed $seed, beta $beta: ${run[*]}" >&2
    start=$(date +%s)
    "${run[@]}" >> "$name.jsonl" || echo "seed $seed, beta $beta: ibp exited $? (see above)" >&2
    echo "seed $seed, beta $beta: $(( $(date +%s) - start )) s; final: $(tail -n 1 "$name.jsonl" | cut -c1-300)" >&2
  done
done
