#!/usr/bin/env bash
# Centering against none on the bundled digits: 784x500 RBMs trained with the defaults (50 epochs, learning rate
# 0.05 decaying linearly, momentum 0.5), by PCD-1 and by CD-1, with and without --centering; then the test
# log-likelihood on mnist:test by AIS and reverse AIS (eval --logz both).
# Usage: examples/centering-digits.sh [SEED]   (runs/centering/; results in docs/results.md)
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${1:-0}
BOLTZMANN="node bin/boltzmann.js"
OUT=runs/centering
mkdir -p "$OUT"
for sampler in pcd cd; do
  for centering in no yes; do
    run="$OUT/$sampler-centering-$centering-s$SEED"
    flags=(--sampler "$sampler" --seed "$SEED" --out "$run" --force --quiet)
    [[ $centering == yes ]] && flags+=(--centering)
    $BOLTZMANN train "${flags[@]}" > /dev/null
    $BOLTZMANN eval --model "$run/model.safetensors" --data mnist:test --logz both --seed "$SEED" --json > "$run/eval.json"
    node -e 'const e=require(process.argv[1]);const l=require("fs").readFileSync(process.argv[2],"utf8").trim().split("\n").map(JSON.parse).at(-1);console.log([process.argv[3],process.argv[4],e.logLikelihood.toFixed(2),e.logLikelihoodLow.toFixed(2),e.logLikelihoodHigh.toFixed(2),l.pseudoLogLikelihood.toFixed(2),(l.chainAutocorrelationTime??NaN).toFixed(1)].join("\t"))' \
      "$PWD/$run/eval.json" "$run/log.jsonl" "$sampler" "$centering" | tee -a "$OUT/summary.tsv"
  done
done
