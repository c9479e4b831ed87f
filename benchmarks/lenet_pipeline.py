"""LeNet on Fashion-MNIST: D2L's own helpers against the book's, end to end.

Trains the LeNet of ``docs/cnn/lenet.md`` (sigmoid, average pooling, 5x5 kernels; lr 0.9,
batch 256, 10 epochs, Xavier initialization, plain SGD) twice, each in a fresh Python
process on this machine:

(a) reference: D2L's own code, the ``d2l`` package from PyPI (``d2l.torch``):
    ``d2l.load_data_fashion_mnist(256)`` (torchvision ``FashionMNIST`` + ``ToTensor`` +
    ``DataLoader(num_workers=4)``) and ``d2l.train_ch6(net, ..., 10, 0.9, d2l.try_gpu())``;
(b) d2lsite: ``d2lsite.load_data_fashion_mnist(256)`` and ``d2lsite.train_ch6`` (the book's
    loop, saved on the LeNet page), with the book's ``set_num_threads`` setting if given.

Wall time runs from creating the data iterators to the end of the last epoch's evaluation;
starting Python and importing torch, torchvision and d2l are not timed.

The reference needs the ``d2l`` package, which we do not install into the book's
environment (it pins old versions of numpy, torch and others). Put it into a throwaway
virtual environment that reuses the book's packages, and pass that interpreter::

    python3 -m venv /tmp/d2l-venv
    SITE=/tmp/d2l-venv/lib/python3.11/site-packages
    echo "$PWD/.venv/lib/python3.11/site-packages" > $SITE/book.pth
    /tmp/d2l-venv/bin/pip install --no-deps d2l==1.0.3
    /tmp/d2l-venv/bin/pip install ipython matplotlib-inline scipy   # what d2l.torch imports

Usage, from the repository's top folder, in the book's environment::

    python benchmarks/lenet_pipeline.py --d2l-python /tmp/d2l-venv/bin/python
    python benchmarks/lenet_pipeline.py --d2l-python ... --ref-epochs 3   # extrapolate (a)
    python benchmarks/lenet_pipeline.py --only d2lsite
    python benchmarks/lenet_pipeline.py --profile     # where one epoch's time goes
    python benchmarks/lenet_pipeline.py --variants    # channels_last, threads, compile, ...

With ``--ref-epochs k`` the reference trains k epochs and its 10-epoch wall time is
extrapolated as setup + 10/k x (time of the k epochs); its accuracy is then not comparable
and is reported as such.

The reference reads the same four files as d2lsite (the ones ``d2lsite`` finds),
decompressed, untimed, into the folder layout torchvision expects at ``../data`` relative
to a temporary working folder, so D2L's loader finds them and downloads nothing.
"""

import argparse
import contextlib
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

BATCH_SIZE, LR, EPOCHS = 256, 0.9, 10
ROOT = Path(__file__).resolve().parent.parent


def lenet() -> nn.Sequential:
    """The classic LeNet of docs/cnn/lenet.md."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10),
    )  # fmt: skip


def torchvision_layout(data: Path) -> None:
    """Decompress the files d2lsite finds into ``data/FashionMNIST/raw/`` (no download)."""
    sys.path.insert(0, str(ROOT))
    import d2lsite

    raw = data / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in d2lsite.FASHION_MNIST_MD5:
        content = gzip.decompress(d2lsite.find_fashion_mnist_file(name).read_bytes())
        (raw / name.removesuffix(".gz")).write_bytes(content)


def run_children(script: str, children: dict[str, list[str]], d2l_python, error) -> dict:
    """Run ``script --child NAME ARGS...`` for each child in a fresh process; their results.

    Child "reference" runs under ``d2l_python`` (an interpreter that can import d2l), the
    others under this one. Each child prints its result as JSON on its last line.
    """
    env = dict(os.environ, MPLBACKEND="Agg")
    results = {}
    for name, extra in children.items():
        python = d2l_python if name == "reference" else sys.executable
        if python is None:
            error("(a) needs --d2l-python, an interpreter that can import d2l")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        cmd = [python, script, "--child", name, *extra]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True, env=env).stdout
        results[name] = json.loads(out.strip().splitlines()[-1])
    return results


def machine_lines() -> str:
    """The machine, torch's threads and versions, and the load average now: two lines."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} CPU cores, {torch.get_num_threads()} torch threads, "
        f"torch {torch.__version__}, Python {platform.python_version()}, {platform.system()}\n"
        f"load average (1, 5, 15 min) at the end: {load}"
    )


@contextlib.contextmanager
def in_d2l_data_layout():
    """Work in a temporary folder whose ``../data`` holds the files as torchvision expects.

    D2L's ``load_data_fashion_mnist`` reads ``../data``; the files are the ones d2lsite
    finds, so nothing is downloaded. The working folder is restored on leaving.
    """
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        torchvision_layout(Path(tmp) / "data")
        work = Path(tmp) / "work"
        work.mkdir()
        os.chdir(work)
        try:
            yield
        finally:
            os.chdir(before)  # leave the folder before it is deleted


def run_reference(epochs: int, seed: int) -> dict:
    """D2L's own loader and train_ch6, in this process (which must be able to import d2l)."""
    import io
    from contextlib import redirect_stdout

    from d2l import torch as d2l

    torch.manual_seed(seed)
    with in_d2l_data_layout():  # scaffolding, not timed
        net = lenet()
        log = io.StringIO()
        start = time.perf_counter()
        train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
        setup = time.perf_counter() - start
        with redirect_stdout(log):  # D2L's Animator prints a figure repr per update
            d2l.train_ch6(net, train_iter, test_iter, epochs, LR, d2l.try_gpu())
        wall = time.perf_counter() - start
        summary = [line for line in log.getvalue().splitlines() if line.startswith("loss ")]
        test_acc = float(summary[-1].rsplit("test acc", 1)[1])
    return {"setup": setup, "wall": wall, "epochs": epochs, "test_acc": test_acc}


def run_d2lsite(epochs: int, seed: int) -> dict:
    """The book's loader and train_ch6, in this process."""
    import io
    from contextlib import redirect_stdout

    sys.path.insert(0, str(ROOT))
    import d2lsite as d2l

    torch.manual_seed(seed)
    net = lenet()
    start = time.perf_counter()
    train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
    setup = time.perf_counter() - start
    with redirect_stdout(io.StringIO()):
        history = d2l.train_ch6(net, train_iter, test_iter, epochs, LR)
    wall = time.perf_counter() - start
    return {"setup": setup, "wall": wall, "epochs": epochs, "test_acc": history.test_acc[-1]}


def reference_loader_pass() -> float:
    """Seconds for one pass over D2L's training DataLoader (torchvision, ToTensor, 4 workers)."""
    import warnings

    import torchvision
    from torchvision import transforms

    warnings.filterwarnings("ignore", message="This DataLoader will create")
    with tempfile.TemporaryDirectory() as tmp:
        torchvision_layout(Path(tmp))
        data = torchvision.datasets.FashionMNIST(tmp, train=True, transform=transforms.ToTensor())
        loader = torch.utils.data.DataLoader(data, BATCH_SIZE, shuffle=True, num_workers=4)
        start = time.perf_counter()
        for _ in loader:
            pass
        return time.perf_counter() - start


def profile() -> None:
    """Where one epoch of (b) goes: data, forward, backward, update, metrics, evaluation, plot."""
    import io

    sys.path.insert(0, str(ROOT))
    import d2lsite as d2l

    torch.manual_seed(0)
    train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
    net = lenet()
    for m in net.modules():
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    loss = nn.CrossEntropyLoss(reduction="none")
    t = dict.fromkeys(["data", "forward", "backward", "update", "metrics", "evaluation"], 0.0)
    clock = time.perf_counter
    net.train()
    batches = iter(train_iter)
    while True:
        s = clock()
        try:
            X, y = next(batches)
        except StopIteration:
            t["data"] += clock() - s
            break
        t["data"] += clock() - s
        s = clock()
        y_hat = net(X)
        losses = loss(y_hat, y)
        t["forward"] += clock() - s
        s = clock()
        opt.zero_grad()
        losses.mean().backward()
        t["backward"] += clock() - s
        s = clock()
        opt.step()
        t["update"] += clock() - s
        s = clock()
        d2l.Accumulator(3).add(losses.sum().item(), d2l.accuracy(y_hat, y), y.numel())
        t["metrics"] += clock() - s
    s = clock()
    d2l.evaluate_accuracy_gpu(net, test_iter)
    t["evaluation"] += clock() - s
    animator = d2l.Animator(xlabel="epoch", xlim=[1, 10], legend=["a", "b", "c"])
    s = clock()
    with contextlib.redirect_stdout(io.StringIO()):
        animator.add(1, (0.5, 0.8, 0.8))
    plot = clock() - s
    total = sum(t.values())
    print(f"one epoch of (b), {torch.get_num_threads()} threads: {total:.2f} s")
    for k, v in t.items():
        print(f"  {k:<12} {v:6.2f} s  {v / total:6.1%}")
    print(f"  one Animator update (d2lsite: 1 per epoch; D2L: 6 per epoch): {plot:.3f} s")
    loader_pass = reference_loader_pass()
    print(f"D2L's loader, one pass over the training set, nothing else: {loader_pass:.2f} s")


def variants(num_batches: int = 60) -> None:
    """Training-step and evaluation time under what PyTorch offers on a CPU."""
    sys.path.insert(0, str(ROOT))
    import d2lsite as d2l

    torch.manual_seed(0)
    train_iter, test_iter = d2l.load_data_fashion_mnist(BATCH_SIZE)
    batches = [b for _, b in zip(range(num_batches), train_iter, strict=False)]
    test_batches = list(test_iter)
    loss = nn.CrossEntropyLoss()

    def steps(net, memory_format=torch.contiguous_format) -> float:
        opt = torch.optim.SGD(net.parameters(), lr=LR)
        start = time.perf_counter()
        for X, y in batches:
            opt.zero_grad()
            loss(net(X.contiguous(memory_format=memory_format)), y).backward()
            opt.step()
        return (time.perf_counter() - start) / num_batches * len(train_iter)

    def evaluate(net, mode) -> float:
        contexts = {"autograd on": torch.enable_grad, "no_grad": torch.no_grad,
                    "inference_mode": torch.inference_mode}  # fmt: skip
        net.eval()
        start = time.perf_counter()
        with contexts[mode]():
            for X, _ in test_batches:
                net(X)
        return time.perf_counter() - start

    threads = torch.get_num_threads()
    rows = [(f"default ({threads} threads)", steps(lenet()))]
    torch.set_num_threads(1)
    rows.append(("1 thread", steps(lenet())))
    torch.set_num_threads(threads)
    rows.append(("channels_last", steps(lenet().to(memory_format=torch.channels_last),
                                        torch.channels_last)))  # fmt: skip
    compiled = torch.compile(lenet())
    first = steps(compiled)  # the first batches include the compilation
    steady = steps(compiled)
    compile_time = (first - steady) / len(train_iter) * num_batches
    rows.append(("torch.compile (after compiling)", steady))
    print(f"training, seconds per epoch ({len(train_iter)} batches), from {num_batches} batches:")
    for name, secs in rows:
        print(f"  {name:<32} {secs:6.2f} s")
    print(f"  torch.compile: first call took {compile_time:.1f} s more (compilation)")
    net = lenet()
    print("evaluation of the test set, seconds:")
    for mode in ("autograd on", "no_grad", "inference_mode"):
        evaluate(net, mode)  # warm up
        print(f"  {mode:<32} {min(evaluate(net, mode) for _ in range(3)):6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--d2l-python", help="an interpreter that can import d2l (for (a))")
    parser.add_argument("--ref-epochs", type=int, default=EPOCHS)
    parser.add_argument("--only", choices=["reference", "d2lsite"])
    parser.add_argument("--threads", type=int, help="torch threads for (b) (default: torch's)")
    parser.add_argument("--child", choices=["reference", "d2lsite"], help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="where one epoch of (b) goes")
    parser.add_argument("--variants", action="store_true", help="channels_last, threads, ...")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.profile or args.variants:
        profile() if args.profile else variants()
        return
    if args.child:
        run = run_reference if args.child == "reference" else run_d2lsite
        print(json.dumps(run(args.epochs, args.seed)))
        return
    children = {}
    for name in [args.only] if args.only else ["reference", "d2lsite"]:
        epochs = args.ref_epochs if name == "reference" else EPOCHS
        children[name] = ["--epochs", str(epochs), "--seed", str(args.seed)]
        if args.threads and name == "d2lsite":
            children[name] += ["--threads", str(args.threads)]
    results = run_children(__file__, children, args.d2l_python, parser.error)
    print(f"LeNet on Fashion-MNIST, {EPOCHS} epochs, batch {BATCH_SIZE}, lr {LR}, seed {args.seed}")
    print(machine_lines())
    rows = {"reference": "(a) D2L: torchvision + DataLoader(4 workers), d2l.train_ch6",
            "d2lsite": "(b) d2lsite: in-memory loader, d2lsite.train_ch6"}  # fmt: skip
    walls = {}
    for name, r in results.items():
        per_epoch = (r["wall"] - r["setup"]) / r["epochs"]
        wall = r["setup"] + EPOCHS * per_epoch
        walls[name] = wall
        note = "" if r["epochs"] == EPOCHS else f" (extrapolated from {r['epochs']} epochs)"
        acc = f"{r['test_acc']:.4f}" + ("" if r["epochs"] == EPOCHS else f" after {r['epochs']}")
        print(
            f"{rows[name]}: wall {wall:.1f} s{note}, {per_epoch:.2f} s/epoch, "
            f"setup {r['setup']:.2f} s, test acc {acc}"
        )
    if len(walls) == 2:
        print(f"speed-up of (b) over (a), wall time: {walls['reference'] / walls['d2lsite']:.1f}x")


if __name__ == "__main__":
    main()
