"""Fashion-MNIST: finding, checking and decoding the files, and fast minibatches.

The four original ``*-ubyte.gz`` files are looked up locally (``$D2LSITE_DATA``
alone if it is set; otherwise a per-user cache, then Debian's
``/usr/share/datasets/fashion-mnist``) and downloaded only when no local copy
exists. Each file is decoded once into an in-memory ``uint8`` tensor; batches
are cut from it by indexing, so an epoch costs milliseconds, not seconds.
"""

import gzip
import hashlib
import math
import os
from pathlib import Path

import torch
from matplotlib import pyplot as plt
from torch.nn import functional as F

import d2lsite as d2l

__all__ = [
    "FASHION_MNIST_DATA_MD5",
    "FASHION_MNIST_MD5",
    "FASHION_MNIST_SYSTEM_DIR",
    "FASHION_MNIST_URL",
    "TensorLoader",
    "cached_fashion_mnist",
    "fashion_mnist_dirs",
    "find_fashion_mnist_file",
    "get_fashion_mnist_labels",
    "load_data_fashion_mnist",
    "read_fashion_mnist",
    "read_idx",
    "show_images",
]

FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_MNIST_SYSTEM_DIR = "/usr/share/datasets/fashion-mnist"

# MD5 of each .gz file as published on the mirror (checks a download).
FASHION_MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
# MD5 of the data inside each .gz file (checks any copy, recompressed or not).
FASHION_MNIST_DATA_MD5 = {
    "train-images-idx3-ubyte.gz": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte.gz": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte.gz": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte.gz": "15d484375f8d13e6eb1aabb0c3f46965",
}


def fashion_mnist_dirs() -> list[Path]:
    """The local folders that may hold Fashion-MNIST, in the order they are searched.

    With ``D2LSITE_DATA`` set, only ``$D2LSITE_DATA/fashion-mnist``. Otherwise
    the per-user cache ``$XDG_CACHE_HOME/d2lsite/fashion-mnist`` (default
    ``~/.cache``), then the folder of Debian's package ``dataset-fashion-mnist``.
    Downloads go to the first folder.

    Defined in ``appendix/tools.md``.
    """
    folders = [folder / "fashion-mnist" for folder in d2l.data_dirs()]
    if os.environ.get("D2LSITE_DATA"):
        return folders
    return folders + [Path(FASHION_MNIST_SYSTEM_DIR)]


def find_fashion_mnist_file(name: str) -> Path:
    """The path of one Fashion-MNIST file: its first local copy, else a download.

    Raises ``FileNotFoundError`` with every place searched and what to do when
    there is no local copy and the download fails.

    Defined in ``appendix/tools.md``.
    """
    folders = fashion_mnist_dirs()
    for folder in folders:
        if (folder / name).exists():
            return folder / name
    from torchvision.datasets.utils import download_url  # slow import: only when needed

    url = FASHION_MNIST_URL + name
    try:
        download_url(url, folders[0], name, FASHION_MNIST_MD5[name])
    except Exception as error:  # no network, a server error, a damaged download, ...
        searched = "".join(f"\n  {folder}" for folder in folders)
        raise FileNotFoundError(
            f"Fashion-MNIST's {name} is in none of these folders:{searched}\n"
            f"and downloading {url} failed: {error}\n"
            "Connect to the network and try again, install the Debian package "
            "dataset-fashion-mnist, or copy the four *-ubyte.gz files into "
            "DIR/fashion-mnist and set D2LSITE_DATA=DIR (then only that folder is searched)."
        ) from None
    return folders[0] / name


def read_idx(path: str | Path, md5: str) -> torch.Tensor:
    """Decode a gzipped idx file into a ``uint8`` tensor, after checking its MD5.

    ``md5`` is the checksum of the decompressed data. A file that is damaged
    or is not the expected one raises ``ValueError`` naming it.

    Defined in ``appendix/tools.md``.
    """
    try:
        data = gzip.decompress(Path(path).read_bytes())
    except (OSError, EOFError):  # not gzip, or cut short
        data = b""
    if hashlib.md5(data).hexdigest() != md5:
        raise ValueError(
            f"{path} is damaged or is not the expected file (its MD5 check failed). "
            "Delete it and call again to download a fresh copy, or fetch it yourself "
            f"from {FASHION_MNIST_URL + Path(path).name}."
        )
    ndim = data[3]  # header: 2 zero bytes, a type code, the number of dimensions
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(data), dtype=torch.uint8, offset=4 + 4 * ndim).reshape(shape)


def read_fashion_mnist(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (``uint8``, N x 1 x 28 x 28) and labels (``int64``, N) of a split.

    ``split`` is ``"train"`` (60,000 examples) or ``"t10k"`` (10,000).

    Defined in ``appendix/tools.md``.
    """
    if split not in ("train", "t10k"):
        raise ValueError(f'split must be "train" or "t10k", got {split!r}')
    images_file = f"{split}-images-idx3-ubyte.gz"
    labels_file = f"{split}-labels-idx1-ubyte.gz"
    images = read_idx(find_fashion_mnist_file(images_file), FASHION_MNIST_DATA_MD5[images_file])
    labels = read_idx(find_fashion_mnist_file(labels_file), FASHION_MNIST_DATA_MD5[labels_file])
    return images.unsqueeze(1), labels.long()


def cached_fashion_mnist(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``read_fashion_mnist(split)``, kept decoded on disk after the first call.

    The decoded tensors go to ``<split>-decoded.pt`` in the first folder of
    ``fashion_mnist_dirs()`` (where downloads go too), and later calls read
    them back from there in a few tens of milliseconds. A cache file that
    cannot be read is rebuilt; a folder that cannot be written is skipped.

    Defined in ``appendix/tools.md``.
    """
    path = fashion_mnist_dirs()[0] / f"{split}-decoded.pt"
    try:
        return torch.load(path)
    except Exception:  # not cached yet, or the cache file is damaged
        pass
    images, labels = read_fashion_mnist(split)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}")
        torch.save((images, labels), partial)
        partial.replace(path)  # the cache file is complete, or not there at all
    except OSError:  # a read-only folder: no cache, no harm
        pass
    return images, labels


class TensorLoader:
    """Minibatches ``(X, y)`` cut from in-memory image and label tensors.

    ``images`` is ``uint8`` (N x C x H x W); each batch ``X`` is ``float32`` in
    [0, 1], resized to ``resize`` (a positive int or a pair of them) if given.
    With ``shuffle=True`` every pass draws a new order from the loader's own
    generator, which is seeded from torch's global generator. Yields at most
    ``d2l.batch_limit()`` batches per pass (all, except at the reduced budget
    of the book's tests). Raises ``ValueError`` for a ``batch_size`` or
    ``resize`` that is not a positive whole number, or images and labels of
    different lengths.

    Defined in ``appendix/tools.md``.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        shuffle: bool,
        resize: int | tuple[int, int] | None = None,
    ) -> None:
        if type(batch_size) is not int or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        sizes = list(resize) if isinstance(resize, (tuple, list)) else [resize]
        if resize is not None and (
            len(sizes) not in (1, 2) or any(type(s) is not int or s < 1 for s in sizes)
        ):
            raise ValueError(
                f"resize must be None, a positive integer or a pair (height, width) of them, "
                f"got {resize!r}"
            )
        if len(images) != len(labels):
            raise ValueError(f"got {len(images)} images but {len(labels)} labels")
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle, self.resize = batch_size, shuffle, resize
        seed = int(torch.randint(2**62, ()))
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        num_batches = math.ceil(len(self.labels) / self.batch_size)
        return min(num_batches, d2l.batch_limit() or num_batches)

    def __iter__(self):
        n = len(self.labels)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = order[start : start + self.batch_size]
            X = self.images.index_select(0, batch) / 255  # uint8 / int gives float32
            if self.resize:
                X = F.interpolate(X, size=self.resize, mode="bilinear", antialias=True)
            yield X, self.labels[batch]


def load_data_fashion_mnist(
    batch_size: int, resize: int | tuple[int, int] | None = None
) -> tuple[TensorLoader, TensorLoader]:
    """Fashion-MNIST as ``(train_iter, test_iter)``.

    Each yields ``(X, y)``: ``X`` ``float32`` in [0, 1] of shape
    (B, 1, 28, 28), or (B, 1, h, w) with ``resize``; ``y`` ``int64`` class
    indices. ``train_iter`` reshuffles every epoch; ``test_iter`` keeps the
    file's order.

    Defined in ``appendix/tools.md``.
    """
    train_images, train_labels = cached_fashion_mnist("train")
    test_images, test_labels = cached_fashion_mnist("t10k")
    train_iter = TensorLoader(train_images, train_labels, batch_size, shuffle=True, resize=resize)
    test_iter = TensorLoader(test_images, test_labels, batch_size, shuffle=False, resize=resize)
    return train_iter, test_iter


def get_fashion_mnist_labels(labels) -> list[str]:
    """The text label of each class index in ``labels`` (ints or a tensor).

    Defined in ``linear-classification/fashion-mnist.md``.
    """
    names = ["t-shirt", "trouser", "pullover", "dress", "coat",
             "sandal", "shirt", "sneaker", "bag", "ankle boot"]  # fmt: skip
    return [names[int(i)] for i in labels]


def show_images(imgs, num_rows: int, num_cols: int, titles=None, scale: float = 1.5):
    """Draw images on a ``num_rows`` x ``num_cols`` grid; return the flat axes.

    Each image is a tensor or array of shape (H, W) or (1, H, W), drawn in
    grey; ``titles`` (optional) holds one title per image.

    Defined in ``linear-classification/fashion-mnist.md``.
    """
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs, strict=False)):
        ax.imshow(torch.as_tensor(img).squeeze().numpy(), cmap="gray")
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i])
    return axes
