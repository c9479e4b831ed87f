"""plot, set_axes, set_figsize and use_svg_display draw what they are asked to."""

import sys
import types

import numpy as np
import pytest
import torch
from matplotlib import pyplot as plt

import d2lsite as d2l


def ydata(axes):
    return [list(line.get_ydata()) for line in axes.get_lines()]


def xdata(axes):
    return [list(line.get_xdata()) for line in axes.get_lines()]


def test_plot_draws_one_line_for_one_curve():
    d2l.plot([0, 1, 2], [0.0, 1.0, 4.0])
    axes = plt.gca()
    assert ydata(axes) == [[0.0, 1.0, 4.0]]
    assert xdata(axes) == [[0, 1, 2]]


def test_plot_shares_one_x_across_several_y():
    x = torch.arange(4.0)
    d2l.plot(x, [x, x**2, x**3])
    axes = plt.gca()
    assert len(axes.get_lines()) == 3
    assert all(xs == [0.0, 1.0, 2.0, 3.0] for xs in xdata(axes))
    assert ydata(axes)[2] == [0.0, 1.0, 8.0, 27.0]


def test_plot_takes_one_x_per_curve_of_different_lengths():
    d2l.plot([[0, 1], [0, 1, 2]], [[5, 6], [7, 8, 9]])
    assert ydata(plt.gca()) == [[5, 6], [7, 8, 9]]


def test_plot_draws_each_row_of_a_2d_tensor_as_a_curve():
    d2l.plot(torch.arange(3), torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert ydata(plt.gca()) == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_plot_without_y_plots_against_the_index():
    d2l.plot(np.array([3.0, 1.0, 2.0]))
    axes = plt.gca()
    assert xdata(axes) == [[0, 1, 2]]
    assert ydata(axes) == [[3.0, 1.0, 2.0]]


def test_plot_treats_a_list_of_scalar_tensors_as_one_curve():
    losses = [torch.tensor(3.0), torch.tensor(2.0), torch.tensor(1.5)]
    d2l.plot(losses)
    assert len(plt.gca().get_lines()) == 1


def test_plot_raises_on_mismatched_numbers_of_series():
    with pytest.raises(ValueError, match="2 x-series for 3 y-series"):
        d2l.plot([[0, 1], [0, 1]], [[1, 2], [3, 4], [5, 6]])


def test_plot_draws_on_the_given_axes_and_makes_no_new_figure():
    fig, (left, right) = plt.subplots(1, 2)
    d2l.plot([0, 1], [[1, 2], [2, 1]], axes=right)
    assert plt.get_fignums() == [fig.number]
    assert len(right.get_lines()) == 2
    assert len(left.get_lines()) == 0


def test_plot_labels_and_adds_the_legend():
    d2l.plot([0, 1], [[1, 2], [2, 1]], xlabel="epoch", ylabel="loss", legend=["train", "test"])
    axes = plt.gca()
    assert axes.get_xlabel() == "epoch"
    assert axes.get_ylabel() == "loss"
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["train", "test"]


def test_plot_without_legend_adds_none():
    d2l.plot([0, 1], [1, 2])
    assert plt.gca().get_legend() is None


def test_plot_honours_scales_and_limits():
    d2l.plot([1, 10, 100], [1, 2, 3], xscale="log", yscale="log", xlim=(1, 100), ylim=(1, 3))
    axes = plt.gca()
    assert axes.get_xscale() == "log"
    assert axes.get_yscale() == "log"
    assert axes.get_xlim() == pytest.approx((1, 100))
    assert axes.get_ylim() == pytest.approx((1, 3))


def test_plot_cycles_through_the_formats():
    d2l.plot([0, 1], [[0, 1], [1, 2], [2, 3]], fmts=("r-", "b--"))
    colors = [line.get_color() for line in plt.gca().get_lines()]
    styles = [line.get_linestyle() for line in plt.gca().get_lines()]
    assert colors == ["r", "b", "r"]
    assert styles == ["-", "--", "-"]


def test_plot_makes_a_figure_of_the_requested_size():
    d2l.plot([0, 1], [0, 1], figsize=(5, 2))
    assert tuple(plt.gcf().get_size_inches()) == pytest.approx((5, 2))


def test_set_figsize_changes_the_default_size(monkeypatch):
    monkeypatch.setitem(plt.rcParams, "figure.figsize", [6.4, 4.8])
    d2l.set_figsize((4, 3))
    assert list(plt.rcParams["figure.figsize"]) == [4, 3]


def test_set_axes_sets_labels_scales_limits_and_grid():
    axes = plt.figure().gca()
    axes.plot([1, 2], [1, 2])
    d2l.set_axes(axes, "x", "y", (1, 2), (1, 4), "linear", "log", ["a"])
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("x", "y")
    assert axes.get_yscale() == "log"
    assert axes.get_ylim() == pytest.approx((1, 4))
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["a"]
    assert axes.xaxis.get_gridlines()[0].get_visible()


def test_use_svg_display_is_harmless_outside_jupyter(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib_inline", None)  # import fails
    d2l.use_svg_display()


def test_use_svg_display_asks_jupyter_for_svg(monkeypatch):
    asked = []
    backend = types.ModuleType("matplotlib_inline.backend_inline")
    backend.set_matplotlib_formats = lambda *formats: asked.extend(formats)
    package = types.ModuleType("matplotlib_inline")
    package.backend_inline = backend
    monkeypatch.setitem(sys.modules, "matplotlib_inline", package)
    monkeypatch.setitem(sys.modules, "matplotlib_inline.backend_inline", backend)
    d2l.use_svg_display()
    assert asked == ["svg"]
