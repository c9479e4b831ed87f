"""Reading the book's pages as text, for the tests of its prose.

Standalone on purpose (only PyYAML): the prose tests must not depend on the execution
engine, and must see every page in ``docs/``, in the nav or not yet.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


class _AnyTagLoader(yaml.SafeLoader):
    """A safe loader that reads unknown tags (``!!python/name:...``, ``!ENV``) as plain
    values, so that plugin settings in mkdocs.yml never stop the nav from being read."""


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)


_AnyTagLoader.add_multi_constructor("", _any_tag)
_AnyTagLoader.add_multi_constructor("!", _any_tag)
_AnyTagLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


def _walk_nav(item, out: list[str]) -> None:
    if isinstance(item, str):
        if item.endswith(".md"):
            out.append(item)
    elif isinstance(item, list):
        for sub in item:
            _walk_nav(sub, out)
    elif isinstance(item, dict):
        for value in item.values():
            _walk_nav(value, out)


def nav_pages() -> list[str]:
    """The Markdown pages of mkdocs.yml's nav, in order (paths relative to docs/)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), _AnyTagLoader)
    out: list[str] = []
    _walk_nav(config.get("nav", []), out)
    return [page for page in dict.fromkeys(out) if (DOCS / page).is_file()]


def all_pages() -> list[str]:
    """Every Markdown page under docs/: the nav's pages in nav order, then the pages not
    (yet) in the nav, sorted by path."""
    in_nav = nav_pages()
    others = sorted(
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.md")
        if p.relative_to(DOCS).as_posix() not in in_nav
    )
    return in_nav + others


def read(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def _blank(match: re.Match) -> str:
    """The matched text with every character but line breaks turned into a space, so
    that offsets and line numbers stay those of the page."""
    return re.sub(r"[^\n]", " ", match.group(0))


_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# A fenced block: its opening fence (``` or ~~~, indented or not) to the matching close.
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[^\n]*\n.*?^\1?[ \t]*\2[ \t]*$", re.S | re.M)
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1", re.S)
_MATH_BLOCK = re.compile(r"\$\$.*?\$\$", re.S)


def prose(text: str, *, keep_inline_code: bool = False) -> str:
    """A page's prose: front matter, HTML comments (hidden checks), fenced code and
    display math blanked out (offsets and line numbers kept). Inline code is replaced by
    ``C``s too unless ``keep_inline_code``."""
    text = _FRONT_MATTER.sub(_blank, text)
    text = _COMMENT.sub(_blank, text)
    text = _FENCE.sub(_blank, text)
    text = _MATH_BLOCK.sub(_blank, text)
    if not keep_inline_code:
        text = _INLINE_CODE.sub(lambda m: re.sub(r"[^\n]", "C", m.group(0)), text)
    return text


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
