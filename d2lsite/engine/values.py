"""Values that a page's hidden blocks name with ``glue(name, value)``, for the prose.

A hidden block calls ``glue("test_acc", acc)``; the prose writes ``{{ test_acc:.3f }}``.
``glue`` is put into every page's namespace by the engine (when recording) and by the
test configuration (under pytest); pages never import it, and readers never see it.
The recorded values are written into the page and its notebook at build time.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class GlueError(ValueError):
    """A ``glue`` call with a bad name or a value that cannot be recorded."""


def plain_value(value: object) -> int | float | str | bool:
    """``value`` as a JSON-ready Python scalar: tensors and NumPy scalars of one element."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    item = getattr(value, "item", None)
    numel = getattr(value, "numel", None) or getattr(value, "size", None)
    if callable(item) and (numel() if callable(numel) else numel) == 1:
        return plain_value(item())
    raise GlueError(
        f"glue() records numbers and strings; got a {type(value).__name__}. "
        "Pass one number (for a tensor, one element) or a string."
    )


def make_glue(store: dict) -> Callable[[str, object], None]:
    """A ``glue(name, value)`` function that records into ``store``."""

    def glue(name: str, value: object) -> None:
        if not isinstance(name, str) or not name or not set(name) <= NAME_CHARS:
            raise GlueError(f"glue() needs a name of letters, digits and underscores, got {name!r}")
        if name in store:
            raise GlueError(f"glue({name!r}, ...) is called twice on this page; use a new name")
        store[name] = plain_value(value)

    return glue
