"""Linear regression: synthetic data, the model, its loss, minibatch SGD, and batches."""

from collections.abc import Iterable, Sequence

import torch
from torch.utils import data

__all__ = ["linreg", "load_array", "sgd", "squared_loss", "synthetic_data"]


def synthetic_data(
    w: torch.Tensor | Sequence[float], b: float, num_examples: int, noise: float = 0.01
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw a data set from a known linear model, for checking what training recovers.

    Features are standard normal, ``X`` of shape ``(num_examples, len(w))``; labels
    are ``y = Xw + b + eps`` with ``eps ~ N(0, noise**2)``, returned as a column of
    shape ``(num_examples, 1)``. ``w`` may be a 1-D tensor or a list of numbers.
    Uses torch's global random generator, so ``torch.manual_seed`` makes it repeatable.
    Raises ``ValueError`` unless ``w`` is 1-D and ``num_examples`` a whole number >= 1.

    Defined in ``linear-regression/linear-regression-scratch.md``.
    """
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.ndim != 1 or type(num_examples) is not int or num_examples < 1:
        raise ValueError(
            f"synthetic_data needs a 1-D w and num_examples >= 1; "
            f"got w of shape {tuple(w.shape)} and num_examples={num_examples}"
        )
    X = torch.randn(num_examples, len(w))
    y = X @ w + b + noise * torch.randn(num_examples)
    return X, y.reshape(-1, 1)


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor | float) -> torch.Tensor:
    """The linear model: one prediction ``Xw + b`` per row of ``X``.

    With ``X`` of shape ``(n, d)`` and ``w`` of shape ``(d, 1)`` the result has
    shape ``(n, 1)``; ``b`` is broadcast to every example.

    Defined in ``linear-regression/linear-regression-scratch.md``.
    """
    return X @ w + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Half the squared error of each prediction, one value per example (not averaged).

    ``y`` is reshaped to ``y_hat``'s shape first, so a label vector of shape ``(n,)``
    does not broadcast against predictions of shape ``(n, 1)`` into an ``(n, n)`` table.

    Defined in ``linear-regression/linear-regression-scratch.md``.
    """
    if y.numel() != y_hat.numel():
        raise ValueError(f"{y_hat.numel()} predictions but {y.numel()} labels")
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """One step of minibatch SGD, in place: ``p -= lr * p.grad / batch_size``.

    The gradients are those of a loss *summed* over the ``batch_size`` examples of
    the minibatch; dividing by ``batch_size`` turns the sum into a mean. Each
    gradient is then set to zero, ready for the next ``backward()``. Raises
    ``ValueError`` for a ``batch_size`` that is not a positive whole number, an
    ``lr`` that is not positive, or a parameter without a gradient.

    Defined in ``linear-regression/linear-regression-scratch.md``.
    """
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be a positive number of examples, got {batch_size!r}")
    if not lr > 0:
        raise ValueError(f"the learning rate lr must be positive, got {lr!r}")
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                raise ValueError("a parameter has no gradient: call backward() on the loss first")
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def load_array(
    data_arrays: Sequence[torch.Tensor], batch_size: int, is_train: bool = True
) -> data.DataLoader:
    """Minibatches over tensors that share their first dimension (features, labels, ...).

    Returns a ``DataLoader`` that yields one tuple of ``batch_size`` rows of each
    tensor at a time (the last batch may be smaller). It visits the examples in a
    fresh random order each epoch when ``is_train`` is true, in stored order otherwise.
    Raises ``ValueError`` for tensors of different lengths or a ``batch_size`` that
    is not a positive whole number.

    Defined in ``linear-regression/linear-regression-concise.md``.
    """
    sizes = [len(a) for a in data_arrays]
    if len(set(sizes)) != 1:
        raise ValueError(f"load_array needs tensors of one common length, got lengths {sizes}")
    if type(batch_size) is not int or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, got {batch_size!r}")
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)
