"""Convolutional building blocks written by hand: cross-correlation, channels, pooling."""

import torch

import d2lsite as d2l

__all__ = ["corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "pool2d"]


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Two-dimensional cross-correlation of a matrix ``X`` with a kernel ``K``.

    ``X`` has shape (n_h, n_w) and ``K`` shape (k_h, k_w), with k_h <= n_h and
    k_w <= n_w. Returns a tensor on ``X``'s device, of the dtype that ``X``
    and ``K`` promote to (``float32`` for ``float32`` inputs), of shape
    (n_h - k_h + 1, n_w - k_w + 1) whose entry (i, j) is the sum of
    ``X[i:i + k_h, j:j + k_w] * K``, computed as the sum over the kernel
    entries (a, b) of ``K[a, b]`` times ``X`` shifted by (a, b); gradients
    flow to ``X`` and ``K``.
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
    out_h, out_w = X.shape[0] - k_h + 1, X.shape[1] - k_w + 1
    Y = X.new_zeros(out_h, out_w)  # on X's device, in X's dtype
    for a in range(k_h):
        for b in range(k_w):
            Y = Y + K[a, b] * X[a : a + out_h, b : b + out_w]
    return Y


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation of a multi-channel input with a multi-channel kernel, summed.

    ``X`` has shape (c_i, n_h, n_w) and ``K`` shape (c_i, k_h, k_w). Each
    channel of ``X`` is cross-correlated (``corr2d``) with its slice of ``K``
    and the ``c_i`` results are added: a tensor on ``X``'s device, in the
    dtype ``X`` and ``K`` promote to, of shape (n_h - k_h + 1, n_w - k_w + 1).
    Raises ``ValueError`` when the shapes are not three-dimensional or the
    channel counts differ.

    Defined in ``cnn/channels.md``.
    """
    if X.ndim != 3 or K.ndim != 3 or X.shape[0] != K.shape[0]:
        raise ValueError(
            f"corr2d_multi_in() needs X of shape (c_i, n_h, n_w) and K of shape "
            f"(c_i, k_h, k_w) with the same c_i; got {tuple(X.shape)} and {tuple(K.shape)}"
        )
    per_channel = torch.stack([d2l.corr2d(X[c], K[c]) for c in range(X.shape[0])])
    return per_channel.sum(dim=0)


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation with several output channels, one kernel per output channel.

    ``X`` has shape (c_i, n_h, n_w) and ``K`` shape (c_o, c_i, k_h, k_w), the
    layout of ``nn.Conv2d``'s weight. Returns a tensor on ``X``'s device,
    in the dtype ``X`` and ``K`` promote to, of shape
    (c_o, n_h - k_h + 1, n_w - k_w + 1) whose channel d is
    ``corr2d_multi_in(X, K[d])``. Raises ``ValueError`` when ``K`` is not
    four-dimensional, or as ``corr2d_multi_in`` does.

    Defined in ``cnn/channels.md``.
    """
    if K.ndim != 4:
        raise ValueError(
            f"corr2d_multi_in_out() needs K of shape (c_o, c_i, k_h, k_w), got {tuple(K.shape)}"
        )
    maps = []
    for o in range(K.shape[0]):  # output channel o has its own (c_i, k_h, k_w) kernel
        maps.append(corr2d_multi_in(X, K[o]))
    return torch.stack(maps)


def pool2d(X: torch.Tensor, pool_size: tuple[int, int], mode: str = "max") -> torch.Tensor:
    """Maximum or average pooling of a matrix, with stride 1 and no padding.

    ``X`` has shape (n_h, n_w) and ``pool_size`` is (p_h, p_w), no larger than
    ``X``. Returns a tensor of ``X``'s floating dtype and shape (n_h - p_h + 1, n_w - p_w + 1)
    whose entry (i, j) is the maximum (``mode="max"``) or the mean
    (``mode="avg"``) of ``X[i:i + p_h, j:j + p_w]``. Raises ``ValueError`` for
    another mode, an ``X`` that is not a matrix, or a window larger than ``X``.

    Defined in ``cnn/pooling.md``.
    """
    if mode not in ("max", "avg"):
        raise ValueError(f'pool2d() mode must be "max" or "avg", got {mode!r}')
    p_h, p_w = pool_size
    if X.ndim != 2 or p_h > X.shape[0] or p_w > X.shape[1]:
        raise ValueError(
            f"pool2d() needs a matrix X at least as large as the window {tuple(pool_size)}, "
            f"got shape {tuple(X.shape)}"
        )
    out_h, out_w = X.shape[0] - p_h + 1, X.shape[1] - p_w + 1
    # one shifted copy of X per position (a, b) inside the window, stacked on a new axis
    shifted = torch.stack([X[a : a + out_h, b : b + out_w] for a in range(p_h) for b in range(p_w)])
    return shifted.amax(dim=0) if mode == "max" else shifted.mean(dim=0)
