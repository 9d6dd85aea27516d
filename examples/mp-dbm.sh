#!/usr/bin/env bash
# The multi-prediction DBM of docs/results.md beside the greedy-pretrained DBM, on the bundled digits (9,003
# training digits, the 997 test digits held out), binarised stochastically (the same draws for both):
#   mp-dbm  784-500-1000 with a 10-class label layer, multi-prediction training at the trainer's defaults (no
#           pretraining; centred SGD at 0.05 decaying linearly, momentum 0.5, batches of 100, half of the pixels
#           and the label hidden per example and step, the label's loss weighted 10, 10 mean-field sweeps) for 200
#           epochs; eval: the test error of mean-field classification with 0%, 25% and 50% of the pixels missing at
#           random, and the bound on log p(v), each class's log Z by AIS (--betas, default 14,500);
#   dbm     784-500-1000, pretrained by weight doubling then trained jointly for 30 + 30 epochs (as
#           examples/deep-models.sh), and its fine-tuned network (q(h2 | v) beside v, 50 epochs), whose test
#           error with pixels missing fills them in with the DBM's mean field first;
# into runs/mp-dbm/{digits,digits-dbm}/ (model.safetensors, log.jsonl, pictures, eval.json, classify.json).
# Usage: examples/mp-dbm.sh [mp-dbm|dbm|all] [train|eval|all] [betas]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
stage=${2:-all}
betas=${3:-14500}
boltzmann() { node bin/boltzmann.js "$@"; }
mp=runs/mp-dbm/digits
dbm=runs/mp-dbm/digits-dbm
missing=0,0.25,0.5

if [[ $which == mp-dbm || $which == all ]]; then
  if [[ $stage == train || $stage == all ]]; then
    boltzmann train --model mp-dbm --layers 500,1000 --epochs 200 --seed 1 --data mnist --held-out mnist:test --out "$mp" --force --quiet --json
  fi
  if [[ $stage == eval || $stage == all ]]; then
    boltzmann eval --model "$mp/model.safetensors" --data mnist:test --missing "$missing" --logz ais --betas "$betas" --seed 1 --json --quiet > "$mp/eval.json"
  fi
fi
if [[ $which == dbm || $which == all ]]; then
  if [[ $stage == train || $stage == all ]]; then
    boltzmann train --model dbm --layers 500,1000 --epochs 30 --seed 1 --data mnist --held-out mnist:test --out "$dbm" --force --quiet --json
  fi
  if [[ $stage == eval || $stage == all ]]; then
    boltzmann classify --model "$dbm/model.safetensors" --data mnist --test mnist:test --binarize stochastic --epochs 50 --seed 1 \
      --missing "$missing" --quiet --json > "$dbm/classify.json"
  fi
fi
