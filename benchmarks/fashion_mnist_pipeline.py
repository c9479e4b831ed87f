"""Softmax regression on Fashion-MNIST: the usual torchvision pipeline against d2lsite's.

Runs, one after the other, each in a fresh Python process on this machine:

(a) reference: ``torchvision.datasets.FashionMNIST`` + ``transforms.ToTensor()`` +
    ``DataLoader(batch_size=256, shuffle=True, num_workers=4)``;
(b) d2lsite:   ``d2lsite.load_data_fashion_mnist(256)``.

Both train the same softmax regression from scratch (784 x 10 weights, lr 0.1, batch 256,
10 epochs) with the book's own ``train_epoch_ch3``, ``evaluate_accuracy`` and ``sgd``,
evaluating test accuracy after every epoch as ``train_ch3`` does, and report wall time,
time per epoch and final test accuracy.

Usage, from the repository's top folder::

    python benchmarks/fashion_mnist_pipeline.py               # both, once each
    python benchmarks/fashion_mnist_pipeline.py --repeats 3   # a, b, a, b, a, b; medians
    python benchmarks/fashion_mnist_pipeline.py --threads 1   # one torch thread for training
    python benchmarks/fashion_mnist_pipeline.py --only d2lsite

Run i of each pipeline is seeded with i, so with ``--repeats`` the accuracies compared are
medians over the same seeds; the final accuracy of one run moves by about 0.01 with the
shuffling order alone.

Both pipelines read the same files, the ones d2lsite's loader finds (nothing is
downloaded when a local copy exists). The reference gets them decompressed into
torchvision's folder layout in a temporary folder, which is not timed.
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch
from torch.nn import functional as F

PIPELINES = {
    "reference": "(a) torchvision, ToTensor, 4 workers",
    "d2lsite": "(b) d2lsite.load_data_fashion_mnist",
}
BATCH_SIZE, LR = 256, 0.1


def reference_iters(root: str, batch_size: int):
    """The usual route: a Dataset that converts one PIL image at a time, and DataLoaders."""
    import torchvision
    from torchvision import transforms

    # The reference asks for 4 workers even where there are fewer cores; that is what we measure.
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    to_tensor = transforms.ToTensor()
    train = torchvision.datasets.FashionMNIST(root, train=True, transform=to_tensor)
    test = torchvision.datasets.FashionMNIST(root, train=False, transform=to_tensor)
    loader = torch.utils.data.DataLoader
    return (
        loader(train, batch_size, shuffle=True, num_workers=4),
        loader(test, batch_size, shuffle=False, num_workers=4),
    )


def torchvision_layout(root: Path) -> None:
    """Decompress the files d2lsite finds into ``root/FashionMNIST/raw/`` (no download)."""
    import d2lsite as d2l

    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in d2l.FASHION_MNIST_MD5:
        data = gzip.decompress(d2l.find_fashion_mnist_file(name).read_bytes())
        (raw / name.removesuffix(".gz")).write_bytes(data)


def train_softmax_regression(train_iter, test_iter, epochs: int) -> tuple[list[float], float]:
    """Softmax regression from scratch, trained with the book's own helpers.

    Returns the seconds of each epoch (one training pass and one evaluation, as in
    ``train_ch3``) and the final test accuracy.
    """
    import d2lsite as d2l

    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True)
    b = torch.zeros(10, requires_grad=True)

    def net(X):
        return X.reshape(-1, 784) @ W + b

    def loss(y_hat, y):
        return F.cross_entropy(y_hat, y, reduction="none")

    def updater(batch_size):
        d2l.sgd([W, b], LR, batch_size)

    epoch_times, test_acc = [], 0.0
    for epoch in range(epochs):
        start = time.perf_counter()
        d2l.train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = d2l.evaluate_accuracy(net, test_iter)
        epoch_times.append(time.perf_counter() - start)
        print(
            f"  epoch {epoch + 1}: test acc {test_acc:.4f}, {epoch_times[-1]:.2f} s",
            file=sys.stderr,
        )
    return epoch_times, test_acc


def run_one(pipeline: str, epochs: int, seed: int) -> dict:
    """One measured run in this process; returns its numbers."""
    import torchvision  # noqa: F401  imports are not timed, for either pipeline

    import d2lsite as d2l

    torch.manual_seed(seed)
    with tempfile.TemporaryDirectory() as tmp:
        if pipeline == "reference":
            torchvision_layout(Path(tmp))  # scaffolding, not timed
        start = time.perf_counter()
        if pipeline == "reference":
            train_iter, test_iter = reference_iters(tmp, BATCH_SIZE)
        else:
            train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
        setup = time.perf_counter() - start
        epoch_times, test_acc = train_softmax_regression(train_iter, test_iter, epochs)
        wall = time.perf_counter() - start
    return {"setup": setup, "epoch_times": epoch_times, "wall": wall, "test_acc": test_acc}


def run_in_subprocess(pipeline: str, epochs: int, seed: int, threads: int | None) -> dict:
    print(f"running {PIPELINES[pipeline]}, seed {seed} ...", file=sys.stderr, flush=True)
    cmd = [sys.executable, __file__, "--child", pipeline, "--epochs", str(epochs)]
    cmd += ["--seed", str(seed)] + (["--threads", str(threads)] if threads else [])
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPU cores ({cpu}), torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), Python {platform.python_version()}, "
        f"{platform.system()}"
    )


def table(results: dict[str, list[dict]], epochs: int) -> str:
    def median(name, key):
        return statistics.median(r[key] for r in results[name])

    width = max(len(PIPELINES[name]) for name in results)
    rows = [
        f"{'pipeline':<{width}} {'wall time':>10} {'per epoch':>10} {'setup':>8} {'test acc':>9}"
    ]
    for name, runs in results.items():
        per_epoch = statistics.median(sum(r["epoch_times"]) / epochs for r in runs)
        rows.append(
            f"{PIPELINES[name]:<{width}} {median(name, 'wall'):>8.1f} s {per_epoch:>8.2f} s "
            f"{median(name, 'setup'):>6.2f} s {median(name, 'test_acc'):>9.4f}"
        )
    if len(results) == 2:
        speedup = median("reference", "wall") / median("d2lsite", "wall")
        gap = abs(median("reference", "test_acc") - median("d2lsite", "test_acc"))
        rows.append(f"speed-up of (b) over (a), wall time: {speedup:.1f}x")
        rows.append(f"test accuracy difference: {gap:.4f}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each pipeline")
    parser.add_argument("--only", choices=list(PIPELINES), help="run one pipeline")
    parser.add_argument(
        "--threads", type=int, help="torch threads in the training process (default: torch's)"
    )
    parser.add_argument("--child", choices=list(PIPELINES), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.child:  # a measured run, in a fresh process
        print(json.dumps(run_one(args.child, args.epochs, args.seed)))
        return
    names = [args.only] if args.only else list(PIPELINES)
    results: dict[str, list[dict]] = {name: [] for name in names}
    for seed in range(args.repeats):  # run i of each pipeline uses seed i
        for name in names:
            results[name].append(run_in_subprocess(name, args.epochs, seed, args.threads))
    print(f"Fashion-MNIST softmax regression, {args.epochs} epochs, batch {BATCH_SIZE}, lr {LR}")
    print(f"machine: {machine()}")
    print(
        "load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    if args.repeats > 1:
        print(f"medians of {args.repeats} runs each, seeds 0 to {args.repeats - 1}")
        for name, runs in results.items():
            accs = ", ".join(f"{r['test_acc']:.4f}" for r in runs)
            walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
            print(f"  {name}: test acc {accs}; wall time (s) {walls}")
    print(table(results, args.epochs))


if __name__ == "__main__":
    main()
