"""The optimization chapter's helpers: airfoil data, training loops, 2-D traces, torch checks."""

import matplotlib
import pytest
import torch

import d2lsite as d2l

matplotlib.use("Agg")


def sgd(params, states, hyperparams):
    with torch.no_grad():
        for p in params:
            p -= hyperparams["lr"] * p.grad
            p.grad.zero_()


def test_get_data_ch11_standardizes_and_batches():
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=100)
    X, y = next(iter(data_iter))
    assert feature_dim == 5 and X.shape == (100, 5) and y.shape == (100,)
    assert X.dtype == torch.float32 and len(data_iter) == 15
    features, labels = data_iter.dataset.tensors
    assert len(features) == 1500
    assert features.mean(dim=0).abs().max() < 0.05  # standardized over 1503, first 1500 kept
    assert (features.std(dim=0) - 1).abs().max() < 0.05
    assert labels.mean().abs() < 0.05


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"n": 0}, "n must be"),
        ({"n": 1504}, "n must be"),
    ],
)
def test_get_data_ch11_rejects_bad_sizes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        d2l.get_data_ch11(**kwargs)


def test_train_ch11_reaches_the_known_loss(capsys):
    torch.manual_seed(0)
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=100)
    epochs, seconds, losses = d2l.train_ch11(
        sgd, None, {"lr": 0.4}, data_iter, feature_dim, num_epochs=2, plot=False
    )
    assert len(epochs) == len(seconds) == len(losses) == 15  # every 200 of 3000 examples
    assert epochs[-1] == 2 and seconds == sorted(seconds)
    assert 0.235 < losses[-1] < 0.26
    assert capsys.readouterr().out.startswith("loss ")


def test_train_ch11_stops_on_divergence_and_bad_epochs():
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        d2l.train_ch11(sgd, None, {"lr": 10.0}, data_iter, feature_dim, plot=False)
    with pytest.raises(ValueError, match="num_epochs"):
        d2l.train_ch11(sgd, None, {"lr": 0.1}, data_iter, feature_dim, num_epochs=0)


def test_train_concise_ch11_matches_the_scratch_loss():
    torch.manual_seed(0)
    data_iter, _ = d2l.get_data_ch11(batch_size=10)
    _, _, losses = d2l.train_concise_ch11(torch.optim.SGD, {"lr": 0.05}, data_iter, 2, False)
    assert 0.235 < losses[-1] < 0.26


def test_compare_with_torch_tells_same_from_different():
    same = d2l.compare_with_torch(sgd, lambda d: None, {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1})
    different = d2l.compare_with_torch(
        sgd, lambda d: None, {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1, "momentum": 0.5}
    )
    assert same < 1e-12 < 1e-3 < different
    assert torch.get_default_dtype() == torch.float32  # restored


def test_train_2d_returns_the_path_and_checks_its_input(capsys):
    path = d2l.train_2d(lambda x1, x2, s1, s2: (x1 / 2, x2 / 2, s1, s2), steps=3)
    assert path == [(-5.0, -2.0), (-2.5, -1.0), (-1.25, -0.5), (-0.625, -0.25)]
    assert "step 3" in capsys.readouterr().out
    with pytest.raises(ValueError, match="steps"):
        d2l.train_2d(lambda *a: a, steps=0)
    with pytest.raises(FloatingPointError, match="diverged"):
        d2l.train_2d(lambda x1, x2, s1, s2: (x1 * 1e300, x2, s1, s2), steps=5)


def test_show_trace_2d_draws_contours_and_path():
    from matplotlib import pyplot as plt

    d2l.show_trace_2d(lambda x1, x2: x1**2 + x2**2, [(-1.0, 1.0), (0.0, 0.5), (0.0, 0.0)])
    axes = plt.gca()
    assert axes.get_xlabel() == "x1" and axes.get_ylabel() == "x2"
    assert len(axes.lines) == 1 and len(axes.lines[0].get_xdata()) == 3
    plt.close("all")
