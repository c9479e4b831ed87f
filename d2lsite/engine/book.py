"""The book in the current directory: its pages, their recorded outputs, and staleness."""

from __future__ import annotations

import hashlib
import json
from enum import Enum
from pathlib import Path

from .library import Library, library_names_used
from .pages import Block, Page, read_page

# Bump when the engine records outputs differently; every record goes stale.
RECORD_FORMAT = 4  # 4: every entry carries its block's identity and whether it ran


class BookError(Exception):
    """Not a book directory, or a page name that does not exist."""


class Status(str, Enum):
    """The state of a page's recorded outputs."""

    OK = "ok"
    STALE = "stale"
    MISSING = "missing"
    NO_CODE = "no code"
    # current, but its hidden checks did not pass when it was recorded (or it predates
    # records that say so): d2lsite check and the strict build refuse it
    UNCHECKED = "unchecked"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class Book:
    """The pages, records and library of one book.

    ``Book(root)`` reads ``root/mkdocs.yml`` with MkDocs' own loader (so ``!ENV`` and
    ``!!python/name:`` tags work) and takes ``docs_dir``, ``nav`` and the d2lsite
    plugin's options from it. The plugin builds its Book from the running MkDocs
    configuration instead (``Book.from_mkdocs``).
    """

    def __init__(
        self,
        root: Path | str = ".",
        *,
        docs_dir: Path | str | None = None,
        nav: list | None = None,
        records: str = "outputs",
        library: str = "d2lsite",
    ):
        self.root = Path(root).resolve()
        if docs_dir is None:
            config_file = self.root / "mkdocs.yml"
            if not config_file.is_file():
                raise BookError(
                    f"{self.root} is not a d2lsite book: it needs mkdocs.yml and docs/. "
                    "Run d2lsite from the repository's top folder."
                )
            config = load_mkdocs_config(config_file)
            options = plugin_options(config)
            docs_dir, nav = config["docs_dir"], config["nav"]
            records = options.get("records", records)
            library = options.get("library", library)
        self.docs = Path(docs_dir)
        if not self.docs.is_dir():
            raise BookError(
                f"{self.root} is not a d2lsite book: it needs mkdocs.yml and docs/ "
                f"(no folder {self.docs}). Run d2lsite from the repository's top folder."
            )
        self.nav = nav or []
        self.outputs = self.root / records
        self.package = self.root / library

    @classmethod
    def from_mkdocs(cls, config, options) -> Book:
        """The book of a running MkDocs build: its config and the plugin's options."""
        return cls(
            Path(config["config_file_path"]).parent,
            docs_dir=config["docs_dir"],
            nav=config["nav"],
            records=options["records"],
            library=options["library"],
        )

    @property
    def library(self) -> Library:
        """The library as it is on disk now (re-read whenever a module changes)."""
        package = self.package
        stamp = tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(package.glob("*.py"))
        )
        if getattr(self, "_library_stamp", None) != stamp:
            self._library, self._library_stamp = Library(package), stamp
        return self._library

    def pages(self) -> list[str]:
        """Every page, as a path relative to docs/, in the order of the site's navigation."""
        nav = nav_pages(self.nav)
        found = sorted(p.relative_to(self.docs).as_posix() for p in self.docs.rglob("*.md"))
        return [p for p in nav if p in found] + [p for p in found if p not in nav]

    def where(self, name: str) -> str:
        """A page's path as the author types it: ``docs/a/b.md``."""
        try:
            docs = self.docs.resolve().relative_to(self.root).as_posix()
        except ValueError:
            docs = str(self.docs)
        return f"{docs}/{name}"

    def page_name(self, arg: str) -> str:
        """Accept ``docs/a/b.md``, ``a/b.md`` or ``a/b``; return ``a/b.md``."""
        docs = self.where("")
        name = arg.removeprefix("./").removeprefix(docs)
        if not name.endswith(".md"):
            name += ".md"
        if not (self.docs / name).is_file():
            raise BookError(f"no page {arg!r}: expected a file {self.where(name)}")
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
        used = library_names_used(code)
        h.update(self.library.fingerprint(used).encode())
        return h.hexdigest()[:24]

    def status(self, name: str, page: Page | None = None) -> Status:
        page = page or self.page(name)
        if not page.code_blocks:
            return Status.NO_CODE
        record = self.record(name)
        if record is None:
            return Status.MISSING
        if record.get("key") != self.key(page) or match_record(page, record) is None:
            return Status.STALE
        if record.get("checks") != "passed":
            return Status.UNCHECKED
        return Status.OK

    def orphan_records(self) -> list[str]:
        pages = {p.removesuffix(".md") for p in self.pages()}
        if not self.outputs.is_dir():
            return []
        return sorted(
            r.parent.relative_to(self.outputs).as_posix()
            for r in self.outputs.rglob("record.json")
            if r.parent.relative_to(self.outputs).as_posix() not in pages
        )


def match_record(page: Page, record: dict | None) -> list[tuple[Block, dict]] | None:
    """Each of the page's code blocks with its recorded entry, matched by identity.

    Identity is the block's index among the page's Python chain blocks and the hash
    of its code, never its position among the blocks that ran (which blocks run
    depends on the machine that records). ``None`` if the record does not fit the
    page block for block: such a record is stale, and nothing of it is shown.
    """
    if not record or record.get("format") != RECORD_FORMAT:
        return None
    entries = {(e.get("index"), e.get("code_hash")): e for e in record.get("blocks", [])}
    blocks = page.code_blocks
    if len(entries) != len(blocks) or any(b.identity not in entries for b in blocks):
        return None
    return [(b, entries[b.identity]) for b in blocks]


def load_mkdocs_config(config_file: Path):
    """mkdocs.yml read by MkDocs itself: tags such as ``!ENV`` resolve, defaults filled in."""
    import logging

    from mkdocs.config import load_config

    mkdocs_log = logging.getLogger("mkdocs")
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.ERROR)  # its notes about the config are the build's business
    try:
        return load_config(str(config_file))
    except Exception as err:  # noqa: BLE001 - MkDocs raises several kinds
        raise BookError(f"{config_file}: MkDocs cannot read it: {err}") from None
    finally:
        mkdocs_log.setLevel(level)


def plugin_options(config) -> dict:
    """The d2lsite plugin's options in a loaded MkDocs config, or ``{}`` if it is not used."""
    plugin = config["plugins"].get("d2lsite")
    return dict(plugin.config) if plugin is not None else {}


def nav_pages(nav) -> list[str]:
    """Page paths listed in a MkDocs ``nav``, in order."""

    def walk(item):
        if isinstance(item, str):
            yield item
        elif isinstance(item, list):
            for sub in item:
                yield from walk(sub)
        elif isinstance(item, dict):
            for sub in item.values():
                yield from walk(sub)

    return [p for p in walk(nav or []) if p.endswith(".md")]
