#!/usr/bin/env bash
# The deep models of docs/results.md: a 3-layer DBN (500,500,2000) and a 2-layer DBM (500,1000) on the bundled
# digits (9,003 training digits; 50 epochs per DBN layer, 30 for the DBM, classifiers 50) and on Fashion-MNIST
# (60,000; 10, 5 and 30 epochs): training, the variational bound on the test log-likelihood (log Z by AIS),
# fine-tuned classifiers and their test error, and 50 samples of each (1000 Gibbs steps from noise), into
# runs/deep/<data>-<model>/ (model.safetensors, eval.json, eval-reverse.json, classify.json,
# samples-50.png).
# Usage: examples/deep-models.sh [digits|fashion|digits-centred|all] [train|eval|classify|sample|all] [dbn|dbm|both]
# (digits-centred: the digits DBM trained with --centering, every stage; the third argument picks the models of
# digits and fashion, default both)
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
stage=${2:-all}
models=${3:-both}
FASHION=/usr/share/datasets/fashion-mnist
boltzmann() { node bin/boltzmann.js "$@"; }

run() { # name, DBN epochs, DBM epochs, classifier epochs, train data, test data
  local name=$1 dbn_epochs=$2 dbm_epochs=$3 mlp_epochs=$4 train=$5 test=$6
  local dbn=runs/deep/$name-dbn dbm=runs/deep/$name-dbm
  local chosen=()
  [[ $models == dbn || $models == both ]] && chosen+=("$dbn")
  [[ $models == dbm || $models == both ]] && chosen+=("$dbm")
  if [[ $stage == train || $stage == all ]]; then
    [[ $models == dbm ]] || boltzmann train --model dbn --layers 500,500,2000 --epochs "$dbn_epochs" --seed 1 --data "$train" \
      --held-out "$test" --out "$dbn" --force --quiet --json
    [[ $models == dbn ]] || boltzmann train --model dbm --layers 500,1000 --epochs "$dbm_epochs" --seed 1 --data "$train" \
      --held-out "$test" --out "$dbm" --force --quiet --json
  fi
  if [[ $stage == eval || $stage == all ]]; then
    for m in "${chosen[@]}"; do
      boltzmann eval --model "$m/model.safetensors" --data "$test" --seed 1 --json > "$m/eval.json"
    done
    # the bounds again with the log Z that reverse AIS implies (conservative)
    for m in "${chosen[@]}"; do
      boltzmann eval --model "$m/model.safetensors" --data "$test" --logz reverse-ais --examples 25 --seed 1 --json > "$m/eval-reverse.json"
    done
  fi
  if [[ $stage == classify || $stage == all ]]; then
    for m in "${chosen[@]}"; do
      boltzmann classify --model "$m/model.safetensors" --data "$train" --test "$test" --epochs "$mlp_epochs" --seed 1 \
        --quiet --json > "$m/classify.json"
    done
    # the DBM's network without q(h2 | v) in its input, for comparison
    [[ $models == dbn ]] || boltzmann classify --model "$dbm/model.safetensors" --data "$train" --test "$test" \
      --epochs "$mlp_epochs" --seed 1 --dbm-input visible --quiet --json > "$dbm/classify-visible.json"
  fi
  if [[ $stage == sample || $stage == all ]]; then
    for m in "${chosen[@]}"; do
      boltzmann sample --model "$m/model.safetensors" --count 50 --steps 1000 --seed 1 --out "$m/samples-50.png"
    done
  fi
}

if [[ $which == digits || $which == all ]]; then
  run digits 50 30 50 mnist mnist:test
fi
if [[ $which == digits-centred || $which == all ]]; then # the digits DBM again with --centering
  m=runs/deep/digits-dbm-centred
  boltzmann train --model dbm --layers 500,1000 --epochs 30 --seed 1 --data mnist --held-out mnist:test --centering \
    --out "$m" --force --quiet --json
  boltzmann eval --model "$m/model.safetensors" --data mnist:test --seed 1 --json > "$m/eval.json"
  boltzmann eval --model "$m/model.safetensors" --data mnist:test --logz reverse-ais --examples 25 --seed 1 --json > "$m/eval-reverse.json"
  boltzmann classify --model "$m/model.safetensors" --data mnist --test mnist:test --epochs 50 --seed 1 --quiet --json > "$m/classify.json"
fi
if [[ $which == fashion || $which == all ]]; then
  run fashion 10 5 30 "idx:$FASHION/train-images-idx3-ubyte.gz" "idx:$FASHION/t10k-images-idx3-ubyte.gz"
fi
