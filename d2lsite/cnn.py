"""Convolutional building blocks written by hand: cross-correlation, channels, pooling."""

import torch

__all__ = ["corr2d"]


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Two-dimensional cross-correlation of a matrix ``X`` with a kernel ``K``.

    ``X`` has shape (n_h, n_w) and ``K`` shape (k_h, k_w), with k_h <= n_h and
    k_w <= n_w. Returns a ``float32`` tensor of shape
    (n_h - k_h + 1, n_w - k_w + 1) whose entry (i, j) is the sum of
    ``X[i:i + k_h, j:j + k_w] * K``; gradients flow to ``X`` and ``K``.
    Raises ``ValueError`` when ``X`` or ``K`` is not a matrix or when the
    kernel is larger than the input.

    Defined in ``cnn/conv-layer.md``.
    """
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError(
            f"corr2d() needs a matrix X and a matrix K, got shapes {tuple(X.shape)} and "
            f"{tuple(K.shape)}; use corr2d_multi_in for channels, F.conv2d for batches"
        )
    k_h, k_w = K.shape
    if k_h > X.shape[0] or k_w > X.shape[1]:
        raise ValueError(
            f"the kernel, shape {tuple(K.shape)}, is larger than the input, shape "
            f"{tuple(X.shape)}; pad the input or use a smaller kernel"
        )
    Y = torch.zeros(X.shape[0] - k_h + 1, X.shape[1] - k_w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + k_h, j : j + k_w] * K).sum()
    return Y
