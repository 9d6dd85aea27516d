#!/usr/bin/env bash
# The classification RBMs of docs/results.md: 500 hidden units and a 10-class label layer, trained by each
# objective (generative, discriminative, hybrid with alpha 0.01) at the train command's defaults but for the
# sampler and the momentum (CD-1; SGD, learning rate 0.05 decaying linearly to 0, momentum 0.9, weight decay
# 2e-4, batch 100; PCD-1 at momentum 0.9 collapsed the generative model in its first epoch), on the bundled
# digits (9,003 training digits, 997 held out; 50 epochs) and on Fashion-MNIST (60,000 / 10,000, Debian's
# dataset-fashion-mnist; 20 epochs); then eval on the held-out set: the test error of argmax p(y | x) and
# log p(x) with each class's log Z by AIS (100 runs x 14,500 betas, base rate from the training data), into
# runs/class-rbm/<data>-<objective>/ (model.safetensors, log.jsonl, samples.png: a row per class, eval.json).
# Usage: examples/class-rbm.sh [digits|fashion|all] [train|eval|all]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
stage=${2:-all}
FASHION=/usr/share/datasets/fashion-mnist
boltzmann() { node bin/boltzmann.js "$@"; }

run() { # name, epochs, train data, test data
  local name=$1 epochs=$2 train=$3 test=$4
  for objective in generative discriminative hybrid; do
    local out=runs/class-rbm/$name-$objective
    if [[ $stage == train || $stage == all ]]; then
      boltzmann train --model class-rbm --objective "$objective" --hidden 500 --epochs "$epochs" --sampler cd --momentum 0.9 \
        --seed 1 --data "$train" --held-out "$test" --out "$out" --force --quiet --json
    fi
    if [[ $stage == eval || $stage == all ]]; then
      boltzmann eval --model "$out/model.safetensors" --data "$test" --logz ais --seed 1 --json --quiet > "$out/eval.json"
    fi
  done
}

npm run build --silent
[[ $which == digits || $which == all ]] && run digits 50 mnist mnist:test
if [[ $which == fashion || $which == all ]]; then
  if [[ -d $FASHION ]]; then
    run fashion 20 "idx:$FASHION/train-images-idx3-ubyte.gz" "idx:$FASHION/t10k-images-idx3-ubyte.gz"
  else
    echo "class-rbm.sh: skipped Fashion-MNIST: $FASHION is missing (apt-get install dataset-fashion-mnist)" >&2
  fi
fi
