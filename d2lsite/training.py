"""Training classifiers: counting correct predictions, the training loop, live curves."""

from collections.abc import Callable, Iterable, Sequence

import torch
from matplotlib import pyplot as plt

import d2lsite as d2l

__all__ = [
    "Accumulator",
    "Animator",
    "accuracy",
    "evaluate_accuracy",
    "predict_ch3",
    "train_ch3",
    "train_epoch_ch3",
]

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
Updater = torch.optim.Optimizer | Callable[[int], object]


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Count the examples whose prediction equals the label.

    ``y_hat`` holds either scores, shape ``(n, q)``, whose largest entry in each
    row is the prediction, or predicted labels, shape ``(n,)``; ``y`` holds the
    ``n`` true labels. Returns the number correct (a float), not the fraction.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    if y_hat.ndim == 2:
        y_hat = y_hat.argmax(dim=1)
    if y_hat.shape != y.shape:
        raise ValueError(
            f"accuracy() needs y_hat of shape (n, q) or (n,) for labels y of shape (n,); "
            f"got y_hat {tuple(y_hat.shape)} and y {tuple(y.shape)}"
        )
    return float((y_hat == y).sum())


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

    ``net`` is a function or an ``nn.Module`` (put in evaluation mode); no
    gradients are computed.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    if isinstance(net, torch.nn.Module):
        net.eval()
    metric = Accumulator(2)  # correct predictions, examples
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
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
    for X, y in train_iter:
        y_hat = net(X)
        losses = loss(y_hat, y)
        if losses.shape != y.shape:
            raise ValueError(
                f"loss must return one value per example, shape {tuple(y.shape)}, but returned "
                f"shape {tuple(losses.shape)}; for nn.CrossEntropyLoss pass reduction='none'"
            )
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            losses.mean().backward()
            updater.step()
        else:
            losses.sum().backward()
            updater(X.shape[0])
        metric.add(losses.sum().item(), accuracy(y_hat, y), y.numel())
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

    def add(self, x: float, ys: Sequence[float | None]) -> None:
        """Add the point ``(x, ys[i])`` to curve ``i``; a ``None`` in ``ys`` adds nothing."""
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


def train_ch3(
    net: Callable[[torch.Tensor], torch.Tensor],
    train_iter: Batches,
    test_iter: Batches,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    num_epochs: int,
    updater: Updater,
) -> None:
    """Train ``net`` for ``num_epochs`` epochs, drawing the loss and accuracies.

    After every epoch the training loss, training accuracy and test accuracy
    go to an ``Animator`` (a live plot in a notebook, a printed line
    elsewhere); at the end one line ``loss ..., train acc ..., test acc ...``
    is printed. See ``train_epoch_ch3`` for ``loss`` and ``updater``.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    if not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive whole number, got {num_epochs!r}")
    animator = Animator(
        xlabel="epoch", xlim=[1, num_epochs], legend=["train loss", "train acc", "test acc"]
    )
    for epoch in range(1, num_epochs + 1):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch, (train_loss, train_acc, test_acc))
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")


def predict_ch3(
    net: Callable[[torch.Tensor], torch.Tensor], test_iter: Batches, n: int = 6
) -> None:
    """Show the first ``n`` images of ``test_iter``, titled true label over predicted label.

    Defined in ``linear-classification/softmax-regression-scratch.md``.
    """
    if n < 1:
        raise ValueError(f"predict_ch3() needs n >= 1 images to show, got {n}")
    X, y = next(iter(test_iter))
    X, y = X[:n], y[:n]
    with torch.no_grad():
        y_pred = net(X).argmax(dim=1)
    trues = d2l.get_fashion_mnist_labels(y)
    preds = d2l.get_fashion_mnist_labels(y_pred)
    titles = [f"{t}\n{p}" for t, p in zip(trues, preds, strict=True)]
    d2l.show_images(X, 1, len(X), titles=titles)
