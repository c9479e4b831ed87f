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
glue("answer", 6 * 7)
```
-->

<!--pytest.mark.xfail-->
```python
raise ValueError("on purpose")
```

## Further reading

The answer is {{ answer }}, or {{ answer:.1f }} as a float.

![A small diagram](img/diagram.svg){ .d2l-diagram }

See [the page of prose](prose.md#only-prose) and the [helpers above](#helpers).[^1]

!!! note "Aside"

    An HTML note, with [a link](prose.md).

=== "Tab A"

    Text in tab A.

=== "Tab B"

    Text in tab B.

*[HTML]: Hyper Text Markup Language

[^1]: A footnote about HTML.
"""

DIAGRAM = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
    '<rect width="20" height="10" fill="#88f"/></svg>\n'
)


PROSE = "# Only prose\n\nNo code here.\n"


def make_book(
    root: Path,
    pages: dict[str, str] | None = None,
    *,
    library: str = "stub",
    library_copy: bool = False,
) -> Path:
    """Write a small book into ``root`` and return ``root``.

    ``pages`` (name -> text) default to the lesson above and a page of prose. The
    ``d2lsite`` package of the book is ``library``: ``"stub"``, the tiny library above
    (read as source only); ``"copy"``, that library made importable with the real
    ``__init__.py`` (``library_copy=True`` says the same); ``"link"``, a link to this
    repository's package.
    """
    if library_copy:
        library = "copy"
    pages = pages if pages is not None else {"lesson.md": LESSON, "prose.md": PROSE}
    (root / "docs").mkdir(parents=True)
    nav = "".join(f"  - {name}\n" for name in pages if name != "prose.md")
    (root / "mkdocs.yml").write_text(f"site_name: test\nnav:\n{nav}", encoding="utf-8")
    for name, text in pages.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    (root / "docs" / "img").mkdir()
    (root / "docs" / "img" / "diagram.svg").write_text(DIAGRAM, encoding="utf-8")
    package = root / "d2lsite"
    if library == "link":
        package.symlink_to(REPO / "d2lsite", target_is_directory=True)
        return root
    package.mkdir()
    if library == "copy":
        shutil.copytree(
            REPO / "d2lsite" / "engine",
            package / "engine",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        init = (REPO / "d2lsite" / "__init__.py").read_text(encoding="utf-8")
        start = init.index("_MODULES = (")
        end = init.index(")\n", start) + 2
        (package / "__init__.py").write_text(init[:start] + '_MODULES = ("lib",)\n' + init[end:])
    (package / "lib.py").write_text(LIBRARY)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def dedent(text: str) -> str:
    return textwrap.dedent(text)


def served_markdown(book, name: str) -> str:
    """The page's Markdown as the plugin hands it on under ``mkdocs serve``."""
    from mkdocs.config import load_config

    from d2lsite.engine.plugin import D2lsitePlugin

    config = load_config(str(book.root / "mkdocs.yml"))
    plugin = config["plugins"]["d2lsite"]
    assert isinstance(plugin, D2lsitePlugin)
    plugin.on_startup(command="serve", dirty=False)
    plugin.on_config(config)
    plugin.on_pre_build(config=config)

    class FakePage:
        class file:
            src_uri = name

    text = (book.docs / name).read_text()
    return plugin.on_page_markdown(text, page=FakePage, config=config, files=None)
