"""Plotting helpers: SVG figures and several curves on one pair of axes."""

import itertools

import numpy as np
from matplotlib import pyplot as plt

__all__ = ["plot", "set_axes", "set_figsize", "use_svg_display"]


def use_svg_display() -> None:
    """Show figures as SVG in Jupyter; elsewhere there is nothing to do.

    Defined in ``appendix/tools.md``.
    """
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not running under Jupyter
        return
    set_matplotlib_formats("svg")


def set_figsize(figsize: tuple[float, float] = (3.5, 2.5)) -> None:
    """Make new figures ``figsize`` inches wide and high, drawn as SVG.

    Defined in ``appendix/tools.md``.
    """
    use_svg_display()
    plt.rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend) -> None:
    """Label, scale and limit a matplotlib ``Axes``; add a legend if given.

    Defined in ``appendix/tools.md``.
    """
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid(True)


def plot(
    X,
    Y=None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    legend=(),
    xlim=None,
    ylim=None,
    xscale: str = "linear",
    yscale: str = "linear",
    fmts=("-", "m--", "g-.", "r:"),
    figsize: tuple[float, float] = (3.5, 2.5),
    axes=None,
) -> None:
    """Draw one or several curves on one pair of axes.

    ``X`` and ``Y`` each hold one curve (a 1-D list, array or tensor) or
    several (a list of them, or a 2-D array or tensor, one curve per row). One
    ``X`` is shared by every curve in ``Y``. With ``Y`` left out, ``X`` holds
    the y-values and the x-values are 0, 1, 2, ... Draws on ``axes`` if given,
    else on a new figure of size ``figsize``; ``fmts`` are matplotlib format
    strings, used in turn.

    Raises ``ValueError`` when there are several x-series but not one per
    y-series.

    Defined in ``appendix/tools.md``.
    """

    def curves(data):
        if hasattr(data, "ndim"):  # a tensor or an array: 1-D is one curve
            return [data] if data.ndim == 1 else list(data)
        return [data] if np.ndim(data[0]) == 0 else list(data)  # numbers, or curves

    if Y is None:
        Y = curves(X)
        X = [list(range(len(y))) for y in Y]
    else:
        X, Y = curves(X), curves(Y)
        if len(X) == 1:
            X = X * len(Y)
    if len(X) != len(Y):
        raise ValueError(
            f"plot() got {len(X)} x-series for {len(Y)} y-series; "
            "pass one x-series for all curves, or one per curve"
        )
    if axes is None:
        set_figsize(figsize)
        axes = plt.figure().gca()
    for x, y, fmt in zip(X, Y, itertools.cycle(fmts)):
        axes.plot(x, y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
