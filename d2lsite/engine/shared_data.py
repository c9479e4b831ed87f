"""Data sets for machines without network: copy ``../shared/data`` into the reader's cache.

The book's development machines and CI cannot download. Beside the repository they have a
folder ``shared/data`` with byte-identical copies of the files in ``d2l.DATA_HUB``. Before
pages run (under pytest, or when ``d2lsite run`` records them) these files are copied into
the per-user cache that ``d2l.download`` searches, exactly where a reader's own downloads
would land; ``download`` still checks each file's SHA-1. Nothing happens when
``D2LSITE_DATA`` is set (then only that folder is searched) or when there is no such folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def user_cache() -> Path:
    """The folder ``d2l.data_dirs()`` searches when ``D2LSITE_DATA`` is not set.

    ``d2lsite.data`` needs only the standard library, and ``d2lsite`` loads its modules
    lazily, so this imports neither torch nor matplotlib.
    """
    from d2lsite.data import data_dirs

    return data_dirs()[0]


def seed_cache_from_shared(shared: Path | None = None) -> list[Path]:
    """Copy each file of ``shared`` (default ``<repo>/../shared/data``) missing from the cache.

    Returns the files copied.
    """
    shared = shared or REPO.parent / "shared" / "data"
    if os.environ.get("D2LSITE_DATA") or not shared.is_dir():
        return []
    cache = user_cache()
    copied = []
    for source in sorted(shared.iterdir()):
        target = cache / source.name
        if source.is_file() and not target.exists():
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied.append(target)
    return copied
