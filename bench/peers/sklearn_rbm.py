"""One timed run of scikit-learn's BernoulliRBM, for bench/cd1.mjs; prints one JSON line.

    python3 bench/peers/sklearn_rbm.py --data X.npy --hidden 500 --batch 100 --epochs 3 --warmup 1 --lr 0.01

BernoulliRBM.fit is PCD-1 ("stochastic maximum likelihood": persistent chains of batch-size length), plain SGD
with no momentum and no weight decay, no shuffling (fixed, contiguous minibatches). Per step it does the same
five matrix products as CD-1 (h+ from the data, v- from the chains' hidden states, h- from v-, and the two
outer-product statistics) and draws uniforms in float64 with numpy's MT19937.

To give it exactly the minibatches of the other contenders, it is fitted on the first
(examples // batch) * batch rows, so that every minibatch holds `batch` rows. The data are float32, and
BernoulliRBM then keeps its parameters in float32 (it preserves float32 and float64). Timing: one call to
fit(n_iter=epochs) on a fresh estimator, after a warm-up fit(n_iter=warmup) of another one; the timed call
includes fit's set-up (input validation, initial weights), a few milliseconds.
If numpy or scikit-learn is missing, prints {"skipped": why} and exits 0.
"""
import argparse
import json
import os
import platform
import resource
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    a = p.parse_args()

    try:
        import numpy as np
        import sklearn
        from sklearn.neural_network import BernoulliRBM
    except ImportError as e:
        print(json.dumps({"name": "sklearn", "skipped": f"{sys.executable} cannot import {e.name} ({e})"}))
        return

    X = np.load(a.data).astype(a.dtype)
    n = (X.shape[0] // a.batch) * a.batch
    X = np.ascontiguousarray(X[:n])

    def model(n_iter):
        return BernoulliRBM(n_components=a.hidden, batch_size=a.batch, learning_rate=a.lr, n_iter=n_iter, random_state=a.seed)

    if a.warmup > 0:
        model(a.warmup).fit(X)
    rbm = model(a.epochs)
    start = time.perf_counter()
    rbm.fit(X)
    seconds = time.perf_counter() - start

    # Mean-field reconstruction error of the first 500 rows (sum over pixels, mean over rows): did it learn?
    v = X[:500].astype(np.float64)
    W = rbm.components_.astype(np.float64)  # [hidden, visible]
    h = 1 / (1 + np.exp(-(v @ W.T + rbm.intercept_hidden_)))
    r = 1 / (1 + np.exp(-(h @ W + rbm.intercept_visible_)))
    reconstruction_error = float(((v - r) ** 2).sum(axis=1).mean())

    blas, blas_threads = [], None
    try:
        from threadpoolctl import threadpool_info

        info = threadpool_info()
        blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)" for i in info]
        blas_threads = sum(i.get("num_threads", 0) for i in info if i.get("user_api") == "blas") or None
    except Exception:  # threadpoolctl is optional here: only for the record
        pass
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "name": "sklearn",
        "samplesPerSecond": a.epochs * n / seconds,
        "examples": a.epochs * n,
        "seconds": seconds,
        "reconstructionError": reconstruction_error,
        "maxRssMiB": usage.ru_maxrss / 1024,
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
        "threads": 1,
        "blasThreads": blas_threads,
        "dtype": str(rbm.components_.dtype),
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scikit-learn": sklearn.__version__, "blas": blas},
    }))


if __name__ == "__main__":
    main()
