"""Optimization algorithms: 2-D traces, the airfoil data and the chapter's training loops."""

import math
from collections.abc import Callable

import torch
from matplotlib import pyplot as plt

import d2lsite as d2l

__all__ = [
    "show_trace_2d",
    "train_2d",
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
