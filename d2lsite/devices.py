"""Choosing the device that tensors and models live on."""

import torch

__all__ = ["try_all_gpus", "try_gpu"]


def try_gpu(i: int = 0) -> torch.device:
    """Return CUDA device ``i`` if it exists, else Apple's ``mps``, else the CPU.

    Raises ``ValueError`` when ``i`` is not a whole number >= 0.

    Defined in ``preliminaries/ndarray.md``.
    """
    if type(i) is not int or i < 0:
        raise ValueError(f"try_gpu() needs a device index i >= 0, got {i!r}")
    if torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def try_all_gpus() -> list[torch.device]:
    """Return every CUDA device, or ``[try_gpu()]`` when there is none.

    Defined in ``preliminaries/ndarray.md``.
    """
    gpus = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    return gpus if gpus else [try_gpu()]
