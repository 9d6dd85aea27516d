"""AIS for a Bernoulli RBM in plain numpy: the loop of Salakhutdinov & Murray (2008) / RBM_AIS.m, the peer of
bench/ais.mjs. Same path, schedule and transitions as boltzmann's annealedImportanceSampling:

    f_beta(v) = exp((1 - beta) bA.v + beta a.v) prod_mu (1 + exp(beta (c + W^T v)_mu))
    log w += log f_{beta_{k+1}}(v) - log f_{beta_k}(v), then one Gibbs step at beta_{k+1}.

Matrices and sampling in float32 (the fair, fast choice for numpy; --dtype float64 for what a direct port of
the MATLAB original computes), log-weights in float64.

    python3 numpy_ais.py --model M.safetensors --base-bias B.npy [--chains 100] [--steps N] [--seed 0] [--dtype float32]

--steps N runs only the first N temperature steps of the 14,500 of the standard schedule (for timing a
prefix); the result is one JSON line: {"steps", "seconds", "cpuSeconds", "logZ"} (logZ only when the whole
schedule ran; cpuSeconds is this process's CPU time in the loop, all threads).
"""
import argparse
import json
import struct
import time

import numpy as np


def load_safetensors(path):
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        start, end = info['data_offsets']
        dtype = {'F32': np.float32, 'F64': np.float64}[info['dtype']]
        out[name] = np.frombuffer(raw[8 + n + start:8 + n + end], dtype=dtype).reshape(info['shape'])
    return out


def standard_schedule():
    return np.concatenate([np.linspace(0, 0.5, 501), np.linspace(0.5, 0.9, 4001)[1:], np.linspace(0.9, 1, 10001)[1:]])


def softplus(x):
    # log(1 + e^x) without overflow; np.logaddexp(0, x) is the same but 20 times slower in float32
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', required=True)
    p.add_argument('--base-bias', required=True)
    p.add_argument('--chains', type=int, default=100)
    p.add_argument('--steps', type=int, default=None)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--dtype', choices=['float32', 'float64'], default='float32')
    o = p.parse_args()
    f = np.dtype(o.dtype)
    t = load_safetensors(o.model)
    W, a, c = (t[k].astype(f) for k in ('weights', 'visible_bias', 'hidden_bias'))
    bA = np.load(o.base_bias).astype(f).reshape(-1)
    betas = standard_schedule()
    K = len(betas) - 1
    steps = K if o.steps is None else min(o.steps, K)
    rng = np.random.default_rng(o.seed)
    C, nV = o.chains, W.shape[0]
    gap = a - bA

    started = time.perf_counter()
    cpu_started = time.process_time()
    v = (rng.random((C, nV), dtype=f) < sigmoid(bA)).astype(f)
    logw = np.zeros(C)
    for k in range(steps):
        b0, b1 = f.type(betas[k]), f.type(betas[k + 1])
        x = v @ W + c
        b1x = b1 * x
        logw += (b1 - b0) * (v @ gap) + (softplus(b1x) - softplus(b0 * x)).sum(axis=1)
        h = (rng.random(x.shape, dtype=f) < sigmoid(b1x)).astype(f)
        field = bA + b1 * (h @ W.T + gap)
        v = (rng.random(field.shape, dtype=f) < sigmoid(field)).astype(f)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started

    result = {'steps': steps, 'seconds': seconds, 'cpuSeconds': cpu_seconds, 'dtype': o.dtype, 'numpy': np.__version__}
    if steps == K:
        base = float(np.sum(np.logaddexp(0, bA.astype(np.float64)))) + W.shape[1] * np.log(2)
        m = logw.max()
        result['logZ'] = base + m + float(np.log(np.mean(np.exp(logw - m))))
    print(json.dumps(result))


if __name__ == '__main__':
    main()
