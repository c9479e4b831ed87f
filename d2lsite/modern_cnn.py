"""Modern convolutional networks: shape walks with their cost, augmentation, the training loop."""

from collections.abc import Callable, Iterable, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import d2lsite as d2l

__all__ = ["Residual", "augment_batch", "layer_summary", "train_ch7"]

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def layer_summary(net: nn.Sequential, input_shape: Sequence[int]) -> tuple[int, int]:
    """Print the shape walk of ``net``: each top-level layer's output shape, parameters and MACs.

    ``input_shape`` is the shape of one example, e.g. ``(1, 224, 224)``; one
    example of zeros, on the device and in the dtype of ``net``'s first
    parameter (the ``meta`` device for a network built there), goes through
    ``net`` in evaluation mode, without gradients. MACs are multiply-accumulates, counted by torch's
    ``FlopCounterMode`` (which counts convolutions and matrix products, not
    normalization, pooling or activations) and halved. Returns
    ``(parameters, macs)`` of the whole network. Raises ``ValueError`` when
    ``input_shape`` is not a sequence of positive whole numbers.

    Defined in ``modern-cnn/alexnet.md``.
    """
    if not all(type(s) is int and s > 0 for s in input_shape):
        raise ValueError(f"input_shape must hold positive whole numbers, got {input_shape!r}")
    was_training = net.training
    net.eval()
    first = next(net.parameters(), torch.zeros(()))  # a network may have no parameters
    X = first.new_zeros(1, *input_shape)  # on the network's device (meta too), in its dtype
    total_macs = 0
    print(f"{'layer':<22}{'output shape':<20}{'parameters':>12}{'MACs':>16}")
    with torch.no_grad():
        for name, layer in net.named_children():
            counter = FlopCounterMode(display=False)
            with counter:
                X = layer(X)
            macs = counter.get_total_flops() // 2
            params = sum(p.numel() for p in layer.parameters())
            kind = f"{name}: {type(layer).__name__}"
            print(f"{kind:<22}{str(tuple(X.shape)):<20}{params:>12,}{macs:>16,}")
            total_macs += macs
    net.train(was_training)
    total_params = sum(p.numel() for p in net.parameters())
    print(f"{'total':<42}{total_params:>12,}{total_macs:>16,}")
    return total_params, total_macs


def augment_batch(X: torch.Tensor, max_shift: int = 2) -> torch.Tensor:
    """A randomly flipped and shifted copy of the image batch ``X``.

    ``X`` has shape (B, C, H, W) and a floating-point dtype, which the
    result keeps. Each image is mirrored left to right with probability 1/2
    and moved by a whole number of pixels, drawn uniformly from
    ``-max_shift`` to ``max_shift`` in each direction; the pixels moved in
    are zero. Draws from torch's global generator, on ``X``'s device.
    Raises ``ValueError`` for an ``X`` that is not 4-D or a ``max_shift``
    that is not a whole number >= 0, and ``TypeError`` for integer images
    (e.g. ``uint8`` pixels: divide by 255 first).

    Defined in ``modern-cnn/alexnet.md``.
    """
    if X.ndim != 4:
        raise ValueError(f"augment_batch() needs images (B, C, H, W), got shape {tuple(X.shape)}")
    if type(max_shift) is not int or max_shift < 0:
        raise ValueError(f"max_shift must be a whole number >= 0, got {max_shift!r}")
    if not X.is_floating_point():
        raise TypeError(f"augment_batch() needs float images, got {X.dtype}; divide by 255 first")
    B, _, H, W = X.shape
    flip = torch.randint(0, 2, (B,), device=X.device) * 2 - 1  # -1 mirrors, 1 keeps
    shift = torch.randint(-max_shift, max_shift + 1, (B, 2), device=X.device)
    theta = torch.zeros(B, 2, 3, device=X.device, dtype=X.dtype)
    theta[:, 0, 0], theta[:, 1, 1] = flip, 1  # grid x -> flip * x: a mirror when -1
    theta[:, 0, 2] = -2 * shift[:, 0] / W  # grid coordinates run from -1 to 1,
    theta[:, 1, 2] = -2 * shift[:, 1] / H  # so one pixel is 2 / W of them
    grid = F.affine_grid(theta, list(X.shape), align_corners=False)
    return F.grid_sample(X, grid, mode="nearest", padding_mode="zeros", align_corners=False)


def train_ch7(
    net: nn.Module,
    train_iter: Batches,
    test_iter: Batches,
    num_epochs: int,
    lr: float,
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    init: bool = True,
    device: torch.device | str | None = None,
) -> "d2l.History":
    """Train a classifier with SGD, momentum, weight decay and a one-cycle schedule.

    The learning rate follows ``torch.optim.lr_scheduler.OneCycleLR``: it
    rises from ``lr / 25`` to the peak ``lr`` over the first 30% of the
    minibatches, then falls to nearly zero. ``momentum`` and ``weight_decay``
    go to ``torch.optim.SGD`` and stay fixed (the scheduler's own momentum
    cycle is switched off, so ``momentum`` is the value used). ``augment``
    (optional) maps each training minibatch of images to a new one, e.g.
    ``d2l.augment_batch``; test images are never augmented. ``device``
    defaults to ``d2l.try_gpu()``. With ``init=True`` the weights of every ``nn.Conv2d``
    and ``nn.Linear`` are first drawn with He (Kaiming) normal initialization
    for ReLU and their biases set to zero; ``init=False`` keeps the network's
    own. Logs every epoch as ``train_ch6`` does and prints the final
    ``loss ..., train acc ..., test acc ...`` line and the training speed in
    examples per second (training minibatches only, evaluation excluded).
    Returns a ``d2l.History``. Raises ``ValueError`` for a ``num_epochs``
    that is not a positive whole number, an ``lr`` that is not > 0, a
    ``momentum`` outside [0, 1) or a negative ``weight_decay``, and
    ``FloatingPointError`` (naming the epoch and minibatch) when the loss
    diverges.

    Defined in ``modern-cnn/alexnet.md``.
    """
    if type(num_epochs) is not int or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
    for name, value, rule, valid in (
        ("lr", lr, "> 0", lambda v: v > 0),
        ("momentum", momentum, "in [0, 1)", lambda v: 0 <= v < 1),
        ("weight_decay", weight_decay, ">= 0", lambda v: v >= 0),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not valid(value):
            raise ValueError(f"{name} must be a number {rule}, got {value!r}")
    device = torch.device(device) if device is not None else d2l.try_gpu()

    def init_weights(m):
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    if init:
        net.apply(init_weights)
    net.to(device)
    print("training on", device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum,
                                weight_decay=weight_decay)  # fmt: skip
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer,
        max_lr=lr,
        epochs=num_epochs,
        steps_per_epoch=len(train_iter),
        cycle_momentum=False,  # keep the momentum we chose; only the learning rate moves
    )
    animator = d2l.Animator(xlabel="epoch", ylabel="loss / accuracy",
                            xlim=[1, max(num_epochs, 2)],
                            legend=["train loss", "train acc", "test acc"])  # fmt: skip
    history, timer = d2l.History(), d2l.Timer()
    num_examples = 0
    for epoch in range(1, num_epochs + 1):
        net.train()
        metric = d2l.Accumulator(3)  # sum of losses, correct predictions, examples
        timer.start()
        for i, (X, y) in enumerate(train_iter):
            X, y = X.to(device), y.to(device)
            if augment is not None:
                X = augment(X)
            y_hat = net(X)
            loss = F.cross_entropy(y_hat, y)
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"epoch {epoch}: the loss of minibatch {i + 1} is {loss.item()}: training "
                    "diverged. The usual cause is a learning rate that is too large; try a "
                    "smaller one."
                )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            metric.add(loss.item() * len(y), d2l.accuracy(y_hat, y), len(y))
        timer.stop()
        num_examples += metric[2]
        train_loss, train_acc = metric[0] / metric[2], metric[1] / metric[2]
        test_acc = d2l.evaluate_accuracy_gpu(net, test_iter, device)
        animator.add(epoch, (train_loss, train_acc, test_acc))
        history.add(train_loss, train_acc, test_acc)
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    print(f"{num_examples / timer.sum():.1f} examples/sec on {device}")
    return history


class Residual(nn.Module):
    """ResNet's basic residual block: ``ReLU(shortcut(X) + G(X))``.

    ``G`` is a 3x3 convolution from ``in_channels`` to ``out_channels`` with
    stride ``stride`` and padding 1, batch normalization, ReLU, a second 3x3
    convolution (stride 1, padding 1) and batch normalization; the
    convolutions have no bias. The shortcut is the identity when
    ``stride == 1`` and ``in_channels == out_channels``, else a 1x1
    convolution with stride ``stride`` followed by batch normalization. Input
    ``X`` of shape (B, in_channels, H, W), float; output of shape
    (B, out_channels, (H - 1) // stride + 1, (W - 1) // stride + 1). Raises
    ``ValueError`` when ``in_channels``, ``out_channels`` or ``stride`` is
    not a positive whole number.

    Defined in ``modern-cnn/resnet.md``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("stride", stride)):  # fmt: skip
            if type(value) is not int or value < 1:
                raise ValueError(f"Residual: {name} must be a positive whole number, got {value!r}")
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if stride == 1 and in_channels == out_channels:
            self.shortcut: nn.Module = nn.Identity()
        else:  # a 1x1 convolution gives x the shape of g(x)
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        G = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(X)))))
        return F.relu(self.shortcut(X) + G)
