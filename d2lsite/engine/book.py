"""The book in the current directory: its pages, their recorded outputs, and staleness."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .library import Library, library_names_used
from .pages import Page, read_page

# Bump when the kernel records outputs differently; every record goes stale.
RECORD_FORMAT = 3


class BookError(Exception):
    """Not a book directory, or a page name that does not exist."""


class Book:
    def __init__(self, root: Path | str = "."):
        self.root = Path(root).resolve()
        if not (self.root / "mkdocs.yml").is_file() or not (self.root / "docs").is_dir():
            raise BookError(
                f"{self.root} is not a d2lsite book: it needs mkdocs.yml and docs/. "
                "Run d2lsite from the repository's top folder."
            )
        self.docs = self.root / "docs"
        self.outputs = self.root / "outputs"

    @property
    def library(self) -> Library:
        """The library as it is on disk now (re-read whenever a module changes)."""
        package = self.root / "d2lsite"
        stamp = tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(package.glob("*.py"))
        )
        if getattr(self, "_library_stamp", None) != stamp:
            self._library, self._library_stamp = Library(package), stamp
        return self._library

    def pages(self) -> list[str]:
        """Every page, as a path relative to docs/, in the order of the site's navigation."""
        nav = nav_order(self.root / "mkdocs.yml")
        found = sorted(p.relative_to(self.docs).as_posix() for p in self.docs.rglob("*.md"))
        return [p for p in nav if p in found] + [p for p in found if p not in nav]

    def page_name(self, arg: str) -> str:
        """Accept ``docs/a/b.md``, ``a/b.md`` or ``a/b``; return ``a/b.md``."""
        name = arg.removeprefix("docs/").removeprefix("./docs/")
        if not name.endswith(".md"):
            name += ".md"
        if not (self.docs / name).is_file():
            raise BookError(f"no page {arg!r}: expected a file docs/{name}")
        return name

    def page(self, name: str) -> Page:
        return read_page(self.docs / name)

    def record_dir(self, name: str) -> Path:
        return self.outputs / name.removesuffix(".md")

    def record(self, name: str) -> dict | None:
        path = self.record_dir(name) / "record.json"
        if not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def key(self, page: Page) -> str:
        """Hash of everything that can change the page's outputs.

        That is the page's executed code (block by block, with the chains' marks)
        and the library definitions the code reaches. Prose is not part of it, nor
        are library definitions the page does not use, nor docstrings.
        """
        h = hashlib.sha256(f"format {RECORD_FORMAT}\n".encode())
        code = []
        for chain in page.python_chains:
            blocks = [b.code for b in chain.blocks]
            h.update(json.dumps({"marks": chain.marks, "blocks": blocks}).encode())
            code += blocks
        used = set().union(*(library_names_used(c) for c in code)) if code else set()
        h.update(self.library.fingerprint(used).encode())
        return h.hexdigest()[:24]

    def status(self, name: str, page: Page | None = None) -> str:
        """``no code``, ``missing``, ``stale`` or ``ok``."""
        page = page or self.page(name)
        if not page.executed_blocks:
            return "no code"
        record = self.record(name)
        if record is None:
            return "missing"
        return "ok" if record.get("key") == self.key(page) else "stale"

    def orphan_records(self) -> list[str]:
        pages = {p.removesuffix(".md") for p in self.pages()}
        if not self.outputs.is_dir():
            return []
        return sorted(
            r.parent.relative_to(self.outputs).as_posix()
            for r in self.outputs.rglob("record.json")
            if r.parent.relative_to(self.outputs).as_posix() not in pages
        )


def nav_order(mkdocs_yml: Path) -> list[str]:
    """Page paths listed in mkdocs.yml's ``nav``, in order."""
    import yaml

    config = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8")) or {}

    def walk(item):
        if isinstance(item, str):
            yield item
        elif isinstance(item, list):
            for sub in item:
                yield from walk(sub)
        elif isinstance(item, dict):
            for sub in item.values():
                yield from walk(sub)

    return [p for p in walk(config.get("nav", [])) if p.endswith(".md")]
