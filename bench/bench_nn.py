"""Benchmark: one SGD epoch of glmnotes.nn.Network against the same network in PyTorch (CPU).

Both sides get the same data, the same initial weights, the same minibatch order, the same
batch size and learning rate, and the same number of threads, in the same run. Sizes:

- digits: 64-128-10 on scikit-learn's 1,797 digits, batch 32, float32;
- MNIST size: 784-256-10 on 60,000 generated rows, batch 128, float32.

It prints the median epoch time of each side and the ratio numpy / torch (below 1 means
glmnotes is faster), checks that the two sides end the epoch at the same weights (up to float32
rounding), and checks in float64 that the gradients of one batch agree to 1e-10.

Run: ``python bench/bench_nn.py [--repeats 5] [--threads N]`` (needs
``pip install torch==2.13.0``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from glmnotes.datasets import load_digits_split
from glmnotes.nn import Network

try:
    import torch
except ImportError as error:  # pragma: no cover - a script, not a test
    raise SystemExit("this benchmark needs PyTorch: pip install torch==2.13.0") from error


# Seconds of rest before each timed epoch, so that the idle threads of the side that ran last
# (OpenBLAS and OpenMP workers spin for a while before sleeping) do not steal the cores.
PAUSE = 0.5


def blas_threads() -> int:
    return max(
        (info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"),
        default=1,
    )


def torch_model(net: Network) -> torch.nn.Sequential:
    """The PyTorch twin of a one-hidden-layer sigmoid network, with the same weights."""
    (n_in, n_hidden, n_out), dtype = net.layer_sizes, getattr(torch, net.dtype.name)
    model = torch.nn.Sequential(
        torch.nn.Linear(n_in, n_hidden), torch.nn.Sigmoid(), torch.nn.Linear(n_hidden, n_out)
    ).to(dtype)
    with torch.no_grad():
        for linear, W, b in zip((model[0], model[2]), net.W, net.b, strict=True):
            linear.weight.copy_(torch.from_numpy(W.T.copy()))  # torch stores out x in
            linear.bias.copy_(torch.from_numpy(b))
    return model


def torch_epoch(model, X, y, batch_size, learning_rate, seed) -> None:
    """One epoch of minibatch SGD on the mean cross-entropy, in the order numpy uses."""
    order = torch.from_numpy(np.random.default_rng(seed).permutation(X.shape[0]))
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for start in range(0, X.shape[0], batch_size):
        batch = order[start : start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(X[batch]), y[batch])
        loss.backward()
        optimizer.step()


def time_epochs(name, sizes, X, y, batch_size, learning_rate, repeats) -> float:
    net = Network(sizes, hidden_activation="sigmoid", output="multinomial", dtype=np.float32)
    model = torch_model(net)
    X_torch, y_torch = torch.from_numpy(X), torch.from_numpy(y)

    # Same start, one epoch each: the weights must agree up to float32 rounding.
    net.sgd_epoch(X, y, batch_size, learning_rate, seed=0)
    torch_epoch(model, X_torch, y_torch, batch_size, learning_rate, seed=0)
    weight_gap = max(
        np.max(np.abs(net.W[0] - model[0].weight.detach().numpy().T)),
        np.max(np.abs(net.W[1] - model[2].weight.detach().numpy().T)),
    )

    numpy_times, torch_times = [], []
    for repeat in range(repeats):  # interleaved, so both see the same machine load
        time.sleep(PAUSE)
        start = time.perf_counter()
        net.sgd_epoch(X, y, batch_size, learning_rate, seed=repeat + 1)
        numpy_times.append(time.perf_counter() - start)
        time.sleep(PAUSE)
        start = time.perf_counter()
        torch_epoch(model, X_torch, y_torch, batch_size, learning_rate, seed=repeat + 1)
        torch_times.append(time.perf_counter() - start)
    t_numpy, t_torch = statistics.median(numpy_times), statistics.median(torch_times)
    print(
        f"{name:<12} {'-'.join(map(str, sizes)):<12} n={X.shape[0]:<6} batch={batch_size:<4} "
        f"numpy {t_numpy * 1e3:8.1f} ms  torch {t_torch * 1e3:8.1f} ms  "
        f"ratio {t_numpy / t_torch:5.2f}x  (max |W_numpy - W_torch| after 1 epoch: "
        f"{weight_gap:.1e})"
    )
    return t_numpy / t_torch


def check_gradients_float64(X, y, sizes) -> float:
    """Largest relative gap between the two sides' float64 gradients on one batch."""
    net = Network(sizes, hidden_activation="sigmoid", output="multinomial", seed=1)
    model = torch_model(net)
    loss = -torch.nn.functional.cross_entropy(
        model(torch.from_numpy(X.astype(np.float64))), torch.from_numpy(y), reduction="sum"
    )  # the log-likelihood, whose gradient net.gradients returns
    loss.backward()
    gap = 0.0
    for (dW, db), linear in zip(net.gradients(X, y), (model[0], model[2]), strict=True):
        for ours, theirs in ((dW, linear.weight.grad.numpy().T), (db, linear.bias.grad.numpy())):
            gap = max(gap, np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))
    return gap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--threads", type=int, default=None, help="threads for both sides (default: numpy's BLAS)"
    )
    args = parser.parse_args()

    import scipy.linalg.blas  # noqa: F401  (load scipy's BLAS too, so the limit covers it)

    if args.threads is not None:
        threadpool_limits(args.threads, user_api="blas")
    threads = blas_threads()
    torch.set_num_threads(threads)
    print(
        f"numpy {np.__version__} (BLAS threads {threads}), torch {torch.__version__} "
        f"(threads {torch.get_num_threads()}); median of {args.repeats} epochs each"
    )

    X_train, _, y_train, _ = load_digits_split(test_size=0.25, seed=0)
    X_digits = X_train.astype(np.float32)
    time_epochs("digits", [64, 128, 10], X_digits, y_train, 32, 0.5, args.repeats)

    rng = np.random.default_rng(0)
    X_mnist = rng.random((60_000, 784), dtype=np.float32)
    y_mnist = rng.integers(0, 10, size=60_000)
    ratio = time_epochs("MNIST size", [784, 256, 10], X_mnist, y_mnist, 128, 0.1, args.repeats)
    print(f"target <= 0.90x at MNIST size: {'met' if ratio <= 0.9 else 'NOT met'}")

    gap = check_gradients_float64(X_mnist[:128], y_mnist[:128], [784, 256, 10])
    print(
        f"float64 gradients on one batch of 128, max relative gap: {gap:.1e} "
        f"({'ok' if gap < 1e-10 else 'FAIL'}: < 1e-10)"
    )


if __name__ == "__main__":
    main()
