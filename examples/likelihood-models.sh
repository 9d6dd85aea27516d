#!/usr/bin/env bash
# Trains the 500-hidden binary RBMs of the likelihood table in docs/results.md: CD-1, CD-3, CD-25 and PCD-1 on
# the bundled digits (9,003 training digits) and on Fashion-MNIST (60,000), into runs/likelihood/<data>-<rule>.
# Usage: examples/likelihood-models.sh [digits|fashion|all]   (then examples/likelihood-eval.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
FASHION=/usr/share/datasets/fashion-mnist
boltzmann() { node bin/boltzmann.js "$@"; }

train_all() { # name, epochs, data flags...
  local name=$1 epochs=$2; shift 2
  for rule in cd:1 cd:3 cd:25 pcd:1; do
    local sampler=${rule%:*} k=${rule#*:}
    boltzmann train "$@" --hidden 500 --epochs "$epochs" --sampler "$sampler" --k "$k" --seed 1 \
      --out "runs/likelihood/$name-$sampler$k" --force --quiet --json
  done
}

if [[ $which == digits || $which == all ]]; then
  train_all digits 50 --data mnist --held-out mnist:test
fi
if [[ $which == fashion || $which == all ]]; then
  train_all fashion 10 --data "idx:$FASHION/train-images-idx3-ubyte.gz" --held-out "idx:$FASHION/t10k-images-idx3-ubyte.gz"
fi
