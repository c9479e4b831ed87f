"""Unit tests for the classification training helpers in ``d2lsite.training``."""

import re
import sys
import types

import pytest
import torch
from matplotlib import pyplot as plt
from torch import nn

import d2lsite as d2l

FINAL_LINE = re.compile(r"^loss \d+\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}$")


def blobs(n_per_class=60, seed=0):
    """Three well-separated Gaussian clusters in the plane, labels 0, 1, 2."""
    gen = torch.Generator().manual_seed(seed)
    centers = torch.tensor([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]])
    X = torch.cat([c + torch.randn(n_per_class, 2, generator=gen) for c in centers])
    y = torch.arange(3).repeat_interleave(n_per_class)
    perm = torch.randperm(len(y), generator=gen)
    return X[perm], y[perm]


def batches(X, y, batch_size):
    """A re-iterable list of (X, y) minibatches, like a DataLoader without shuffling."""
    return [(X[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(y), batch_size)]


@pytest.fixture
def problem():
    torch.manual_seed(0)
    X, y = blobs()
    train_iter = batches(X[:120], y[:120], 16)
    test_iter = batches(X[120:], y[120:], 16)
    return train_iter, test_iter


# --- accuracy -------------------------------------------------------------------


def test_accuracy_counts_rows_whose_largest_score_is_the_label():
    y_hat = torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3]])
    y = torch.tensor([1, 0, 0, 2])
    assert d2l.accuracy(y_hat, y) == 2.0


def test_accuracy_accepts_predicted_labels():
    assert d2l.accuracy(torch.tensor([2, 0, 1]), torch.tensor([2, 1, 1])) == 2.0


def test_accuracy_rejects_scores_and_labels_of_different_lengths():
    with pytest.raises(ValueError, match=r"y_hat \(4,\) and y \(3,\)"):
        d2l.accuracy(torch.rand(4, 3), torch.tensor([0, 1, 2]))


# --- Accumulator ----------------------------------------------------------------


def test_accumulator_keeps_one_running_sum_per_slot_and_resets():
    metric = d2l.Accumulator(3)
    metric.add(1, 2.5, torch.tensor(3))
    metric.add(1, 0.5, 4)
    assert [metric[0], metric[1], metric[2]] == [2.0, 3.0, 7.0]
    metric.reset()
    assert metric.data == [0.0, 0.0, 0.0]


def test_accumulator_rejects_the_wrong_number_of_values():
    metric = d2l.Accumulator(2)
    with pytest.raises(ValueError, match="keeps 2 sums, but add\\(\\) got 3"):
        metric.add(1, 2, 3)


# --- evaluate_accuracy ----------------------------------------------------------


def test_evaluate_accuracy_weighs_every_example_not_every_batch():
    def predict_zero(X):  # scores that always pick class 0
        return torch.tensor([[1.0, 0.0]]).repeat(len(X), 1)

    # batch 1: 3 of 3 correct; batch 2: 0 of 1 correct -> 3/4, not the batch mean 1/2
    data_iter = [
        (torch.zeros(3, 5), torch.tensor([0, 0, 0])),
        (torch.zeros(1, 5), torch.tensor([1])),
    ]
    assert d2l.evaluate_accuracy(predict_zero, data_iter) == pytest.approx(0.75)


def test_evaluate_accuracy_puts_a_module_in_eval_mode_without_gradients():
    net = nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.5))
    net.train()
    data_iter = [(torch.ones(8, 4), torch.zeros(8, dtype=torch.long))]
    first = d2l.evaluate_accuracy(net, data_iter)
    assert net.training  # the caller's mode is restored
    assert first == d2l.evaluate_accuracy(net, data_iter)  # no dropout noise
    assert all(p.grad is None for p in net.parameters())


def test_evaluate_accuracy_leaves_a_module_in_eval_mode_if_it_was():
    net = nn.Sequential(nn.Linear(4, 2))
    net.eval()
    d2l.evaluate_accuracy(net, [(torch.ones(8, 4), torch.zeros(8, dtype=torch.long))])
    assert not net.training


def test_evaluate_accuracy_rejects_an_empty_iterator():
    with pytest.raises(ValueError, match="no examples"):
        d2l.evaluate_accuracy(lambda X: X, [])


# --- train_epoch_ch3 and train_ch3 ----------------------------------------------


def test_train_epoch_returns_the_mean_loss_and_accuracy_over_examples():
    net = nn.Linear(2, 3)
    nn.init.zeros_(net.weight)
    nn.init.zeros_(net.bias)
    X, y = blobs(n_per_class=5)
    data_iter = batches(X, y, 4)  # uneven last batch: 15 = 4 + 4 + 4 + 3
    loss = nn.CrossEntropyLoss(reduction="none")
    train_loss, train_acc = d2l.train_epoch_ch3(net, data_iter, loss, lambda n: None)
    # All-zero scores: every class has probability 1/3, and the argmax is class 0.
    assert train_loss == pytest.approx(torch.log(torch.tensor(3.0)).item(), rel=1e-5)
    assert train_acc == pytest.approx(5 / 15)


def test_train_epoch_calls_a_custom_updater_with_each_batch_size():
    sizes = []
    net = nn.Linear(2, 3)
    X, y = blobs(n_per_class=5)
    loss = nn.CrossEntropyLoss(reduction="none")
    d2l.train_epoch_ch3(net, batches(X, y, 4), loss, sizes.append)
    assert sizes == [4, 4, 4, 3]
    assert net.weight.grad is not None and net.weight.grad.abs().sum() > 0


def test_train_ch3_with_a_torch_optimizer_learns_a_separable_problem(problem, capsys):
    train_iter, test_iter = problem
    net = nn.Linear(2, 3)
    loss = nn.CrossEntropyLoss(reduction="none")
    before = d2l.evaluate_accuracy(net, test_iter)
    d2l.train_ch3(net, train_iter, test_iter, loss, 5, torch.optim.SGD(net.parameters(), lr=0.1))
    after = d2l.evaluate_accuracy(net, test_iter)
    assert before < 0.7 and after >= 0.95, (before, after)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert [line.split(",")[0] for line in lines[:5]] == [f"epoch {i}" for i in range(1, 6)]
    assert FINAL_LINE.match(lines[-1]), lines[-1]
    test_acc = float(lines[-1].rsplit(" ", 1)[1])
    assert test_acc == pytest.approx(after, abs=5e-4)


def test_train_ch3_with_the_scratch_sgd_updater_learns_a_separable_problem(problem, capsys):
    train_iter, test_iter = problem
    W = torch.normal(0, 0.01, size=(2, 3), requires_grad=True)
    b = torch.zeros(3, requires_grad=True)

    def net(X):
        return X @ W + b

    def loss(y_hat, y):
        return -torch.log_softmax(y_hat, dim=1)[range(len(y)), y]

    d2l.train_ch3(net, train_iter, test_iter, loss, 3, lambda n: d2l.sgd([W, b], 0.1, n))
    assert d2l.evaluate_accuracy(net, test_iter) >= 0.95
    out = capsys.readouterr().out.splitlines()
    assert FINAL_LINE.match(out[-1]) and len(out) == 4


def test_train_ch3_leaves_one_figure_with_three_curves(problem, capsys):
    train_iter, test_iter = problem
    net = nn.Linear(2, 3)
    loss = nn.CrossEntropyLoss(reduction="none")
    d2l.train_ch3(net, train_iter, test_iter, loss, 4, torch.optim.SGD(net.parameters(), lr=0.1))
    assert len(plt.get_fignums()) == 1
    axes = plt.gcf().axes[0]
    assert [len(line.get_xdata()) for line in axes.get_lines()] == [4, 4, 4]
    assert [t.get_text() for t in axes.get_legend().get_texts()] == [
        "train loss",
        "train acc",
        "test acc",
    ]


@pytest.mark.parametrize("num_epochs", [0, -3, 2.5])
def test_train_ch3_rejects_a_num_epochs_that_is_not_a_positive_whole_number(problem, num_epochs):
    train_iter, test_iter = problem
    net = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="num_epochs must be a positive whole number"):
        d2l.train_ch3(
            net,
            train_iter,
            test_iter,
            nn.CrossEntropyLoss(reduction="none"),
            num_epochs,
            torch.optim.SGD(net.parameters(), lr=0.1),
        )


def test_train_epoch_rejects_a_loss_already_averaged_over_the_batch(problem):
    train_iter, _ = problem
    net = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="reduction='none'"):
        d2l.train_epoch_ch3(
            net, train_iter, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.1)
        )


def test_train_epoch_rejects_an_updater_that_is_neither_optimizer_nor_function(problem):
    train_iter, _ = problem
    with pytest.raises(TypeError, match="updater must be a torch.optim optimizer"):
        d2l.train_epoch_ch3(nn.Linear(2, 3), train_iter, nn.CrossEntropyLoss(reduction="none"), 0.1)


# --- Animator -------------------------------------------------------------------


def test_animator_outside_a_notebook_redraws_one_figure_and_prints_each_point(capsys):
    animator = d2l.Animator(xlabel="epoch", legend=["loss", "acc"])
    animator.add(1, (0.9, 0.5))
    animator.add(2, (0.6, None))  # None: no point on that curve
    animator.add(3, (0.4, 0.8))
    assert plt.get_fignums() == [animator.fig.number]
    assert [list(line.get_ydata()) for line in animator.axes.get_lines()] == [
        [0.9, 0.6, 0.4],
        [0.5, 0.8],
    ]
    assert animator.axes.get_xlabel() == "epoch"
    assert capsys.readouterr().out.splitlines() == [
        "epoch 1, loss 0.900, acc 0.500",
        "epoch 2, loss 0.600",
        "epoch 3, loss 0.400, acc 0.800",
    ]


def test_animator_names_unlabelled_curves_in_its_text_lines(capsys):
    animator = d2l.Animator()
    animator.add(0.5, (1, 2))
    assert capsys.readouterr().out == "x 0.5, y0 1.000, y1 2.000\n"


def test_animator_rejects_a_point_with_the_wrong_number_of_values():
    animator = d2l.Animator(legend=["a", "b"])
    animator.add(1, (0.1, 0.2))
    with pytest.raises(ValueError, match="draws 2 curves, got 3 values"):
        animator.add(2, (0.1, 0.2, 0.3))


def test_animator_in_a_notebook_draws_in_place_and_prints_nothing(monkeypatch, capsys):
    calls = []
    display = types.SimpleNamespace(
        display=lambda fig: calls.append(("display", fig)),
        clear_output=lambda wait: calls.append(("clear", wait)),
    )
    kernel_shell = types.SimpleNamespace(kernel=object())
    fake_ipython = types.ModuleType("IPython")
    fake_ipython.display = display
    fake_ipython.get_ipython = lambda: kernel_shell
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)
    animator = d2l.Animator(legend=["loss"])
    animator.add(1, (0.5,))
    animator.add(2, (0.4,))
    assert calls == [("display", animator.fig), ("clear", True)] * 2
    assert capsys.readouterr().out == ""


def test_animator_in_a_terminal_ipython_without_a_kernel_prints_lines(monkeypatch, capsys):
    fake_ipython = types.ModuleType("IPython")
    fake_ipython.display = None
    fake_ipython.get_ipython = lambda: types.SimpleNamespace()  # no kernel attribute
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)
    d2l.Animator(legend=["loss"]).add(1, (0.5,))
    assert capsys.readouterr().out == "x 1, loss 0.500\n"


# --- predict_ch3 ----------------------------------------------------------------


def test_predict_ch3_titles_each_image_with_true_then_predicted_label(monkeypatch):
    shown = {}

    def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
        shown.update(shape=tuple(imgs.shape), rows=num_rows, cols=num_cols, titles=titles)

    monkeypatch.setattr(d2l, "show_images", show_images, raising=False)
    monkeypatch.setattr(
        d2l, "get_fashion_mnist_labels", lambda ys: [f"c{int(i)}" for i in ys], raising=False
    )

    def net(X):  # predicts class 3 for every image
        return torch.nn.functional.one_hot(torch.full((len(X),), 3), 10).float()

    test_iter = [(torch.rand(8, 1, 28, 28), torch.tensor([3, 1, 4, 1, 5, 9, 2, 6]))]
    d2l.predict_ch3(net, test_iter, n=4)
    assert shown == {
        "shape": (4, 1, 28, 28),
        "rows": 1,
        "cols": 4,
        "titles": ["c3\nc3", "c1\nc3", "c4\nc3", "c1\nc3"],
    }


def test_predict_ch3_rejects_a_nonpositive_number_of_images():
    with pytest.raises(ValueError, match="n >= 1"):
        d2l.predict_ch3(lambda X: X, [], n=0)


# --- issue 13: degenerate sizes, modes, divergence, scalars, histories ----------


def test_accuracy_of_one_logit_per_example_thresholds_at_zero():
    y_hat = torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    assert d2l.accuracy(y_hat, torch.tensor([1, 0, 1, 1])) == 3.0
    assert d2l.accuracy(torch.tensor([[-2.0], [0.5]]), torch.tensor([0, 1])) == 2.0


def test_a_perfect_logistic_regression_net_gets_accuracy_one():
    X = torch.linspace(-1, 1, 50).reshape(-1, 1)
    y = (X[:, 0] > 0).long()
    net = nn.Linear(1, 1)
    with torch.no_grad():
        net.weight.fill_(10.0)
        net.bias.zero_()
    assert d2l.evaluate_accuracy(net, [(X, y)]) == 1.0


def test_accuracy_accepts_a_column_of_labels():
    y_hat = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    assert d2l.accuracy(y_hat, torch.tensor([[0], [1], [1]])) == 2.0


def test_accuracy_of_an_empty_batch_is_zero_correct():
    assert d2l.accuracy(torch.zeros(0, 10), torch.zeros(0, dtype=torch.long)) == 0.0


def test_predict_ch3_uses_eval_mode_and_restores_training_mode(monkeypatch):
    monkeypatch.setattr(d2l, "show_images", lambda *a, **k: None)
    titles = []
    monkeypatch.setattr(d2l, "get_fashion_mnist_labels", lambda ys: titles.append(list(ys)) or [
        str(int(v)) for v in ys])  # fmt: skip
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Dropout(0.9), nn.Linear(4, 10))
    net.train()
    data = [(torch.rand(6, 1, 2, 2), torch.zeros(6, dtype=torch.long))]
    d2l.predict_ch3(net, data)
    d2l.predict_ch3(net, data)
    assert titles[1] == titles[3]  # the same predictions on each call: no dropout
    assert net.training


def diverging_problem():
    X = torch.ones(8, 2)
    y = torch.zeros(8, dtype=torch.long)
    net = nn.Linear(2, 2)

    def loss(y_hat, y):  # a hand-written cross-entropy that overflows
        return -torch.log(torch.exp(y_hat)[range(len(y)), y] / torch.exp(y_hat).sum(1))

    return net, [(X, y)] * 3, loss


def test_train_ch3_stops_at_the_first_non_finite_loss_and_names_epoch_and_batch(capsys):
    net, data, loss = diverging_problem()
    with torch.no_grad():
        net.weight.fill_(1e3)  # exp(2000) overflows: the very first loss is nan
    before = net.weight.clone()
    updater = torch.optim.SGD(net.parameters(), lr=0.1)
    with pytest.raises(FloatingPointError, match=r"epoch 1: the loss of minibatch 1 .*smaller"):
        d2l.train_ch3(net, data, data, loss, 5, updater)
    assert torch.equal(net.weight, before)  # stopped before the update


def test_train_ch3_returns_a_history_with_one_entry_per_epoch(problem, capsys):
    train_iter, test_iter = problem
    net = nn.Linear(2, 3)
    updater = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss(reduction="none")
    history = d2l.train_ch3(net, train_iter, test_iter, loss, 3, updater)
    assert len(history.train_loss) == len(history.train_acc) == len(history.test_acc) == 3
    assert history.test_acc[-1] == d2l.evaluate_accuracy(net, test_iter)
    assert "\n" not in repr(history) and repr(history).startswith("History(3 epochs")


def test_one_epoch_and_one_example_train_without_warnings(problem, capsys):
    import warnings

    X, y = blobs(n_per_class=1)
    data = [(X[:1], y[:1])]
    net = nn.Linear(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d2l.train_ch3(net, data, data, nn.CrossEntropyLoss(reduction="none"), 1,
                      torch.optim.SGD(net.parameters(), lr=0.1))  # fmt: skip


@pytest.mark.parametrize("ys", [0.5, torch.tensor(0.5), [0.5], (0.5,), torch.tensor([0.5])])
def test_animator_add_accepts_a_scalar_a_0d_tensor_or_a_list_for_one_curve(ys, capsys):
    animator = d2l.Animator(legend=["y"])
    animator.add(1, ys)
    animator.add(2, ys)
    assert animator.Y == [[0.5, 0.5]]
    assert capsys.readouterr().out.splitlines()[-1] == "x 2, y 0.500"


def test_train_ch6_trains_on_the_given_device_and_returns_a_history(problem, capsys):
    train_iter, test_iter = problem
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    history = d2l.train_ch6(net, train_iter, test_iter, 5, 0.5, device="cpu")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "training on cpu"
    assert FINAL_LINE.match(out[-2]) and out[-1].endswith("examples/sec on cpu")
    assert history.test_acc[-1] >= 0.95


@pytest.mark.parametrize("kwargs", [{"num_epochs": 0}, {"num_epochs": True}, {"lr": 0},
                                    {"lr": "0.1"}, {"lr": -1.0}])  # fmt: skip
def test_train_ch6_names_a_nonsense_hyperparameter(problem, kwargs):
    args = {"num_epochs": 1, "lr": 0.1, **kwargs}
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        d2l.train_ch6(nn.Linear(2, 3), *problem, device="cpu", **args)


def test_evaluate_accuracy_gpu_moves_batches_to_the_net_device():
    net = nn.Linear(2, 2)
    data = [(torch.ones(4, 2), torch.zeros(4, dtype=torch.long))]
    assert 0.0 <= d2l.evaluate_accuracy_gpu(net, data) <= 1.0
