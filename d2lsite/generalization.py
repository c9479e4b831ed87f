"""Generalization: the loss on held-out data, and K-fold splits for cross-validation."""

from collections.abc import Callable, Iterable

import torch

__all__ = ["evaluate_loss", "k_fold_indices"]


def evaluate_loss(
    net: Callable[[torch.Tensor], torch.Tensor],
    data_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
) -> float:
    """The mean loss of ``net`` over all examples of ``data_iter``, without gradients.

    ``loss(y_hat, y)`` must return one value per example (``reduction='none'``);
    labels are reshaped to the shape of the predictions first, so labels of
    shape ``(n,)`` meet predictions of shape ``(n, 1)`` without broadcasting.
    An ``nn.Module`` is put in evaluation mode. Raises ``ValueError`` when
    ``data_iter`` yields no examples.

    Defined in ``generalization/model-selection.md``.
    """
    if isinstance(net, torch.nn.Module):
        net.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            y_hat = net(X)
            per_example = loss(y_hat, y.reshape(y_hat.shape))
            total += per_example.sum().item()
            count += per_example.numel()
    if count == 0:
        raise ValueError("evaluate_loss() got a data iterator that yields no examples")
    return total / count


def k_fold_indices(n: int, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Split the example indices ``0, ..., n-1`` into ``k`` folds for cross-validation.

    Returns ``k`` pairs ``(train_idx, valid_idx)`` of ``int64`` index tensors:
    fold ``i`` is the ``i``-th of ``k`` consecutive blocks of nearly equal size
    (sizes differ by at most one) and serves once as the validation set while
    the other ``k - 1`` blocks train. Shuffle the data first if its order means
    something. Raises ``ValueError`` unless ``2 <= k <= n``.

    Defined in ``generalization/model-selection.md``.
    """
    if not 2 <= k <= n:
        raise ValueError(f"k-fold cross-validation needs 2 <= k <= n, got k={k} for n={n}")
    folds = torch.arange(n).tensor_split(k)
    return [(torch.cat(folds[:i] + folds[i + 1 :]), folds[i]) for i in range(k)]
