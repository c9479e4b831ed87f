"""Optimization algorithms: 2-D traces, the airfoil data and the chapter's training loops."""

import math
from collections.abc import Callable

import numpy as np
import torch
from matplotlib import pyplot as plt
from torch import nn
from torch.utils.data import DataLoader

import d2lsite as d2l

__all__ = [
    "compare_with_torch",
    "fit_ch11",
    "get_data_ch11",
    "show_trace_2d",
    "train_2d",
    "train_ch11",
    "train_concise_ch11",
]


def train_2d(
    trainer: Callable[..., tuple[float, float, float, float]],
    steps: int = 20,
    f_grad: Callable[[float, float], tuple[float, float]] | None = None,
    start: tuple[float, float] = (-5.0, -2.0),
) -> list[tuple[float, float]]:
    """Run a 2-D optimizer for ``steps`` steps from ``start``; return the path.

    ``trainer(x1, x2, s1, s2)`` (or ``trainer(x1, x2, s1, s2, f_grad)`` when
    ``f_grad`` is given) maps the point ``(x1, x2)`` and two numbers of optimizer
    state ``(s1, s2)``, both 0 at the start, to their new values. The returned
    list holds ``steps + 1`` points ``(x1, x2)``, the start first. Prints the
    last point.

    Raises ``ValueError`` if ``steps`` is not a positive whole number, and
    ``FloatingPointError`` if a coordinate becomes infinite or NaN (the learning
    rate is too large).

    Defined in ``optimization/gd.md``.
    """
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}")
    x1, x2 = start
    s1, s2 = 0.0, 0.0
    results = [(x1, x2)]
    for step in range(1, steps + 1):
        if f_grad:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
        else:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        if not (math.isfinite(x1) and math.isfinite(x2)):
            raise FloatingPointError(
                f"the point became ({x1}, {x2}) at step {step}: the optimizer diverged; "
                "use a smaller learning rate"
            )
        results.append((x1, x2))
    print(f"step {steps}: x1 {x1:.6f}, x2 {x2:.6f}")
    return results


def show_trace_2d(
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    results: list[tuple[float, float]],
) -> None:
    """Draw the path ``results`` (points ``(x1, x2)``) over the contours of ``f``.

    ``f(x1, x2)`` must work elementwise on tensors of equal shape. The contour
    grid covers the path with a margin of 0.5 on each side.

    Defined in ``optimization/gd.md``.
    """
    path = torch.tensor(results)
    low, high = path.min(dim=0).values - 0.5, path.max(dim=0).values + 0.5
    x1, x2 = torch.meshgrid(
        torch.linspace(low[0], high[0], 101), torch.linspace(low[1], high[1], 101), indexing="xy"
    )
    d2l.set_figsize()
    plt.figure()
    plt.contour(x1, x2, f(x1, x2), levels=15, colors="#1f77b4", linewidths=0.8)
    plt.plot(path[:, 0], path[:, 1], "-o", color="#ff7f0e", markersize=3)
    plt.xlabel("x1")
    plt.ylabel("x2")


def get_data_ch11(batch_size: int = 10, n: int = 1500) -> tuple[DataLoader, int]:
    """The airfoil self-noise data as shuffled minibatches, and the number of features.

    Reads ``airfoil_self_noise.dat`` (1503 examples of 5 features and a sound
    level in dB) through ``d2l.download``, standardizes every column, features
    and label alike, to mean 0 and standard deviation 1 over all 1503 examples,
    and keeps the first ``n``. The loader yields ``(X, y)`` with ``X`` of shape
    ``(batch_size, 5)`` and ``y`` of shape ``(batch_size,)``, ``float32``,
    in a new random order every epoch. Returns ``(data_iter, 5)``.

    Raises ``ValueError`` if ``batch_size`` is not a positive whole number or
    ``n`` is not between 1 and 1503; ``d2l.download``'s errors if the file is
    missing or damaged.

    Defined in ``optimization/minibatch-sgd.md``.
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, got {batch_size!r}")
    if not isinstance(n, int) or not 1 <= n <= 1503:
        raise ValueError(f"n must be a whole number of examples from 1 to 1503, got {n!r}")
    data = np.loadtxt(d2l.download("airfoil_self_noise.dat"), dtype=np.float32, delimiter="\t")
    data = torch.from_numpy((data - data.mean(axis=0)) / data.std(axis=0))
    data_iter = d2l.load_array((data[:n, :-1], data[:n, -1]), batch_size, is_train=True)
    return data_iter, data.shape[1] - 1


def fit_ch11(
    net: Callable[[torch.Tensor], torch.Tensor],
    update: Callable[[torch.Tensor, torch.Tensor], None],
    data_iter: DataLoader,
    num_epochs: int,
    plot: bool = True,
) -> tuple[list[float], list[float], list[float]]:
    """The chapter's training loop: ``update(X, y)`` on every minibatch, with records.

    ``update`` does one training step (forward, backward, parameter update) on
    the minibatch ``(X, y)``. After every 200 examples (or every step, for
    larger batches) the loop evaluates the mean squared loss
    ``d2l.squared_loss`` (half the squared error) of ``net`` on all of
    ``data_iter``; the stopwatch is paused meanwhile. Returns three lists, one
    entry per record: the epochs done (fractional), the training seconds so
    far, and the loss. Prints the final loss and the seconds per epoch, and with
    ``plot`` draws the loss against epochs.

    Raises ``ValueError`` if ``num_epochs`` is not a positive whole number, and
    ``FloatingPointError`` if the loss becomes infinite, NaN or larger than
    1000 (the learning rate is too large).

    Defined in ``optimization/minibatch-sgd.md``.
    """
    if not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
    epochs, losses = [], []
    n, next_record, timer = 0, 200, d2l.Timer()
    for epoch in range(num_epochs):
        for i, (X, y) in enumerate(data_iter):
            update(X, y)
            n += X.shape[0]
            if n >= next_record:
                timer.stop()
                epochs.append(epoch + (i + 1) / len(data_iter))
                losses.append(d2l.evaluate_loss(net, data_iter, d2l.squared_loss))
                if not losses[-1] <= 1000:  # also catches inf and nan
                    raise FloatingPointError(
                        f"the loss became {losses[-1]:.4g} at epoch {epochs[-1]:.2f}: training "
                        "diverged; use a smaller learning rate"
                    )
                next_record = n + 200
                timer.start()
    print(f"loss {losses[-1]:.3f}, {timer.sum() / num_epochs:.3f} sec/epoch")
    if plot:
        d2l.plot(epochs, losses, "epoch", "loss", xlim=(0, num_epochs), ylim=(0.22, 0.35))
    return epochs, timer.cumsum(), losses


def train_ch11(
    trainer_fn: Callable[[list[torch.Tensor], object, dict], None],
    states: object,
    hyperparams: dict,
    data_iter: DataLoader,
    feature_dim: int,
    num_epochs: int = 2,
    plot: bool = True,
) -> tuple[list[float], list[float], list[float]]:
    """Train linear regression on ``data_iter`` with a from-scratch optimizer.

    The weights ``w`` (shape ``(feature_dim, 1)``) start from a normal
    distribution with standard deviation 0.01, the bias ``b`` (shape ``(1,)``)
    at zero. Each step backpropagates the *mean* squared loss of the minibatch
    and calls ``trainer_fn([w, b], states, hyperparams)``, which must update
    both in place and zero their gradients. Returns and prints as ``fit_ch11``,
    whose errors it raises.

    Defined in ``optimization/minibatch-sgd.md``.
    """
    w = torch.normal(0.0, 0.01, size=(feature_dim, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)

    def net(X):
        return d2l.linreg(X, w, b)

    def update(X, y):
        d2l.squared_loss(net(X), y).mean().backward()
        trainer_fn([w, b], states, hyperparams)

    return fit_ch11(net, update, data_iter, num_epochs, plot)


def train_concise_ch11(
    trainer_fn: type[torch.optim.Optimizer],
    hyperparams: dict,
    data_iter: DataLoader,
    num_epochs: int = 4,
    plot: bool = True,
) -> tuple[list[float], list[float], list[float]]:
    """Train linear regression on ``data_iter`` with a ``torch.optim`` optimizer.

    The model is ``nn.Linear(d, 1)``, ``d`` read from the first minibatch, with
    weights from a normal distribution of standard deviation 0.01 and a zero
    bias; the optimizer is ``trainer_fn(net.parameters(), **hyperparams)``, for
    example ``torch.optim.Adam`` with ``{"lr": 0.01}``. Each step minimizes the
    mean of ``nn.MSELoss(reduction="none")`` divided by 2, the loss of
    ``train_ch11``. Returns and prints as ``fit_ch11``, whose errors it raises.

    Defined in ``optimization/minibatch-sgd.md``.
    """
    X, _ = next(iter(data_iter))
    net = nn.Sequential(nn.Linear(X.shape[1], 1))
    nn.init.normal_(net[0].weight, std=0.01)
    nn.init.zeros_(net[0].bias)
    optimizer = trainer_fn(net.parameters(), **hyperparams)
    loss = nn.MSELoss(reduction="none")

    def update(X, y):
        optimizer.zero_grad()
        out = net(X)
        (loss(out, y.reshape(out.shape)) / 2).mean().backward()
        optimizer.step()

    return fit_ch11(net, update, data_iter, num_epochs, plot)


def compare_with_torch(
    trainer_fn: Callable[[list[torch.Tensor], object, dict], None],
    init_states: Callable[[int], object],
    hyperparams: dict,
    torch_optimizer: type[torch.optim.Optimizer],
    torch_hyperparams: dict,
    num_steps: int = 20,
) -> float:
    """The largest parameter difference between a from-scratch optimizer and torch's.

    Both optimizers train the same linear model (5 features, ``float64``,
    weights from a seeded normal distribution, zero bias) on the same
    ``num_steps`` minibatches of 10 synthetic examples, minimizing the mean of
    ``d2l.squared_loss``. ``trainer_fn(params, states, hyperparams)`` is called
    as in ``train_ch11`` with ``states = init_states(5)``, created in
    ``float64``, and a copy of ``hyperparams``; torch's optimizer is
    ``torch_optimizer(params, **torch_hyperparams)``. Returns the largest
    absolute difference of any weight or bias after the last step: about
    1e-16 when the two compute the same update. The default dtype is
    restored afterwards.

    Defined in ``optimization/minibatch-sgd.md``.
    """
    default_dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        generator = torch.Generator().manual_seed(0)
        X = torch.randn(num_steps, 10, 5, generator=generator)
        y = X @ torch.tensor([2.0, -3.4, 1.0, 0.5, -1.0]) + 4.2
        w = torch.normal(0.0, 0.01, size=(5, 1), generator=generator)
        ours = [w.clone().requires_grad_(), torch.zeros(1, requires_grad=True)]
        theirs = [p.detach().clone().requires_grad_() for p in ours]
        states, ours_hyperparams = init_states(5), dict(hyperparams)
        optimizer = torch_optimizer(theirs, **torch_hyperparams)
        for X_batch, y_batch in zip(X, y, strict=True):
            d2l.squared_loss(d2l.linreg(X_batch, *ours), y_batch).mean().backward()
            trainer_fn(ours, states, ours_hyperparams)
            optimizer.zero_grad()
            d2l.squared_loss(d2l.linreg(X_batch, *theirs), y_batch).mean().backward()
            optimizer.step()
        return max((a - b).abs().max().item() for a, b in zip(ours, theirs, strict=True))
    finally:
        torch.set_default_dtype(default_dtype)
