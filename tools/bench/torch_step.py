#!/usr/bin/env python3
"""PyTorch reference of the SparseVD training step that tools/bench/train-step.mjs times on the tfjs backends.

The same step as @sparsevd/train's: local reparameterization (dense: F.linear of x and x^2; conv: F.conv2d of
x and x^2), log alpha = clip(log sigma^2 - log(theta^2 + 1e-8), -8, 8), Molchanov et al.'s KL approximation,
cross-entropy times the training-set size plus the KL, backward, one Adam step. The networks are LeNet-300-100
(with train_clip, as the trainer's default for it) and LeNet-5-Caffe at batch 100 on MNIST-shaped random
inputs (timing does not depend on the values).

Usage: /usr/bin/python3 tools/bench/torch_step.py MODEL THREADS STEPS WARMUP
Prints one JSON line: {"model", "threads", "ms" (median), "times"}.
Needs Debian's python3-torch and libopenblas0-pthread (apt-get install python3-torch libopenblas0-pthread).
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

K1, K2, K3 = 0.63576, 1.87320, 1.48695


class SparseVD(nn.Module):
    """A SparseVD dense (kernel None) or conv layer (kernel k): theta, log sigma^2 = -10, bias."""

    def __init__(self, shape, bias, clip):
        super().__init__()
        self.theta = nn.Parameter(torch.randn(shape) * 0.05)
        self.log_sigma2 = nn.Parameter(torch.full(shape, -10.0))
        self.bias = nn.Parameter(torch.zeros(bias))
        self.clip = clip

    def log_alpha(self):
        return torch.clamp(self.log_sigma2 - torch.log(self.theta * self.theta + 1e-8), -8.0, 8.0)

    def weights(self):
        if not self.clip:
            return self.theta
        return self.theta * (self.log_alpha() < 3.0).float().detach()

    def kl(self):
        la = self.log_alpha()
        return -torch.sum(K1 * torch.sigmoid(K2 + K3 * la) - 0.5 * F.softplus(-la) - K1)


class Dense(SparseVD):
    def __init__(self, n_in, n_out, clip):
        super().__init__((n_out, n_in), n_out, clip)

    def forward(self, x):
        mu = F.linear(x, self.weights(), self.bias)
        sd = torch.sqrt(F.linear(x * x, torch.exp(self.log_sigma2)) + 1e-8)
        return mu + sd * torch.randn_like(mu)


class Conv(SparseVD):
    def __init__(self, c_in, c_out, k, clip):
        super().__init__((c_out, c_in, k, k), c_out, clip)

    def forward(self, x):
        mu = F.conv2d(x, self.weights(), self.bias)
        sd = torch.sqrt(F.conv2d(x * x, torch.exp(self.log_sigma2)) + 1e-8)
        return mu + sd * torch.randn_like(mu)


def lenet300():
    layers = [Dense(784, 300, True), Dense(300, 100, True), Dense(100, 10, True)]

    def forward(x):
        return layers[2](F.relu(layers[1](F.relu(layers[0](x)))))

    return layers, forward, (100, 784)


def lenet5():
    layers = [Conv(1, 20, 5, False), Conv(20, 50, 5, False), Dense(800, 500, False), Dense(500, 10, False)]

    def forward(x):
        h = F.max_pool2d(F.relu(layers[0](x)), 2)
        h = F.max_pool2d(F.relu(layers[1](h)), 2)
        h = F.relu(layers[2](h.flatten(1)))
        return layers[3](h)

    return layers, forward, (100, 1, 28, 28)


def main():
    model, threads, steps, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    layers, forward, shape = {"lenet300": lenet300, "lenet5": lenet5}[model]()
    params = [p for layer in layers for p in layer.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3)
    x = torch.rand(shape)
    y = torch.randint(0, 10, (shape[0],))
    n = 60000
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        logits = forward(x)
        kl = sum(layer.kl() for layer in layers)
        loss = F.cross_entropy(logits, y) * n + 0.5 * kl
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"model": model, "threads": threads, "ms": statistics.median(times), "times": times}))


if __name__ == "__main__":
    main()
