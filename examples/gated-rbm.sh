#!/usr/bin/env bash
# The gated RBMs of docs/results.md: 100 mapping units and 200 factors, trained by CD-1 at the gated trainer's
# defaults (150 epochs, SGD at a constant 0.02, momentum 0.9, batches of 20, weight decay 2e-4, each factor's
# filters at most norm 3) on 10,000 pairs of shifted 13 x 13 random-dot images (held out: 1,000 pairs of
# other dots), and at learning rate 0.005 (0.02 left every mapping unit off) for 100 epochs on the 9,003
# bundled training digits paired with shifted copies (held out: the 997 test digits' pairs), all binarised at 0.5;
# then eval on the held-out pairs: the transformation error (nearest neighbour on the mapping units, beside
# the same on the pixels), the analogy error (beside answering the new input itself) and log p(y | x) of the
# first 50 pairs, each pair's log Z(x) by AIS (100 runs x 5,000 betas) from the training outputs' base rate and
# from the uniform one, into runs/gated-rbm/<data>/ (model.safetensors, log.jsonl, filters.png, samples.png,
# analogies.png, eval.json, eval-uniform.json).
# The same for the digits paired with turned copies (12 turns of 30 degrees): runs/gated-rbm/digits-rotate/.
# Usage: examples/gated-rbm.sh [dots|digits|rotate|all] [train|eval|all]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
stage=${2:-all}
boltzmann() { node bin/boltzmann.js "$@"; }

run() { # name, train data, held-out data, extra training flags...
  local name=$1 train=$2 test=$3
  shift 3
  local out=runs/gated-rbm/$name
  if [[ $stage == train || $stage == all ]]; then
    boltzmann train --model gated-rbm --hidden 100 --factors 200 --data "$train" --held-out "$test" --binarize threshold --out "$out" --force --quiet --json "$@"
  fi
  if [[ $stage == eval || $stage == all ]]; then
    boltzmann eval --model "$out/model.safetensors" --data "$test" --logz ais --betas 5000 --examples 50 --binarize threshold --seed 1 --json --quiet > "$out/eval.json"
    boltzmann eval --model "$out/model.safetensors" --data "$test" --logz ais --betas 5000 --examples 50 --binarize threshold --seed 1 --json --quiet \
      --base-data none > "$out/eval-uniform.json"
  fi
}

if [[ $which == dots || $which == all ]]; then run dots pairs:shift:dots:10000 pairs:shift:dots:1000:13:1; fi
if [[ $which == digits || $which == all ]]; then run digits pairs:shift:mnist pairs:shift:mnist:test --learning-rate 0.005 --epochs 100; fi
if [[ $which == rotate || $which == all ]]; then run digits-rotate pairs:rotate:mnist pairs:rotate:mnist:test --learning-rate 0.005 --epochs 100; fi
