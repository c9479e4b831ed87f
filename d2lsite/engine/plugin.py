"""The MkDocs plugin ``d2lsite``: recorded outputs, notebooks, the API page and MathJax.

Registered as the entry point ``mkdocs.plugins: d2lsite`` (see pyproject.toml), so a
book's mkdocs.yml says::

    plugins:
      - search
      - d2lsite:
          records: outputs        # where `d2lsite run` writes the records (config dir)
          library: d2lsite        # the library package that pages save into
          stale: auto             # auto | fail | notice
          notebooks: true         # a notebook beside every page with code
          notebook_dir: ""        # or a folder of the site for all notebooks
          figures: inline         # inline | files: SVG in the HTML, or beside it

What it does, without ever running a page's code:

* puts each block's recorded outputs after the block; a page whose record is missing,
  stale or cannot be matched to its blocks gets a notice (``stale: notice``, and
  ``auto`` under ``mkdocs serve``) or fails the build (``fail``, and ``auto`` under
  ``mkdocs build``);
* writes a validated notebook for every page with code and links it from the page;
* fills ``api.md`` with the library reference generated from the docstrings;
* serves MathJax from the site, copied from the ``django-static-mathjax`` package.

``docs_dir``, ``nav`` and ``site_dir`` come from MkDocs' configuration; every piece of
state lives on the plugin instance, which ``mkdocs serve`` keeps across rebuilds.
"""

from __future__ import annotations

import html
import logging
import posixpath
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

from .apidoc import API_MARKER, api_markdown
from .book import Book, Status
from .notebooks import write_notebook
from .pages import parse_page
from .refs import find_references, reference_problems, substitute
from .render import block_html, insert_after_blocks, insert_after_title, match_record
from .scheduler import run_line

log = logging.getLogger("mkdocs.plugins.d2lsite")

MATHJAX_PARTS = ["tex-mml-chtml.js", "output/chtml", "input/tex/extensions", "ui"]


def run_line_html(record: dict) -> str:
    """The small line under the title: when, how long and on what the outputs were made."""
    line = run_line(record)
    return f'<p class="d2l-run-line">{html.escape(line)}</p>\n\n' if line else ""


class D2lsiteConfig(base.Config):
    records = c.Type(str, default="outputs")
    library = c.Type(str, default="d2lsite")
    stale = c.Choice(("auto", "fail", "notice"), default="auto")
    notebooks = c.Type(bool, default=True)
    notebook_dir = c.Type(str, default="")
    figures = c.Choice(("inline", "files"), default="inline")
    mathjax = c.Type(bool, default=True)


class D2lsitePlugin(BasePlugin[D2lsiteConfig]):
    supports_multiple_instances = False

    def __init__(self):
        self.command = "build"
        self.book: Book | None = None
        self.notebooks: dict[str, object] = {}  # page name -> parsed page
        self.outputs: dict[str, dict[str, str]] = {}  # page name -> marker -> HTML
        self.figures: list[tuple[Path, str]] = []  # (SVG file, destination in the site)
        self.problems: list[str] = []

    # --- configuration ---------------------------------------------------------------

    def on_startup(self, *, command, dirty) -> None:
        self.command = command

    def on_config(self, config):
        self.book = Book.from_mkdocs(config, self.config)
        return config

    def on_serve(self, server, *, config, builder):
        """``mkdocs serve`` rebuilds when a record or the library changes, not only docs/."""
        for path in (self.book.outputs, self.book.package):
            if path.is_dir():
                server.watch(str(path))
        return server

    def fails_on_stale(self) -> bool:
        if self.config.stale == "auto":
            return self.command != "serve"
        return self.config.stale == "fail"

    def on_pre_build(self, *, config) -> None:
        self.notebooks, self.outputs, self.figures, self.problems = {}, {}, [], []

    # --- MathJax ---------------------------------------------------------------------

    def on_files(self, files, *, config):
        """Serve MathJax from the site itself: no CDN, works offline."""
        if not self.config.mathjax:
            return files
        try:
            import mathjax  # the django-static-mathjax package
        except ImportError:
            log.warning(
                "django-static-mathjax is not installed, so formulas will not render: "
                'run pip install -e ".[book]"'
            )
            return files
        root = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
        for part in MATHJAX_PARTS:
            paths = [root / part] if (root / part).is_file() else sorted((root / part).rglob("*"))
            for path in paths:
                if path.is_file():
                    dest = "assets/mathjax/" + path.relative_to(root).as_posix()
                    files.append(
                        File(
                            path.relative_to(root).as_posix(),
                            str(root),
                            config["site_dir"],
                            config["use_directory_urls"],
                            dest_uri=dest,
                        )
                    )
        return files

    # --- pages -----------------------------------------------------------------------

    def notebook_uri(self, name: str) -> str:
        """Where the page's notebook lies in the site, relative to the site's root."""
        stem = name.removesuffix(".md") + ".ipynb"
        return posixpath.join(self.config.notebook_dir, stem) if self.config.notebook_dir else stem

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        book = self.book
        name = page.file.src_uri
        if API_MARKER in markdown:
            return markdown.replace(API_MARKER, api_markdown(book, name))
        parsed = parse_page(markdown, book.docs / name)
        if not parsed.python_chains:
            if find_references(markdown):  # nothing records values for it
                return self.value_problems(name, markdown, reference_problems(markdown, None))
            return markdown
        status = book.status(name, parsed)
        matched = None
        if status == Status.OK:
            matched = match_record(parsed, book.record(name))
            if matched is None:
                status = Status.STALE
        if status == Status.NO_CODE:
            return markdown
        button = ""
        if self.config.notebooks:
            self.notebooks[name] = parsed
            href = posixpath.relpath(self.notebook_uri(name), posixpath.dirname(name) or ".")
            button = (
                f'<a class="md-button d2l-notebook" href="{href}" download '
                f'title="Download this page as a Jupyter notebook">Download notebook</a>'
            )
        if status != Status.OK:
            return insert_after_title(markdown, button + "\n\n" + self.stale_notice(name, status))
        record = book.record(name)
        button = run_line_html(record) + button
        record_dir = book.record_dir(name)
        markers, html = {}, {}
        for block, entry in matched:
            rendered = block_html(entry, record_dir, self.figure_src(name, record_dir))
            if rendered:
                marker = f"<!--d2l-output-{block.index}-->"
                markers[block.index] = marker
                html[marker] = f'<div class="d2l-outputs">{rendered}</div>'
        self.outputs[name] = html
        text = insert_after_blocks(parsed, markers)
        substituted = substitute(text, record.get("values", {}))
        if substituted.problems:  # reported at the lines of the page as the author sees it
            problems = substitute(markdown, record.get("values", {})).problems
            return self.value_problems(name, substituted.text, problems, button)
        return insert_after_title(substituted.text, button)

    def value_problems(self, name: str, text: str, problems: list[str], head: str = "") -> str:
        """References the record cannot fill: the build fails, ``serve`` shows a notice."""
        where = self.book.where(name)
        for problem in problems:
            message = f"{where}: {problem}"
            if self.fails_on_stale():
                log.error(message)
                self.problems.append(message)
            else:
                log.info(message)
        items = "\n".join(f"    - {html.escape(problem)}" for problem in problems)
        notice = (
            f'!!! warning "Values missing"\n\n'
            f"    The text refers to values that this page's record does not hold:\n\n{items}"
        )
        return insert_after_title(text, (head + "\n\n" if head else "") + notice)

    def stale_notice(self, name: str, status: Status) -> str:
        where = self.book.where(name)
        message = f"{where}: outputs {status}; run: d2lsite run {where}"
        if status == Status.UNCHECKED:
            message = (
                f"{where}: outputs unchecked (the record does not say that the page's hidden "
                f"checks passed); run: d2lsite run {where}"
            )
        if self.fails_on_stale():
            log.error(message)
            self.problems.append(message)
        else:
            log.info(message)
        return (
            f'!!! warning "Outputs out of date"\n\n'
            f"    This page's outputs are {status}: run `d2lsite run {where}` "
            "to execute it and record them. Until then the numbers its text takes from the "
            "record are not filled in."
        )

    def figure_src(self, name: str, record_dir: Path):
        """With ``figures: files``, where a figure goes (a URL relative to the page)."""
        if self.config.figures == "inline":
            return None

        def src(file: str) -> str:
            dest = posixpath.join("figures", name.removesuffix(".md"), file)
            self.figures.append((record_dir / file, dest))
            return posixpath.relpath(dest, posixpath.dirname(name) or ".")

        return src

    def on_page_content(self, html: str, *, page, config, files) -> str:
        for marker, rendered in self.outputs.pop(page.file.src_uri, {}).items():
            html = html.replace(marker, rendered)
        return html

    def on_post_build(self, *, config) -> None:
        site = Path(config["site_dir"])
        for source, dest in self.figures:
            (site / dest).parent.mkdir(parents=True, exist_ok=True)
            (site / dest).write_bytes(source.read_bytes())
        for name, parsed in self.notebooks.items():
            dest = site / self.notebook_uri(name)
            for problem in write_notebook(self.book, name, parsed, dest, config):
                log.warning(f"{self.book.where(name)}: its notebook: {problem}")
        if self.problems:
            raise PluginError(
                f"{len(self.problems)} problem(s) with recorded outputs or the values the "
                "prose quotes (listed above); run d2lsite run, or set the d2lsite plugin's "
                "`stale: notice`"
            )
