"""Training classifiers: counting correct predictions, the training loops, live curves."""

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch
from matplotlib import pyplot as plt
from torch import nn

import d2lsite as d2l

__all__ = [
    "Accumulator",
    "Animator",
    "History",
    "accuracy",
    "evaluate_accuracy",
    "evaluate_accuracy_gpu",
    "predict_ch3",
    "train_ch3",
    "train_ch6",
    "train_epoch_ch3",
]

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
Updater = torch.optim.Optimizer | Callable[[int], object]


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Count the examples whose prediction equals the label.

    ``y_hat`` holds either scores, shape ``(n, q)`` with ``q >= 2``, whose
    largest entry in each row is the prediction; or one logit per example,
    shape ``(n, 1)``, predicting class 1 where it is positive (a sigmoid
    probability above 0.5); or predicted labels, shape ``(n,)``. ``y`` holds
    the ``n`` true labels, shape ``(n,)`` or ``(n, 1)``. Returns the number
    correct (a float), not the fraction. Raises ``ValueError`` when the shapes
    do not match.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # a column of labels
    if y_hat.ndim == 2 and y_hat.shape[1] == 1:
        y_hat = (y_hat[:, 0] > 0).long()  # one logit: class 1 where sigmoid(logit) > 0.5
    elif y_hat.ndim == 2:
        y_hat = y_hat.argmax(dim=1)  # scores -> predicted classes
    if y_hat.shape != y.shape:
        raise ValueError(
            f"accuracy() needs y_hat of shape (n, q) or (n,) for labels y of shape (n,); "
            f"got y_hat {tuple(y_hat.shape)} and y {tuple(y.shape)}"
        )
    return float((y_hat.to(y.dtype) == y).sum())


class Accumulator:
    """Running sums of ``n`` numbers, e.g. the loss, the hits and the examples seen.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """

    def __init__(self, n: int) -> None:
        self.data = [0.0] * n

    def add(self, *values: float) -> None:
        """Add one value to each of the ``n`` sums."""
        if len(values) != len(self.data):
            raise ValueError(
                f"this Accumulator keeps {len(self.data)} sums, but add() got {len(values)} values"
            )
        self.data = [total + float(v) for total, v in zip(self.data, values, strict=True)]

    def reset(self) -> None:
        """Set every sum back to zero."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, i: int) -> float:
        return self.data[i]


def evaluate_accuracy(net: Callable[[torch.Tensor], torch.Tensor], data_iter: Batches) -> float:
    """The fraction of the examples in ``data_iter`` that ``net`` classifies correctly.

    ``net`` is a function or an ``nn.Module``; a module is put in evaluation
    mode for the measurement and then back in the mode it was in. No
    gradients are computed. Raises ``ValueError`` when ``data_iter`` yields no
    examples.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    was_training = isinstance(net, torch.nn.Module) and net.training
    if isinstance(net, torch.nn.Module):
        net.eval()  # e.g. dropout off
    metric = Accumulator(2)  # correct predictions, examples
    try:
        with torch.no_grad():
            for X, y in data_iter:
                metric.add(accuracy(net(X), y), len(y))
    finally:
        if was_training:
            net.train()  # leave the model in the mode we found it in
    if metric[1] == 0:
        raise ValueError("evaluate_accuracy() got a data iterator that yields no examples")
    return metric[0] / metric[1]


def train_epoch_ch3(
    net: Callable[[torch.Tensor], torch.Tensor],
    train_iter: Batches,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    updater: Updater,
) -> tuple[float, float]:
    """Train ``net`` for one pass over ``train_iter``.

    ``loss(y_hat, y)`` must return one loss per example. ``updater`` is a
    ``torch.optim.Optimizer`` (stepped on the mean loss) or a function
    ``updater(batch_size)`` that updates the parameters from the gradient of
    the summed loss, such as ``lambda n: d2l.sgd(params, lr, n)``.
    Returns the mean training loss and the training accuracy of the epoch.
    Raises ``FloatingPointError``, before updating, at the first minibatch
    whose loss is not finite (training diverged), and ``ValueError`` for a
    loss that is not one value per example or an iterator with no examples.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    if not (isinstance(updater, torch.optim.Optimizer) or callable(updater)):
        raise TypeError(
            "updater must be a torch.optim optimizer or a function updater(batch_size), "
            f"got {type(updater).__name__}"
        )
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = Accumulator(3)  # sum of losses, correct predictions, examples
    for i, (X, y) in enumerate(train_iter):
        y_hat = net(X)
        losses = loss(y_hat, y)
        if losses.shape != y.shape:
            raise ValueError(
                f"loss must return one value per example, shape {tuple(y.shape)}, but returned "
                f"shape {tuple(losses.shape)}; for nn.CrossEntropyLoss pass reduction='none'"
            )
        if not torch.isfinite(losses).all():
            raise FloatingPointError(
                f"the loss of minibatch {i + 1} is {losses.sum().item()}: training diverged. "
                "The usual cause is a learning rate that is too large; try a smaller one."
            )
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            losses.mean().backward()
            updater.step()
        else:
            losses.sum().backward()
            updater(X.shape[0])
        metric.add(losses.sum().item(), accuracy(y_hat, y), len(y))
    if metric[2] == 0:
        raise ValueError("train_epoch_ch3() got a data iterator that yields no examples")
    return metric[0] / metric[2], metric[1] / metric[2]


class Animator:
    """Curves that grow one point at a time, e.g. while a model trains.

    In a Jupyter notebook the figure is redrawn in place after every
    ``add``. Anywhere else (a terminal, pytest, the book's build) there is one
    figure, ``self.fig``, redrawn after every ``add``, and each point is also
    printed as a line of text.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """

    def __init__(
        self,
        xlabel: str | None = None,
        ylabel: str | None = None,
        legend: Sequence[str] = (),
        xlim: Sequence[float] | None = None,
        ylim: Sequence[float] | None = None,
        xscale: str = "linear",
        yscale: str = "linear",
        fmts: Sequence[str] = ("-", "m--", "g-.", "r:"),
        figsize: tuple[float, float] = (3.5, 2.5),
    ) -> None:
        d2l.use_svg_display()
        self.fig, self.axes = plt.subplots(figsize=figsize)
        self.plot_args = dict(
            xlabel=xlabel, ylabel=ylabel, legend=legend, xlim=xlim,
            ylim=ylim, xscale=xscale, yscale=yscale, fmts=fmts,
        )  # fmt: skip
        self.xlabel, self.legend = xlabel or "x", list(legend)
        self.X, self.Y = [], []  # one list of x and one of y values per curve
        try:  # drawing in place needs the IPython kernel of a notebook
            from IPython import display, get_ipython

            self.display = display if hasattr(get_ipython(), "kernel") else None
        except ImportError:
            self.display = None

    def add(self, x: float, ys: float | Sequence[float | None]) -> None:
        """Add the point ``(x, ys[i])`` to curve ``i``; a ``None`` in ``ys`` adds nothing.

        ``ys`` may be one number (or a 0-d tensor) for a single curve, or a
        list, tuple, array or 1-D tensor with one value per curve.
        """
        if np.ndim(ys) == 0:  # one curve: a number or a 0-d tensor
            ys = [ys]
        ys = [None if y is None else float(y) for y in ys]
        if not self.Y:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
            self.legend += [f"y{i}" for i in range(len(self.legend), len(ys))]
        if len(ys) != len(self.Y):
            raise ValueError(f"this Animator draws {len(self.Y)} curves, got {len(ys)} values")
        for xs, vs, y in zip(self.X, self.Y, ys, strict=True):
            if y is not None:
                xs.append(x)
                vs.append(y)
        self.axes.cla()
        d2l.plot(self.X, self.Y, axes=self.axes, **self.plot_args)
        if self.display:
            self.display.display(self.fig)
            self.display.clear_output(wait=True)
        else:
            points = zip(self.legend, ys, strict=True)
            text = ", ".join(f"{name} {y:.3f}" for name, y in points if y is not None)
            print(f"{self.xlabel} {x:g}, {text}", flush=True)


class History:
    """The per-epoch numbers of a training run: ``train_loss``, ``train_acc``, ``test_acc``.

    Each is a list with one float per epoch (losses are means per example,
    accuracies fractions in [0, 1]). The repr is one short line, so a
    notebook cell that ends with a training call stays quiet.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """

    def __init__(self) -> None:
        self.train_loss, self.train_acc, self.test_acc = [], [], []

    def add(self, train_loss: float, train_acc: float, test_acc: float) -> None:
        """Append one epoch's numbers."""
        self.train_loss.append(train_loss)
        self.train_acc.append(train_acc)
        self.test_acc.append(test_acc)

    def __repr__(self) -> str:
        if not self.train_loss:
            return "History(no epochs)"
        n, loss = len(self.train_loss), self.train_loss[-1]
        train, test = self.train_acc[-1], self.test_acc[-1]
        return (
            f"History({n} epochs; last: loss {loss:.3f}, "
            f"train acc {train:.3f}, test acc {test:.3f})"
        )


def train_ch3(
    net: Callable[[torch.Tensor], torch.Tensor],
    train_iter: Batches,
    test_iter: Batches,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    num_epochs: int,
    updater: Updater,
) -> "History":
    """Train ``net`` for ``num_epochs`` epochs, drawing the loss and accuracies.

    After every epoch the training loss, training accuracy and test accuracy
    go to an ``Animator`` (a live plot in a notebook, a printed line
    elsewhere); at the end one line ``loss ..., train acc ..., test acc ...``
    is printed. Returns the per-epoch numbers as a ``History``. See
    ``train_epoch_ch3`` for ``loss``, ``updater`` and the errors raised;
    a diverging loss is reported with its epoch. Raises ``ValueError`` when
    ``num_epochs`` is not a positive whole number.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    if type(num_epochs) is not int or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
    animator = Animator(xlabel="epoch", ylabel="loss / accuracy", xlim=[1, max(num_epochs, 2)],
                        legend=["train loss", "train acc", "test acc"])  # fmt: skip
    history = History()
    for epoch in range(1, num_epochs + 1):
        try:
            train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        except FloatingPointError as error:
            raise FloatingPointError(f"epoch {epoch}: {error}") from None
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch, (train_loss, train_acc, test_acc))
        history.add(train_loss, train_acc, test_acc)
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    return history


def predict_ch3(
    net: Callable[[torch.Tensor], torch.Tensor], test_iter: Batches, n: int = 6
) -> None:
    """Show the first ``n`` images of ``test_iter``, titled true label over predicted label.

    A module ``net`` predicts in evaluation mode and is then put back in the
    mode it was in. Raises ``ValueError`` when ``n`` is not a positive whole
    number.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    if type(n) is not int or n < 1:
        raise ValueError(f"predict_ch3() needs a whole number n >= 1 of images, got {n!r}")
    X, y = next(iter(test_iter))
    X, y = X[:n], y[:n]
    was_training = isinstance(net, torch.nn.Module) and net.training
    if isinstance(net, torch.nn.Module):
        net.eval()
    try:
        with torch.no_grad():
            y_pred = net(X).argmax(dim=1)
    finally:
        if was_training:
            net.train()
    trues = d2l.get_fashion_mnist_labels(y)
    preds = d2l.get_fashion_mnist_labels(y_pred)
    titles = [f"{t}\n{p}" for t, p in zip(trues, preds, strict=True)]
    d2l.show_images(X, 1, len(X), titles=titles)


def evaluate_accuracy_gpu(
    net: nn.Module, data_iter: Batches, device: torch.device | str | None = None
) -> float:
    """``evaluate_accuracy`` with every minibatch moved to ``device`` first.

    ``device`` defaults to the device of ``net``'s first parameter. Returns a
    fraction in [0, 1]; raises as ``evaluate_accuracy`` does.

    Defined in ``cnn/lenet.md``.
    """
    if device is None:
        device = next(iter(net.parameters())).device
    on_device = ((X.to(device), y.to(device)) for X, y in data_iter)
    return evaluate_accuracy(net, on_device)


def train_ch6(
    net: nn.Module,
    train_iter: Batches,
    test_iter: Batches,
    num_epochs: int,
    lr: float,
    device: torch.device | str | None = None,
) -> History:
    """Train a classifier with minibatch SGD on ``device``, drawing its curves.

    The weights of every ``nn.Linear`` and ``nn.Conv2d`` are first initialized
    with Xavier's uniform rule. ``device`` defaults to ``d2l.try_gpu()`` (a
    CUDA GPU, else Apple's ``mps``, else the CPU); the model and each
    minibatch are moved there. Minimizes the mean cross-entropy with
    ``torch.optim.SGD`` at learning rate ``lr``; logs every epoch as
    ``train_ch3`` does, then prints the final
    ``loss ..., train acc ..., test acc ...`` line and the training speed in
    examples per second. Returns a ``History``. Raises ``ValueError`` for a
    ``num_epochs`` that is not a positive whole number or an ``lr`` that is
    not a positive number, and ``FloatingPointError`` (naming the epoch) when
    the loss diverges.

    Defined in ``cnn/lenet.md``.
    """
    if type(num_epochs) is not int or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    device = torch.device(device) if device is not None else d2l.try_gpu()

    def init_weights(m):
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)

    net.apply(init_weights)
    net.to(device)
    print("training on", device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss(reduction="none")  # one loss per example
    animator = Animator(xlabel="epoch", ylabel="loss / accuracy", xlim=[1, max(num_epochs, 2)],
                        legend=["train loss", "train acc", "test acc"])  # fmt: skip
    history, timer, num_examples = History(), d2l.Timer(), 0

    def on_device(batches):  # move each minibatch to the device, counting examples
        nonlocal num_examples
        for X, y in batches:
            num_examples += len(y)
            yield X.to(device), y.to(device)

    for epoch in range(1, num_epochs + 1):
        timer.start()
        try:
            train_loss, train_acc = train_epoch_ch3(net, on_device(train_iter), loss, optimizer)
        except FloatingPointError as error:
            raise FloatingPointError(f"epoch {epoch}: {error}") from None
        timer.stop()
        test_acc = evaluate_accuracy_gpu(net, test_iter, device)
        animator.add(epoch, (train_loss, train_acc, test_acc))
        history.add(train_loss, train_acc, test_acc)
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    print(f"{num_examples / timer.sum():.1f} examples/sec on {device}")
    return history
