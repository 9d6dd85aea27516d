#!/usr/bin/env bash
# Samplers on a multimodal toy: 4x4 bars and stripes (30 patterns, far apart in Hamming distance), an RBM of
# 16 hidden units trained by CD-1, PCD-1, FPCD-1 and parallel tempering (10 temperatures), 5 seeds each; the
# exact test log-likelihood by enumeration (the optimum is -log 30 = -3.40 nats).
# Usage: examples/samplers-toy.sh [EPOCHS] [LEARNING_RATE]   (results: runs/toy/summary.tsv; docs/results.md)
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${1:-2000}
LR=${2:-0.1}
BOLTZMANN="node bin/boltzmann.js"
OUT=runs/toy
mkdir -p "$OUT"
printf 'sampler\tseed\tlogLikelihood\tmeanSwapRate\n' > "$OUT/summary.tsv"
for sampler in cd pcd fpcd pt; do
  for seed in 1 2 3 4 5; do
    run="$OUT/$sampler-lr$LR-e$EPOCHS-s$seed"
    $BOLTZMANN train --data bars-and-stripes:4 --hidden 16 --epochs "$EPOCHS" --batch-size 10 --chains 10 \
      --learning-rate "$LR" --sampler "$sampler" --temperatures 10 --seed "$seed" --out "$run" --force --quiet --sample-steps 100 >/dev/null 2>&1
    ll=$($BOLTZMANN eval --model "$run/model.safetensors" --data bars-and-stripes:4 --logz exact --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).logLikelihood.toFixed(3)))')
    swaps=$(tail -n 1 "$run/log.jsonl" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).swapRates;console.log(r?(r.reduce((a,b)=>a+b,0)/r.length).toFixed(2):"-")})')
    printf '%s\t%s\t%s\t%s\n' "$sampler" "$seed" "$ll" "$swaps" | tee -a "$OUT/summary.tsv"
  done
done
