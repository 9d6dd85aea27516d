#!/usr/bin/env bash
# Evaluates the RBMs that examples/likelihood-models.sh trained: AIS (100 chains, 14,500 temperatures) and
# reverse AIS (100 held-out examples x 10 chains) on the held-out data, into runs/likelihood/<name>/eval.json.
# Usage: examples/likelihood-eval.sh [digits|fashion|all]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
FASHION=/usr/share/datasets/fashion-mnist
evaluate() { # name, test data spec
  node bin/boltzmann.js eval --model "runs/likelihood/$1/model.safetensors" --data "$2" --logz both --seed 1 \
    --json --quiet > "runs/likelihood/$1/eval.json"
  echo "$1: $(cat "runs/likelihood/$1/eval.json")"
}
for rule in cd1 cd3 cd25 pcd1; do
  if [[ $which == digits || $which == all ]]; then evaluate "digits-$rule" mnist:test; fi
  if [[ $which == fashion || $which == all ]]; then evaluate "fashion-$rule" "idx:$FASHION/t10k-images-idx3-ubyte.gz"; fi
done
