"""Unit tests for the modern-CNN helpers in ``d2lsite.modern_cnn``."""

import contextlib
import io

import pytest
import torch
from torch import nn

import d2lsite as d2l


def tiny_images(n=16, seed=0):
    """``n`` random 1x8x8 images in [0, 1] and labels 0/1 set by the left half's brightness."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.rand(n, 1, 8, 8, generator=gen)
    y = (X[:, 0, :, :4].mean(dim=(1, 2)) > X[:, 0, :, 4:].mean(dim=(1, 2))).long()
    return X, y


def tiny_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))  # fmt: skip


# --- augment_batch ------------------------------------------------------------------


def shifted(image, dx, dy):
    """``image`` (C, H, W) moved dx pixels right and dy down, zeros moved in."""
    out = torch.zeros_like(image)
    _, H, W = image.shape
    out[:, max(dy, 0) : H + min(dy, 0), max(dx, 0) : W + min(dx, 0)] = image[
        :, max(-dy, 0) : H + min(-dy, 0), max(-dx, 0) : W + min(-dx, 0)
    ]
    return out


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_augment_batch_returns_each_image_flipped_and_or_shifted_in_its_dtype(dtype):
    torch.manual_seed(0)
    X = torch.rand(32, 1, 10, 10, dtype=dtype)
    Y = d2l.augment_batch(X, max_shift=2)
    assert Y.shape == X.shape and Y.dtype == dtype
    for x, y in zip(X, Y, strict=True):
        candidates = [
            shifted(img, dx, dy)
            for img in (x, x.flip(-1))
            for dx in range(-2, 3)
            for dy in range(-2, 3)
        ]
        assert any(torch.equal(y, c) for c in candidates)


def test_augment_batch_with_no_shift_only_mirrors():
    torch.manual_seed(1)
    X = torch.rand(64, 1, 6, 6)
    Y = d2l.augment_batch(X, max_shift=0)
    mirrored = [torch.equal(y, x.flip(-1)) for x, y in zip(X, Y, strict=True)]
    kept = [torch.equal(y, x) for x, y in zip(X, Y, strict=True)]
    assert all(m or k for m, k in zip(mirrored, kept, strict=True))
    assert 0 < sum(mirrored) < len(X)  # some of each, with probability 1 - 2^-63


def test_augment_batch_refuses_integer_images_with_advice():
    X = torch.zeros(2, 1, 4, 4, dtype=torch.uint8)
    with pytest.raises(TypeError, match="float images.*uint8.*divide by 255"):
        d2l.augment_batch(X)


@pytest.mark.parametrize(
    "X, max_shift, message",
    [
        (torch.zeros(1, 4, 4), 2, r"\(B, C, H, W\)"),
        (torch.zeros(1, 1, 4, 4), -1, "max_shift"),
        (torch.zeros(1, 1, 4, 4), 1.5, "max_shift"),
    ],  # fmt: skip
)
def test_augment_batch_names_a_bad_shape_or_shift(X, max_shift, message):
    with pytest.raises(ValueError, match=message):
        d2l.augment_batch(X, max_shift)


# --- layer_summary --------------------------------------------------------------------


def test_layer_summary_totals_match_the_network_on_the_meta_device():
    with torch.device("meta"):
        net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Flatten(),
                            nn.Linear(8 * 5 * 5, 10))  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()) as out:
        params, macs = d2l.layer_summary(net, (1, 5, 5))
    assert params == (9 * 8 + 8) + (200 * 10 + 10)
    assert macs == 9 * 8 * 25 + 200 * 10  # conv: k^2 c_in c_out h w; dense: n_in n_out
    lines = out.getvalue().splitlines()
    assert "(1, 10)" in lines[-2] and f"{macs:,}" in lines[-1]


def test_layer_summary_refuses_a_shape_that_is_not_positive_whole_numbers():
    with pytest.raises(ValueError, match="input_shape"):
        d2l.layer_summary(tiny_net(), (1, 0, 8))


# --- train_ch7 ------------------------------------------------------------------------


def test_train_ch7_keeps_the_momentum_it_is_given_while_the_learning_rate_cycles():
    torch.manual_seed(0)
    X, y = tiny_images()
    train_iter = [(X[i : i + 4], y[i : i + 4]) for i in range(0, 16, 4)]
    net = tiny_net()
    momenta, rates = [], []
    original_step = torch.optim.SGD.step

    def spy(self, *args, **kwargs):
        momenta.append(self.param_groups[0]["momentum"])
        rates.append(self.param_groups[0]["lr"])
        return original_step(self, *args, **kwargs)

    torch.optim.SGD.step = spy
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            history = d2l.train_ch7(net, train_iter, train_iter, 3, 0.1, momentum=0.8,
                                    device="cpu")  # fmt: skip
    finally:
        torch.optim.SGD.step = original_step
    assert set(momenta) == {0.8}  # OneCycleLR's momentum cycle is off
    assert rates[0] == pytest.approx(0.1 / 25)  # one-cycle: starts at lr / 25,
    assert 0.08 < max(rates) <= 0.1 + 1e-12  # rises to near the peak lr,
    assert rates[-1] < rates[0] / 2  # and ends far below where it started
    assert len(history.test_acc) == 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": 0.0}, "lr"),
        ({"lr": True}, "lr"),
        ({"momentum": 1.0}, "momentum"),
        ({"weight_decay": -1e-4}, "weight_decay"),
        ({"num_epochs": 0}, "num_epochs"),
    ],  # fmt: skip
)
def test_train_ch7_names_a_nonsense_hyperparameter(kwargs, message):
    X, y = tiny_images()
    args = {"num_epochs": 1, "lr": 0.1, **kwargs}
    with pytest.raises(ValueError, match=message):
        d2l.train_ch7(tiny_net(), [(X, y)], [(X, y)], device="cpu", **args)


def test_train_ch7_stops_at_a_diverging_loss_naming_the_epoch():
    X, y = tiny_images()
    net = tiny_net()
    with torch.no_grad():
        net[-1].bias.fill_(float("nan"))
    with pytest.raises(FloatingPointError, match="epoch 1: the loss of minibatch 1"):
        with contextlib.redirect_stdout(io.StringIO()):
            d2l.train_ch7(net, [(X, y)], [(X, y)], 1, 0.1, init=False, device="cpu")


# --- Residual -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "c_in, c_out, stride, shape",
    [(8, 8, 1, (2, 8, 6, 6)), (8, 16, 2, (2, 16, 3, 3)), (8, 16, 1, (2, 16, 6, 6))],
)
def test_residual_block_output_shape_and_shortcut(c_in, c_out, stride, shape):
    block = d2l.Residual(c_in, c_out, stride)
    assert block(torch.randn(2, c_in, 6, 6)).shape == shape
    assert isinstance(block.shortcut, nn.Identity) == (c_in == c_out and stride == 1)


@pytest.mark.parametrize("args", [(0, 8), (8, 8, 0), (8.0, 8), (8, True)])
def test_residual_block_refuses_sizes_that_are_not_positive_whole_numbers(args):
    with pytest.raises(ValueError, match="positive whole number"):
        d2l.Residual(*args)


# --- the same kind: helpers make their tensors where, and as what, their inputs are -----


def test_layer_summary_runs_a_double_precision_network():
    net = tiny_net().double()
    with contextlib.redirect_stdout(io.StringIO()):
        params, _ = d2l.layer_summary(net, (1, 8, 8))
    assert params == sum(p.numel() for p in net.parameters())


def test_corr2d_keeps_double_precision_and_matches_conv2d():
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(6, 7, generator=gen, dtype=torch.float64)
    K = torch.randn(2, 3, generator=gen, dtype=torch.float64)
    Y = d2l.corr2d(X, K)
    expected = torch.nn.functional.conv2d(X[None, None], K[None, None])[0, 0]
    assert Y.dtype == torch.float64
    assert torch.allclose(Y, expected, atol=1e-12)
