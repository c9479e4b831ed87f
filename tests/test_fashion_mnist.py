"""The Fashion-MNIST loader: batches, shuffling, resizing, where files are found, errors.

Most tests run on a tiny look-alike data set that they write themselves (idx files,
gzipped, with the loader's checksums patched to match), in temporary folders that stand
in for the cache, Debian's folder and ``$D2LSITE_DATA``. The downloader is replaced in
every test, so no test touches the network. Tests marked ``real_data`` use the real files
when this machine has them.
"""

import gzip
import hashlib
import math
import re
import socket
import urllib.error
from pathlib import Path

import pytest
import torch

import d2lsite as d2l
from d2lsite import fashion_mnist as fm

N_TRAIN, N_TEST = 50, 12
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "t10k": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def idx_bytes(array: torch.Tensor) -> bytes:
    """``array`` (uint8) in the idx format: header, big-endian sizes, row-major bytes."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.numpy().tobytes()


class FakeData:
    """A tiny Fashion-MNIST look-alike and the folders the loader searches."""

    def __init__(self, root: Path):
        generator = torch.Generator().manual_seed(0)
        self.arrays: dict[str, torch.Tensor] = {}
        for split, n in (("train", N_TRAIN), ("t10k", N_TEST)):
            images = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=generator)
            images[0, 0, :2] = torch.tensor([0, 255], dtype=torch.uint8)  # both extremes
            labels = (torch.arange(n) % 10).to(torch.uint8)
            self.arrays[FILES[split][0]] = images
            self.arrays[FILES[split][1]] = labels
        self.raw = {name: idx_bytes(a) for name, a in self.arrays.items()}
        self.gz = {name: gzip.compress(data, mtime=0) for name, data in self.raw.items()}
        self.data_md5 = {name: hashlib.md5(data).hexdigest() for name, data in self.raw.items()}
        self.gz_md5 = {name: hashlib.md5(data).hexdigest() for name, data in self.gz.items()}
        self.cache = root / "cache" / "d2lsite" / "fashion-mnist"
        self.system = root / "usr-share" / "fashion-mnist"
        self.own = root / "own"  # a folder for $D2LSITE_DATA
        self.downloads: list[tuple[str, Path, str, str]] = []

    def write(self, folder: Path, names=None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in names or self.gz:
            (folder / name).write_bytes(self.gz[name])

    def downloader_that_works(self):
        def download_url(url, root, filename=None, md5=None):
            self.downloads.append((url, Path(root), filename, md5))
            self.write(Path(root), [filename])

        return download_url


def no_network(url, root, filename=None, md5=None):
    raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakeData:
    """Loader pointed at empty temporary folders, tiny data's checksums, and no network."""
    data = FakeData(tmp_path)
    monkeypatch.setattr(fm, "FASHION_MNIST_DATA_MD5", data.data_md5)
    monkeypatch.setattr(fm, "FASHION_MNIST_MD5", data.gz_md5)
    monkeypatch.setattr(fm, "FASHION_MNIST_SYSTEM_DIR", str(data.system))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("D2LSITE_DATA", raising=False)
    monkeypatch.setattr("torchvision.datasets.utils.download_url", no_network)
    return data


def epoch_labels(data_iter) -> list[int]:
    return torch.cat([y for _, y in data_iter]).tolist()


# --- batches ---------------------------------------------------------------------------


def test_batches_are_float32_images_in_unit_range_and_int64_labels(fake):
    fake.write(fake.cache)
    train_iter, test_iter = d2l.load_data_fashion_mnist(16)
    for data_iter, n in ((train_iter, N_TRAIN), (test_iter, N_TEST)):
        batches = list(data_iter)
        assert len(data_iter) == len(batches) == math.ceil(n / 16)
        assert [len(y) for _, y in batches] == [16] * (n // 16) + ([n % 16] if n % 16 else [])
        for X, y in batches:
            assert X.dtype == torch.float32 and X.shape == (len(y), 1, 28, 28)
            assert y.dtype == torch.int64 and y.shape == (len(X),)
        X_all = torch.cat([X for X, _ in batches])
        assert float(X_all.min()) == 0.0 and float(X_all.max()) == 1.0


def test_test_batches_are_the_file_bytes_divided_by_255_in_file_order(fake):
    fake.write(fake.cache)
    _, test_iter = d2l.load_data_fashion_mnist(5)
    X = torch.cat([X for X, _ in test_iter])
    y = torch.cat([y for _, y in test_iter])
    images, labels = fake.arrays["t10k-images-idx3-ubyte.gz"], fake.arrays[FILES["t10k"][1]]
    assert torch.equal(X, images.unsqueeze(1).float() / 255)
    assert torch.equal(y, labels.long())


def test_train_iter_reshuffles_every_epoch_and_visits_each_example_once(fake):
    fake.write(fake.cache)
    train_iter, _ = d2l.load_data_fashion_mnist(8)
    epochs = [epoch_labels(train_iter) for _ in range(3)]
    expected = sorted(fake.arrays[FILES["train"][1]].tolist())
    assert all(sorted(labels) == expected for labels in epochs)
    orders = []
    for _ in range(3):  # the images, not just the labels, come in a new order
        X = torch.cat([X for X, _ in train_iter])
        orders.append(X.flatten(1)[:, :4].tolist())
    assert orders[0] != orders[1] and orders[1] != orders[2]


def test_test_iter_keeps_the_same_order_every_epoch(fake):
    fake.write(fake.cache)
    _, test_iter = d2l.load_data_fashion_mnist(5)
    first = epoch_labels(test_iter)
    assert first == fake.arrays[FILES["t10k"][1]].tolist()
    assert epoch_labels(test_iter) == first


def test_the_training_order_follows_torch_manual_seed(fake):
    fake.write(fake.cache)
    orders = []
    for _ in range(2):
        torch.manual_seed(42)
        train_iter, _ = d2l.load_data_fashion_mnist(7)
        orders.append(epoch_labels(train_iter))
    assert orders[0] == orders[1]


@pytest.mark.parametrize(("resize", "size"), [(14, (14, 14)), (64, (64, 64)), ((32, 40), (32, 40))])
def test_resize_gives_images_of_the_requested_size_in_unit_range(fake, resize, size):
    fake.write(fake.cache)
    train_iter, test_iter = d2l.load_data_fashion_mnist(8, resize=resize)
    for data_iter in (train_iter, test_iter):
        X, y = next(iter(data_iter))
        assert X.shape == (8, 1, *size) and X.dtype == torch.float32
        assert y.shape == (8,)
        assert 0 <= float(X.min()) and float(X.max()) <= 1


def test_resize_keeps_a_constant_image_constant():
    images = torch.full((3, 1, 28, 28), 51, dtype=torch.uint8)
    loader = d2l.TensorLoader(images, torch.zeros(3, dtype=torch.int64), 3, False, resize=56)
    X, _ = next(iter(loader))
    assert torch.allclose(X, torch.full((3, 1, 56, 56), 0.2))


@pytest.mark.parametrize("resize", [0, -3, 1.5, True, (28, 0), (28, 28, 1), "28"])
def test_a_resize_that_is_not_positive_whole_numbers_is_refused_at_once(resize):
    images, labels = torch.zeros(4, 1, 28, 28, dtype=torch.uint8), torch.zeros(4).long()
    with pytest.raises(ValueError, match=f"resize must be .* got {re.escape(repr(resize))}"):
        d2l.TensorLoader(images, labels, 2, shuffle=False, resize=resize)


def test_the_reduced_budget_caps_batches_per_pass(monkeypatch):
    images, labels = torch.zeros(100, 1, 2, 2, dtype=torch.uint8), torch.zeros(100).long()
    loader = d2l.TensorLoader(images, labels, 10, shuffle=True)
    assert len(loader) == len(list(loader)) == 10
    monkeypatch.setenv("D2LSITE_BUDGET", "reduced")
    assert len(loader) == len(list(loader)) == 4


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, "256", True])
def test_a_batch_size_that_is_not_a_positive_integer_is_refused(batch_size):
    images, labels = torch.zeros(4, 1, 28, 28, dtype=torch.uint8), torch.zeros(4).long()
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        d2l.TensorLoader(images, labels, batch_size, shuffle=True)


def test_read_fashion_mnist_refuses_an_unknown_split(fake):
    with pytest.raises(ValueError, match='"train" or "t10k"'):
        d2l.read_fashion_mnist("test")


# --- where the files are found ---------------------------------------------------------


def test_d2lsite_data_is_the_only_folder_searched_when_set(fake, monkeypatch):
    fake.write(fake.cache)
    fake.write(fake.system)
    monkeypatch.setenv("D2LSITE_DATA", str(fake.own))
    assert d2l.fashion_mnist_dirs() == [fake.own / "fashion-mnist"]
    with pytest.raises(FileNotFoundError):  # the copies in the cache and system folder are ignored
        d2l.find_fashion_mnist_file("train-images-idx3-ubyte.gz")


def test_a_copy_in_d2lsite_data_is_used(fake, monkeypatch):
    fake.write(fake.own / "fashion-mnist")
    fake.write(fake.cache)
    monkeypatch.setenv("D2LSITE_DATA", str(fake.own))
    name = "t10k-labels-idx1-ubyte.gz"
    assert d2l.find_fashion_mnist_file(name) == fake.own / "fashion-mnist" / name
    train_iter, _ = d2l.load_data_fashion_mnist(10)
    assert len(train_iter) == N_TRAIN // 10


def test_without_d2lsite_data_the_cache_comes_before_the_system_folder(fake):
    assert d2l.fashion_mnist_dirs() == [fake.cache, fake.system]
    fake.write(fake.cache)
    fake.write(fake.system)
    for name in fake.gz:
        assert d2l.find_fashion_mnist_file(name) == fake.cache / name


def test_the_system_folder_is_used_when_the_cache_lacks_a_file(fake):
    fake.write(fake.cache, ["train-images-idx3-ubyte.gz"])
    fake.write(fake.system)
    assert d2l.find_fashion_mnist_file("train-images-idx3-ubyte.gz").parent == fake.cache
    assert d2l.find_fashion_mnist_file("train-labels-idx1-ubyte.gz").parent == fake.system
    train_iter, _ = d2l.load_data_fashion_mnist(25)
    assert len(train_iter) == 2


def test_the_cache_folder_defaults_to_dot_cache_in_the_home_folder(fake, monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert d2l.fashion_mnist_dirs()[0] == tmp_path / "home" / ".cache" / "d2lsite" / "fashion-mnist"


def test_missing_files_are_downloaded_into_the_cache_with_their_published_md5(fake, monkeypatch):
    fake.write(fake.system, ["t10k-labels-idx1-ubyte.gz"])
    monkeypatch.setattr("torchvision.datasets.utils.download_url", fake.downloader_that_works())
    train_iter, test_iter = d2l.load_data_fashion_mnist(10)
    downloaded = {filename for _, _, filename, _ in fake.downloads}
    assert downloaded == set(fake.gz) - {"t10k-labels-idx1-ubyte.gz"}
    for url, root, filename, md5 in fake.downloads:
        assert url == d2l.FASHION_MNIST_URL + filename
        assert root == fake.cache and md5 == fake.gz_md5[filename]
    assert len(train_iter) == N_TRAIN // 10
    fake.downloads.clear()
    d2l.load_data_fashion_mnist(10)  # a second call finds the downloaded copies
    assert fake.downloads == []


def test_downloads_go_to_d2lsite_data_when_it_is_set(fake, monkeypatch):
    monkeypatch.setenv("D2LSITE_DATA", str(fake.own))
    monkeypatch.setattr("torchvision.datasets.utils.download_url", fake.downloader_that_works())
    d2l.load_data_fashion_mnist(10)
    assert {root for _, root, _, _ in fake.downloads} == {fake.own / "fashion-mnist"}
    assert sorted(p.name for p in (fake.own / "fashion-mnist").glob("*.gz")) == sorted(fake.gz)


# --- the decoded cache -----------------------------------------------------------------


def test_decoded_data_is_cached_beside_downloads_and_read_back_without_the_files(fake):
    fake.write(fake.system)
    images, labels = d2l.cached_fashion_mnist("train")
    assert (fake.cache / "train-decoded.pt").is_file()
    for name in fake.gz:  # without the original files, only the cache can answer
        (fake.system / name).unlink()
    cached_images, cached_labels = d2l.cached_fashion_mnist("train")
    assert torch.equal(cached_images, images) and torch.equal(cached_labels, labels)
    assert cached_images.shape == (N_TRAIN, 1, 28, 28) and cached_labels.dtype == torch.int64


def test_the_cache_goes_to_d2lsite_data_when_it_is_set(fake, monkeypatch):
    monkeypatch.setenv("D2LSITE_DATA", str(fake.own))
    fake.write(fake.own / "fashion-mnist")
    d2l.load_data_fashion_mnist(10)
    assert (fake.own / "fashion-mnist" / "t10k-decoded.pt").is_file()
    assert not fake.cache.exists()


def test_a_damaged_cache_file_is_rebuilt_from_the_data(fake):
    fake.write(fake.cache)
    cache = fake.cache / "t10k-decoded.pt"
    cache.write_bytes(b"half a file")
    images, labels = d2l.cached_fashion_mnist("t10k")
    assert torch.equal(labels, fake.arrays["t10k-labels-idx1-ubyte.gz"].long())
    assert torch.equal(torch.load(cache)[0], images)


def test_a_folder_that_cannot_be_written_means_no_cache_and_no_error(fake, monkeypatch):
    fake.write(fake.system)

    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(torch, "save", refuse)
    train_iter, _ = d2l.load_data_fashion_mnist(10)
    assert len(train_iter) == N_TRAIN // 10
    assert not list(fake.cache.glob("*.pt*"))


# --- errors ----------------------------------------------------------------------------


def truncated(gz: bytes) -> bytes:
    return gz[: len(gz) // 2]


def not_gzip(gz: bytes) -> bytes:
    return b"<html>404 Not Found</html>"


def other_data(gz: bytes) -> bytes:
    data = bytearray(gzip.decompress(gz))
    data[-1] ^= 0xFF
    return gzip.compress(bytes(data))


@pytest.mark.parametrize("damage", [truncated, not_gzip, other_data])
def test_a_damaged_file_is_named_with_what_to_do_and_never_decoded(fake, damage, monkeypatch):
    fake.write(fake.cache)
    bad = fake.cache / "train-images-idx3-ubyte.gz"
    bad.write_bytes(damage(bad.read_bytes()))
    decoded = []
    monkeypatch.setattr(torch, "frombuffer", lambda *a, **k: decoded.append(a))
    with pytest.raises(ValueError) as error:
        d2l.load_data_fashion_mnist(10)
    message = str(error.value)
    assert str(bad) in message and "MD5" in message
    assert "Delete it" in message and d2l.FASHION_MNIST_URL + bad.name in message
    assert decoded == []


def test_a_recompressed_copy_of_the_right_data_is_accepted(fake):
    fake.write(fake.cache)
    path = fake.cache / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(fake.raw[path.name], compresslevel=1, mtime=12345))
    assert hashlib.md5(path.read_bytes()).hexdigest() != fake.gz_md5[path.name]
    labels = d2l.read_idx(path, fake.data_md5[path.name])
    assert torch.equal(labels, fake.arrays[path.name])


def test_no_data_and_no_network_gives_an_error_that_says_where_and_what_to_do(fake):
    with pytest.raises(FileNotFoundError) as error:
        d2l.load_data_fashion_mnist(256)
    message = str(error.value)
    for needed in (
        "Fashion-MNIST",
        str(fake.cache),
        str(fake.system),
        "D2LSITE_DATA",
        "dataset-fashion-mnist",
        d2l.FASHION_MNIST_URL + "train-images-idx3-ubyte.gz",
        "Name or service not known",  # why the download failed
    ):
        assert needed in message, needed
    # The urllib error is summarised, not chained: no second traceback below ours.
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_no_network_error_with_d2lsite_data_names_only_that_folder(fake, monkeypatch):
    monkeypatch.setenv("D2LSITE_DATA", str(fake.own))
    with pytest.raises(FileNotFoundError) as error:
        d2l.find_fashion_mnist_file("t10k-images-idx3-ubyte.gz")
    message = str(error.value)
    assert str(fake.own / "fashion-mnist") in message
    assert str(fake.cache) not in message and str(fake.system) not in message


# --- labels and pictures ---------------------------------------------------------------


def test_get_fashion_mnist_labels_names_each_class():
    assert d2l.get_fashion_mnist_labels([0, 9]) == ["t-shirt", "ankle boot"]
    names = d2l.get_fashion_mnist_labels(torch.arange(10))
    assert len(set(names)) == 10 and names[1] == "trouser" and names[7] == "sneaker"


def test_show_images_draws_a_titled_grid():
    from matplotlib import pyplot as plt

    imgs = torch.rand(6, 1, 28, 28)
    axes = d2l.show_images(imgs, 2, 3, titles=list("abcdef"), scale=1.0)
    try:
        assert len(axes) == 6
        assert [ax.get_title() for ax in axes] == list("abcdef")
        assert tuple(axes[0].figure.get_size_inches()) == (3.0, 2.0)
        assert axes[4].images[0].get_array().shape == (28, 28)
    finally:
        plt.close("all")


# --- the real data, when this machine has it -------------------------------------------


def real_data_present() -> bool:
    return all(
        any((folder / name).exists() for folder in d2l.fashion_mnist_dirs())
        for name in d2l.FASHION_MNIST_MD5
    )


real_data = pytest.mark.skipif(
    not real_data_present(),
    reason="Fashion-MNIST is not on this machine (install dataset-fashion-mnist, "
    "or set D2LSITE_DATA)",
)


@real_data
def test_real_files_pass_their_checksums_and_decode_to_the_published_sizes():
    train_images, train_labels = d2l.read_fashion_mnist("train")
    test_images, test_labels = d2l.read_fashion_mnist("t10k")
    assert train_images.shape == (60000, 1, 28, 28) and train_images.dtype == torch.uint8
    assert test_images.shape == (10000, 1, 28, 28)
    assert torch.bincount(train_labels).tolist() == [6000] * 10
    assert torch.bincount(test_labels).tolist() == [1000] * 10


@real_data
def test_real_loader_gives_235_and_40_batches_of_256():
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert (len(train_iter), len(test_iter)) == (235, 40)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= float(X.min()) and float(X.max()) <= 1
    assert sum(len(y) for _, y in test_iter) == 10000
