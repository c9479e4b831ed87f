"""Data files: a registry with checksums, a download helper, and the reduced budget.

``download(name)`` returns a verified local copy of a registered file, looking in
``$D2LSITE_DATA`` (alone, if set) or the per-user cache before downloading.
``batch_limit()`` tells the library's loaders how many minibatches to yield per pass:
all of them, or only a few when the book's tests run a long page at the reduced budget.
"""

import hashlib
import os
import urllib.request
from pathlib import Path

__all__ = ["DATA_HUB", "DATA_URL", "batch_limit", "data_dirs", "download"]

DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"
# File name -> (URL, SHA-1 of the file). The files are byte-identical to D2L's copies.
DATA_HUB = {
    "kaggle_house_pred_train.csv": (
        DATA_URL + "kaggle_house_pred_train.csv",
        "585e9cc93e70b39160e7921475f9bcd7d31219ce",
    ),
    "kaggle_house_pred_test.csv": (
        DATA_URL + "kaggle_house_pred_test.csv",
        "fa19780a7b011d9b009e8bff8e99922a8ee2eb90",
    ),
    "airfoil_self_noise.dat": (
        DATA_URL + "airfoil_self_noise.dat",
        "76e5be1548fd8222e5074cf0faae75edff8cf93f",
    ),
    "timemachine.txt": (
        DATA_URL + "timemachine.txt",
        "090b5e7e70c295757f55df93cb0a180b9691891a",
    ),
}


def data_dirs() -> list[Path]:
    """The folders searched for data files, in order; downloads go to the first.

    With ``D2LSITE_DATA`` set, only that folder. Otherwise the per-user cache
    ``$XDG_CACHE_HOME/d2lsite`` (default ``~/.cache/d2lsite``).

    Defined in ``appendix/tools.md``.
    """
    if os.environ.get("D2LSITE_DATA"):
        return [Path(os.environ["D2LSITE_DATA"])]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return [cache / "d2lsite"]


def download(name: str) -> Path:
    """The path of a verified local copy of the registered file ``name``.

    Looks in each folder of ``data_dirs()``; without a copy, downloads
    ``DATA_HUB[name]``'s URL into the first folder. Every copy is checked
    against its SHA-1. Raises ``KeyError`` for a name that is not registered,
    ``ValueError`` for a damaged copy (delete it and call again), and
    ``FileNotFoundError``, naming every folder searched, when there is no copy
    and the download fails.

    Defined in ``generalization/kaggle-house-price.md``.
    """
    if name not in DATA_HUB:
        raise KeyError(f"no data file {name!r} in DATA_HUB; registered: {sorted(DATA_HUB)}")
    url, sha1 = DATA_HUB[name]
    folders = data_dirs()
    path = next((f / name for f in folders if (f / name).exists()), None)
    if path is None:
        path = folders[0] / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with urllib.request.urlopen(url, timeout=30) as response:
                data = response.read()
        except OSError as error:  # no network, a server error, a read-only folder
            searched = "".join(f"\n  {f}" for f in folders)
            raise FileNotFoundError(
                f"{name} is in none of these folders:{searched}\n"
                f"and downloading {url} failed: {error}\n"
                f"Connect to the network and try again, or copy {name} into a folder DIR "
                "and set D2LSITE_DATA=DIR (then only that folder is searched)."
            ) from None
        if hashlib.sha1(data).hexdigest() != sha1:
            raise ValueError(f"the download of {url} is damaged (SHA-1 mismatch); try again")
        path.write_bytes(data)
    if hashlib.sha1(path.read_bytes()).hexdigest() != sha1:
        raise ValueError(
            f"{path} is damaged or is not the expected file (its SHA-1 check failed). "
            "Delete it and call download() again for a fresh copy."
        )
    return path


def batch_limit() -> int | None:
    """How many minibatches the library's loaders yield per pass: ``None`` for all.

    The book's tests run long pages at a reduced budget by setting the
    environment variable ``D2LSITE_BUDGET=reduced``; then every loader yields
    at most 4 minibatches per pass, so a 10-epoch training runs in seconds.
    A reader never sets it, and the book's recorded outputs come from full runs.

    Defined in ``appendix/tools.md``.
    """
    return 4 if os.environ.get("D2LSITE_BUDGET") == "reduced" else None
