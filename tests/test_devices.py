"""try_gpu and try_all_gpus pick CUDA, then Apple's mps, then the CPU."""

import pytest
import torch

import d2lsite as d2l


@pytest.fixture
def machine(monkeypatch):
    """Pretend to run on a machine with ``cuda`` CUDA GPUs and mps present or not."""

    def configure(cuda: int = 0, mps: bool = False) -> None:
        monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)

    return configure


def test_try_gpu_returns_cpu_without_cuda_or_mps(machine):
    machine(cuda=0, mps=False)
    assert d2l.try_gpu() == torch.device("cpu")


def test_try_gpu_returns_the_requested_cuda_device(machine):
    machine(cuda=2)
    assert d2l.try_gpu() == torch.device("cuda:0")
    assert d2l.try_gpu(1) == torch.device("cuda:1")


def test_try_gpu_falls_back_to_cpu_when_index_is_past_the_last_gpu(machine):
    machine(cuda=1)
    assert d2l.try_gpu(1) == torch.device("cpu")


def test_try_gpu_prefers_cuda_over_mps(machine):
    machine(cuda=1, mps=True)
    assert d2l.try_gpu() == torch.device("cuda:0")


def test_try_gpu_returns_mps_without_cuda(machine):
    machine(cuda=0, mps=True)
    assert d2l.try_gpu() == torch.device("mps")


def test_try_all_gpus_lists_every_cuda_device(machine):
    machine(cuda=3, mps=True)
    assert d2l.try_all_gpus() == [torch.device(f"cuda:{i}") for i in range(3)]


def test_try_all_gpus_returns_cpu_alone_without_gpus(machine):
    machine(cuda=0, mps=False)
    assert d2l.try_all_gpus() == [torch.device("cpu")]


def test_try_all_gpus_returns_mps_alone_on_apple_silicon(machine):
    machine(cuda=0, mps=True)
    assert d2l.try_all_gpus() == [torch.device("mps")]


def test_try_gpu_gives_a_device_that_tensors_accept():
    x = torch.ones(2, device=d2l.try_gpu())
    assert x.device.type in ("cpu", "cuda", "mps")


@pytest.mark.parametrize("i", [-1, 0.5, "0", True])
def test_try_gpu_refuses_an_index_that_is_not_a_whole_number_from_zero(machine, i):
    machine(cuda=2)
    with pytest.raises(ValueError, match="device index"):
        d2l.try_gpu(i)
