"""ResNet on Fashion-MNIST: D2L's way (ResNet-18 at 96x96) against the book's ResNet page.

Two runs, each in a fresh Python process on this machine:

(a) reference: D2L's own code, the ``d2l`` package from PyPI (``d2l.torch``): ResNet-18
    assembled from D2L's ``d2l.Residual`` blocks as D2L's ResNet section does (7x7 stem
    with max pooling, four stages of two blocks, 64 to 512 channels),
    ``d2l.load_data_fashion_mnist(256, resize=96)`` (torchvision ``FashionMNIST`` with
    ``Resize(96)`` and ``ToTensor``, ``DataLoader(num_workers=4)``) and
    ``d2l.train_ch6(net, ..., lr=0.05)``: D2L's settings for 10 epochs. One epoch of it
    takes many minutes on a laptop CPU, so by default it trains on the first
    ``--ref-batches`` minibatches and evaluates the first ``--ref-test-batches`` test
    minibatches, and the time of 10 full epochs is extrapolated from them (per-batch
    training time x 235 batches + per-batch evaluation time x 40 batches, per epoch). Its
    accuracy is then not measured; D2L publishes about 0.91 after 10 epochs on a GPU.
(b) d2lsite: the ResNet page's training, in full: ResNet-8, width 16, at 28x28 from
    ``d2lsite.Residual``, ``d2lsite.load_data_fashion_mnist(128)``,
    ``d2lsite.train_ch7(net, ..., 8, 0.1)``.

Wall time runs from creating the data iterators to the end of the last evaluation;
starting Python and importing torch, torchvision and d2l are not timed.

The reference needs the ``d2l`` package in a throwaway virtual environment; see
``benchmarks/lenet_pipeline.py`` for the four commands. Usage, from the repository's top
folder, in the book's environment::

    python benchmarks/modern_cnn_pipeline.py --d2l-python /tmp/d2l-venv/bin/python
    python benchmarks/modern_cnn_pipeline.py --only d2lsite
    python benchmarks/modern_cnn_pipeline.py --d2l-python ... --only reference --ref-batches 235

The reference reads the same four files as d2lsite, decompressed, untimed, into the
layout torchvision expects at ``../data`` of a temporary working folder, so D2L's loader
finds them and downloads nothing.
"""

import argparse
import io
import json
import re
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from lenet_pipeline import in_d2l_data_layout, machine_lines, run_children  # noqa: E402

EPOCHS_REF, LR_REF, BATCH_REF, RESIZE_REF = 10, 0.05, 256, 96  # D2L's ResNet settings
EPOCHS_BOOK, LR_BOOK, BATCH_BOOK = 8, 0.1, 128  # docs/modern-cnn/resnet.md


class FirstBatches:
    """The first ``n`` minibatches of a loader, with ``len`` for D2L's progress logic."""

    def __init__(self, loader, n: int) -> None:
        self.loader, self.n = loader, min(n, len(loader))

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        for i, batch in enumerate(self.loader):
            if i == self.n:
                break
            yield batch


def run_reference(train_batches: int, test_batches: int, seed: int) -> dict:
    """D2L's ResNet-18 at 96x96 with D2L's loader and train_ch6, on part of an epoch."""
    from d2l import torch as d2l

    torch.manual_seed(seed)
    with in_d2l_data_layout():  # scaffolding, not timed
        stages = [(64, 2, False), (128, 2, True), (256, 2, True), (512, 2, True)]
        layers = [nn.Conv2d(1, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                  nn.MaxPool2d(3, stride=2, padding=1)]  # fmt: skip
        for channels, blocks, downsample in stages:
            for i in range(blocks):
                first = i == 0 and downsample
                layers.append(d2l.Residual(channels, use_1x1conv=first, strides=2 if first else 1))
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
        net = nn.Sequential(*layers)
        net(torch.zeros(1, 1, RESIZE_REF, RESIZE_REF))  # D2L's lazy layers get their shapes
        start = time.perf_counter()
        train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_REF, resize=RESIZE_REF)
        full_train, full_test = len(train_iter), len(test_iter)
        train_iter = FirstBatches(train_iter, train_batches)
        test_iter = FirstBatches(test_iter, test_batches)
        setup = time.perf_counter() - start
        log = io.StringIO()
        with redirect_stdout(log):  # D2L's Animator prints a figure repr per update
            d2l.train_ch6(net, train_iter, test_iter, 1, LR_REF, d2l.try_gpu())
        wall = time.perf_counter() - start
    speed = float(re.search(r"([\d.]+) examples/sec", log.getvalue()).group(1))
    train = len(train_iter) * BATCH_REF / speed  # train_ch6 times the training steps only
    rest = wall - setup - train  # evaluation, loader start-up, plotting
    per_epoch = train / len(train_iter) * full_train + rest / len(test_iter) * full_test
    return {"setup": setup, "measured": wall, "train_batches": len(train_iter),
            "test_batches": len(test_iter), "per_epoch": per_epoch,
            "wall": setup + EPOCHS_REF * per_epoch, "examples_per_sec": speed}  # fmt: skip


def run_d2lsite(seed: int) -> dict:
    """The ResNet page's training, in full."""
    sys.path.insert(0, str(ROOT))
    import d2lsite as d2l

    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        d2l.Residual(16, 16), d2l.Residual(16, 32, stride=2), d2l.Residual(32, 64, stride=2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10),
    )  # fmt: skip
    start = time.perf_counter()
    train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_BOOK)
    setup = time.perf_counter() - start
    log = io.StringIO()
    with redirect_stdout(log):
        history = d2l.train_ch7(net, train_iter, test_iter, EPOCHS_BOOK, LR_BOOK)
    wall = time.perf_counter() - start
    speed = float(re.search(r"([\d.]+) examples/sec", log.getvalue()).group(1))
    return {"setup": setup, "wall": wall, "per_epoch": (wall - setup) / EPOCHS_BOOK,
            "test_acc": history.test_acc[-1], "examples_per_sec": speed}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--d2l-python", help="an interpreter that can import d2l (for (a))")
    parser.add_argument("--ref-batches", type=int, default=20, help="training minibatches of (a)")
    parser.add_argument("--ref-test-batches", type=int, default=5, help="test minibatches of (a)")
    parser.add_argument("--only", choices=["reference", "d2lsite"])
    parser.add_argument("--child", choices=["reference", "d2lsite"], help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.child == "reference":
        print(json.dumps(run_reference(args.ref_batches, args.ref_test_batches, args.seed)))
        return
    if args.child == "d2lsite":
        print(json.dumps(run_d2lsite(args.seed)))
        return
    child_args = ["--seed", str(args.seed), "--ref-batches", str(args.ref_batches),
                  "--ref-test-batches", str(args.ref_test_batches)]  # fmt: skip
    names = [args.only] if args.only else ["reference", "d2lsite"]
    results = run_children(__file__, dict.fromkeys(names, child_args), args.d2l_python,
                           parser.error)  # fmt: skip
    print(f"ResNet on Fashion-MNIST, seed {args.seed}")
    print(machine_lines())
    if "reference" in results:
        r = results["reference"]
        print(
            f"(a) D2L: ResNet-18 at 96x96, d2l.load_data_fashion_mnist(256, resize=96), "
            f"d2l.train_ch6, lr 0.05, {EPOCHS_REF} epochs: wall {r['wall']:.0f} s "
            f"({r['wall'] / 60:.1f} min), EXTRAPOLATED from {r['train_batches']} training and "
            f"{r['test_batches']} test minibatches ({r['measured']:.1f} s measured); "
            f"{r['per_epoch']:.1f} s/epoch, {r['examples_per_sec']:.1f} examples/sec in training"
        )
    if "d2lsite" in results:
        r = results["d2lsite"]
        print(
            f"(b) d2lsite: ResNet-8, width 16, at 28x28, d2lsite.train_ch7, lr 0.1, "
            f"{EPOCHS_BOOK} epochs: wall {r['wall']:.1f} s, {r['per_epoch']:.1f} s/epoch, "
            f"{r['examples_per_sec']:.1f} examples/sec in training, test acc {r['test_acc']:.4f}"
        )
    if len(results) == 2:
        ratio = results["reference"]["wall"] / results["d2lsite"]["wall"]
        print(f"wall time of (a) over (b): {ratio:.1f}x")


if __name__ == "__main__":
    main()
