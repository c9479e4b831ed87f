"""A small throwaway book for the engine's tests: mkdocs.yml, docs/ and a library."""

import shutil
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

LIBRARY = '''\
"""A tiny library."""

__all__ = ["double", "triple", "unused"]


def double(x: int) -> int:
    """Twice x.

    Defined in ``lesson.md``.
    """
    return 2 * x


def triple(x):
    """Thrice x.

    Defined in ``lesson.md``.
    """
    return 3 * x


def unused(x):
    """Saved, but the lesson never calls it.

    Defined in ``lesson.md``.
    """
    return x
'''

LESSON = """\
# Lesson

Some prose.

```python
import torch
import d2lsite as d2l

torch.manual_seed(0)
print(torch.randn(3))
print(d2l.double(21))
```

## Helpers

<!--pytest-codeblocks:cont-->
```python
def double(x):  # @save
    return 2 * x


def unused(x):  # @save
    return x
```

<!--pytest-codeblocks:cont-->
```python
def triple(x):  # @save
    return 3 * x


import sys

print("to stderr", file=sys.stderr)
```

<!--pytest-codeblocks:cont-->
```python
from matplotlib import pyplot as plt

plt.plot([0, 1], [1, 0])
plt.xlabel("x")
plt.ylabel("y")
```

<!--pytest-codeblocks:cont-->
<!--
```python
print("hidden check")
```
-->

<!--pytest.mark.xfail-->
```python
raise ValueError("on purpose")
```
"""


def make_book(root: Path, *, library_copy: bool = False) -> Path:
    """Write a book into ``root``; with ``library_copy`` its d2lsite is a runnable copy."""
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: test\nnav:\n  - lesson.md\n")
    (root / "docs" / "lesson.md").write_text(LESSON)
    (root / "docs" / "prose.md").write_text("# Only prose\n\nNo code here.\n")
    package = root / "d2lsite"
    if library_copy:
        shutil.copytree(REPO / "d2lsite", package, ignore=shutil.ignore_patterns("__pycache__"))
        for module in package.glob("*.py"):
            if module.name != "__init__.py":
                module.unlink()
        (package / "__init__.py").write_text(
            'from .lib import *  # noqa: F403\n\n__version__ = "0"\n'
        )
    else:
        package.mkdir()
    (package / "lib.py").write_text(LIBRARY)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def dedent(text: str) -> str:
    return textwrap.dedent(text)
