"""The MkDocs side of the book, kept to these few hooks.

* Recorded outputs go after their code blocks; a page with missing or stale outputs
  fails ``mkdocs build`` (strict) and, under ``mkdocs serve``, shows a notice instead.
  The site never runs a page's code.
* Each page with code gets a notebook beside it, and a button to download it.
* ``api.md`` gets the library reference, generated from the docstrings.
* MathJax is copied from the installed ``django-static-mathjax`` package.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from mkdocs.structure.files import File

from d2lsite.engine.apidoc import API_MARKER, api_markdown
from d2lsite.engine.book import Book
from d2lsite.engine.pages import parse_page
from d2lsite.engine.render import block_html, insert_after_blocks, insert_after_title, notebook

log = logging.getLogger("mkdocs.plugins.d2lsite")
state: dict = {"command": "build", "notebooks": {}, "outputs": {}}

MATHJAX_PARTS = ["tex-mml-chtml.js", "output/chtml", "input/tex/extensions", "ui"]


def on_startup(command: str, dirty: bool) -> None:
    state["command"] = command


def on_config(config):
    state["book"] = Book(Path(config.config_file_path).parent)
    return config


def on_pre_build(config) -> None:
    state["notebooks"] = {}


def on_files(files, config):
    """Serve MathJax from the site itself: no CDN, works offline."""
    try:
        import mathjax  # the django-static-mathjax package
    except ImportError:
        log.warning(
            "django-static-mathjax is not installed, so formulas will not render: "
            'run pip install -e ".[dev]"'
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
                        config.site_dir,
                        config.use_directory_urls,
                        dest_uri=dest,
                    )
                )
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    book: Book = state["book"]
    name = page.file.src_uri
    if API_MARKER in markdown:
        return markdown.replace(API_MARKER, api_markdown(book, name))
    parsed = parse_page(markdown, book.docs / name)
    if not parsed.executed_blocks:
        return markdown
    status = book.status(name, parsed)
    stem = Path(name).stem
    state["notebooks"][name] = parsed
    button = (
        f'<a class="md-button d2l-notebook" href="{stem}.ipynb" download '
        f'title="Download this page as a Jupyter notebook">Download notebook</a>'
    )
    if status != "ok":
        notice = (
            f'!!! warning "Outputs out of date"\n\n'
            f"    This page's outputs are {status}: run `d2lsite run docs/{name}` "
            "to execute it and record them."
        )
        message = f"docs/{name}: outputs {status}; run: d2lsite run docs/{name}"
        if state["command"] == "serve":
            log.info(message)
        else:
            log.warning(message)
        return insert_after_title(markdown, button + "\n\n" + notice)
    record = book.record(name)
    record_dir = book.record_dir(name)
    markers, html = {}, {}
    for ordinal, entry in enumerate(record["blocks"]):
        rendered = block_html(entry, record_dir)
        if rendered:
            markers[ordinal] = f"<!--d2l-output-{ordinal}-->"
            html[markers[ordinal]] = f'<div class="d2l-outputs">{rendered}</div>'
    state["outputs"][name] = html
    return insert_after_title(insert_after_blocks(parsed, markers), button)


def on_page_content(html: str, page, config, files) -> str:
    for marker, rendered in state["outputs"].pop(page.file.src_uri, {}).items():
        html = html.replace(marker, rendered)
    return html


def on_post_build(config) -> None:
    book: Book = state["book"]
    for name, parsed in state["notebooks"].items():
        record = book.record(name) if book.status(name, parsed) == "ok" else None
        nb = notebook(parsed, record, book.record_dir(name))
        dest = Path(config.site_dir) / name.removesuffix(".md")
        dest = dest.with_suffix(".ipynb")
        os.makedirs(dest.parent, exist_ok=True)
        dest.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
