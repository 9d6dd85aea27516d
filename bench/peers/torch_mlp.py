"""Timed training steps of a PyTorch MLP on the CPU, for bench/mlp.mjs; prints one JSON line.

    python3 bench/peers/torch_mlp.py --data X.npy --labels Y.npy --sizes 784,500,500,10 --batch 100
                                     --steps 50 --warmup 10 --lr 0.1 [--threads N]

The usual loop, float32: sigmoid hidden layers, a linear output layer, nn.CrossEntropyLoss (mean over the
batch), torch.optim.SGD (no momentum), per step zero_grad, forward, loss, backward, step. Minibatches are
consecutive slices of the data, cycling. Timing: `steps` steps after `warmup` untimed ones; reported is the
mean time per step. Threads: torch.set_num_threads (default os.cpu_count()). If numpy or torch is missing,
prints {"skipped": why} and exits 0.
"""
import argparse
import json
import os
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--sizes", default="784,500,500,10")
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()

    try:
        import numpy as np
        import torch
    except ImportError as e:
        print(json.dumps({"skipped": f"{sys.executable} cannot import {e.name} ({e})"}))
        return

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    X = torch.from_numpy(np.load(a.data).astype(np.float32))
    Y = torch.from_numpy(np.load(a.labels).reshape(-1).astype(np.int64))
    sizes = [int(s) for s in a.sizes.split(",")]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=a.lr)
    B = a.batch
    batches = X.shape[0] // B

    def step(i):
        b = i % batches
        x, y = X[b * B:(b + 1) * B], Y[b * B:(b + 1) * B]
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for i in range(a.warmup):
        step(i)
    start = time.perf_counter()
    for i in range(a.steps):
        loss = step(a.warmup + i)
    loss.item()
    seconds = time.perf_counter() - start
    print(json.dumps({"msPerStep": 1000 * seconds / a.steps, "threads": a.threads, "torch": torch.__version__, "loss": float(loss)}))


if __name__ == "__main__":
    main()
