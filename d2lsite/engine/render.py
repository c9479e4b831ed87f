"""Turning recorded outputs into HTML for the site (notebooks: see ``notebooks.py``)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from .book import match_record  # noqa: F401 - where the renderer's callers look for it
from .pages import Page

COLLAPSE_AFTER_LINES = 30
SVG_START = re.compile(r"<svg\b")
SVG_GLOBAL_STYLE = re.compile(r"<style[^>]*>\s*\*\s*\{[^}]*\}\s*</style>")


def inline_svg(svg: str, alt: str) -> str:
    """An SVG file made fit to sit inside a page: no XML prolog, no page-wide CSS, labelled."""
    svg = svg[SVG_START.search(svg).start() :]
    svg = SVG_GLOBAL_STYLE.sub("", svg)  # its '* {...}' rule would restyle the whole page
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt)}" ', 1)


def text_output(text: str, label: str, kind: str) -> str:
    body = f"<pre><code>{html.escape(text.rstrip())}</code></pre>"
    classes = f"d2l-output d2l-output--{kind}"
    n = text.rstrip().count("\n") + 1
    if n > COLLAPSE_AFTER_LINES:
        return (
            f'<details class="{classes}"><summary class="d2l-output__label">'
            f"{label} ({n} lines)</summary>{body}</details>"
        )
    return f'<div class="{classes}"><div class="d2l-output__label">{label}</div>{body}</div>'


def block_html(
    entry: dict, record_dir: Path, figure_src: Callable[[str], str] | None = None
) -> str:
    """Everything one block printed and drew, or an empty string.

    Figures are inlined as SVG, or with ``figure_src`` (file name -> URL) linked as images.
    """
    if not entry.get("ran", True):
        return ""
    parts = []
    if entry["stdout"]:
        parts.append(text_output(entry["stdout"], "Output", "stdout"))
    if entry["stderr"]:
        parts.append(text_output(entry["stderr"], "Warnings and errors (stderr)", "stderr"))
    if entry["error"]:
        parts.append(text_output(entry["error"], "Error (this block fails on purpose)", "error"))
    for fig in entry["figures"]:
        if figure_src is not None:
            src, alt = html.escape(figure_src(fig["file"])), html.escape(fig["alt"])
            img = f'<img src="{src}" alt="{alt}">'
            parts.append(f'<figure class="d2l-figure">{img}</figure>')
            continue
        svg = (record_dir / fig["file"]).read_text(encoding="utf-8")
        parts.append(f'<figure class="d2l-figure">{inline_svg(svg, fig["alt"])}</figure>')
    return "\n".join(parts)


def insert_after_blocks(page: Page, markers: dict[int, str]) -> str:
    """The page's text with ``markers[i]`` placed after the code block of index ``i``."""
    lines = page.text.splitlines(keepends=True)
    after: dict[int, str] = {}
    for block in page.code_blocks:
        if block.index in markers and not block.hidden:
            after[block.end_line] = " " * block.indent + markers[block.index] + "\n"
    out = []
    for number, line in enumerate(lines, start=1):
        out.append(line)
        if number in after:
            out.append("\n" + after[number] + "\n")
    return "".join(out)


def insert_after_title(text: str, snippet: str) -> str:
    """Put ``snippet`` right after the page's first ``# `` heading (or at the top)."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "".join(lines[: i + 1]) + "\n" + snippet + "\n\n" + "".join(lines[i + 1 :])
    return snippet + "\n\n" + text
