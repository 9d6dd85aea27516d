"""One timed run of a plain PyTorch CD-1 loop on the CPU, for bench/cd1.mjs; prints one JSON line.

    python3 bench/peers/torch_cd1.py --data X.npy --hidden 500 --batch 100 --epochs 3 --warmup 1 --lr 0.01 [--threads N]

The usual hand-written loop, float32, the same update as boltzmann's step graph:
    h+ = sigmoid(v W + b), h ~ Bernoulli(h+), v- ~ Bernoulli(sigmoid(h W^T + a)), h- = sigmoid(v- W + b)
    dW = (v^T h+ - v-^T h-) / batch - weight_decay * W;  da = mean(v - v-);  db = mean(h+ - h-)
    velocity = momentum * velocity + lr * gradient;  parameter += velocity
Each epoch shuffles the rows and runs (examples // batch) minibatches of `batch` rows. Timing: the epochs after
`warmup` untimed ones, batch gathering included (as in boltzmann's fit). Threads: torch.set_num_threads
(default os.cpu_count()) sets torch's own (OpenMP) threads. A torch built with BLAS_INFO=generic, as Debian's,
does its matrix products in the system BLAS (OpenBLAS), whose own threads (all cores unless
OPENBLAS_NUM_THREADS says otherwise) come on top: reported as blasThreads. If numpy or torch is missing, prints
{"skipped": why} and exits 0.
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
    p.add_argument("--momentum", type=float, default=0.5)
    p.add_argument("--weight-decay", type=float, default=2e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()

    try:
        import numpy as np
        import torch
    except ImportError as e:
        print(json.dumps({"name": "torch", "skipped": f"{sys.executable} cannot import {e.name} ({e})"}))
        return

    torch.set_num_threads(a.threads)
    torch.set_grad_enabled(False)
    g = torch.Generator().manual_seed(a.seed)
    X = torch.from_numpy(np.load(a.data).astype(np.float32))
    n, n_visible = X.shape
    B = a.batch
    batches = n // B

    W = torch.randn(n_visible, a.hidden, generator=g) * 0.01
    mean = X.mean(0).clamp(0.001, 0.999)
    vbias = torch.log(mean / (1 - mean))
    hbias = torch.zeros(a.hidden)
    vW, va, vb = torch.zeros_like(W), torch.zeros_like(vbias), torch.zeros_like(hbias)

    def epoch():
        order = torch.randperm(n, generator=g)
        for i in range(batches):
            v0 = X[order[i * B:(i + 1) * B]]
            ph0 = torch.sigmoid(torch.addmm(hbias, v0, W))
            h0 = torch.bernoulli(ph0, generator=g)
            v1 = torch.bernoulli(torch.sigmoid(torch.addmm(vbias, h0, W.t())), generator=g)
            ph1 = torch.sigmoid(torch.addmm(hbias, v1, W))
            gW = (v0.t() @ ph0).sub_(v1.t() @ ph1).div_(B).sub_(W, alpha=a.weight_decay)
            vW.mul_(a.momentum).add_(gW, alpha=a.lr)
            va.mul_(a.momentum).add_(v0.mean(0) - v1.mean(0), alpha=a.lr)
            vb.mul_(a.momentum).add_(ph0.mean(0) - ph1.mean(0), alpha=a.lr)
            W.add_(vW)
            vbias.add_(va)
            hbias.add_(vb)

    for _ in range(a.warmup):
        epoch()
    start = time.perf_counter()
    for _ in range(a.epochs):
        epoch()
    seconds = time.perf_counter() - start

    blas_threads = None
    try:
        from threadpoolctl import threadpool_info

        blas_threads = sum(i.get("num_threads", 0) for i in threadpool_info() if i.get("user_api") == "blas") or None
    except Exception:  # threadpoolctl is optional here: only for the record
        pass
    v = X[:500]
    r = torch.sigmoid(torch.addmm(vbias, torch.sigmoid(torch.addmm(hbias, v, W)), W.t()))
    reconstruction_error = float(((v - r) ** 2).sum(1).mean())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "name": "torch",
        "samplesPerSecond": a.epochs * batches * B / seconds,
        "examples": a.epochs * batches * B,
        "seconds": seconds,
        "reconstructionError": reconstruction_error,
        "maxRssMiB": usage.ru_maxrss / 1024,
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
        "threads": torch.get_num_threads(),
        "blasThreads": blas_threads,
        "dtype": "float32",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__},
    }))


if __name__ == "__main__":
    main()
