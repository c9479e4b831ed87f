"""Turning recorded outputs into HTML for the site and into Jupyter notebooks."""

from __future__ import annotations

import html
import re
from pathlib import Path

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


def block_html(entry: dict, record_dir: Path) -> str:
    """Everything one block printed and drew, or an empty string."""
    parts = []
    if entry["stdout"]:
        parts.append(text_output(entry["stdout"], "Output", "stdout"))
    if entry["stderr"]:
        parts.append(text_output(entry["stderr"], "Warnings and errors (stderr)", "stderr"))
    if entry["error"]:
        parts.append(text_output(entry["error"], "Error (this block fails on purpose)", "error"))
    for fig in entry["figures"]:
        svg = (record_dir / fig["file"]).read_text(encoding="utf-8")
        parts.append(f'<figure class="d2l-figure">{inline_svg(svg, fig["alt"])}</figure>')
    return "\n".join(parts)


def insert_after_blocks(page: Page, markers: dict[int, str]) -> str:
    """The page's text with ``markers[i]`` placed after the i-th executed block."""
    lines = page.text.splitlines(keepends=True)
    after: dict[int, str] = {}
    for ordinal, block in enumerate(page.executed_blocks):
        if ordinal in markers and not block.hidden:
            after[block.end_line] = " " * block.indent + markers[ordinal] + "\n"
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


# --- notebooks ---------------------------------------------------------------------

ADMONITION = re.compile(
    r"^(?P<indent>\s*)(?P<kind>!!!|\?\?\?\+?)\s+(?P<type>[\w-]+)"
    r'(?:\s+"(?P<title>[^"]*)")?\s*$'
)
TAB = re.compile(r'^(?P<indent>\s*)===\+?\s+"(?P<title>[^"]*)"\s*$')
COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)


def jupyter_markdown(text: str) -> str:
    """Rewrite the site's Markdown extensions into what Jupyter renders.

    Admonitions become block quotes, collapsed ones ``<details>``, and tabs bold
    labels; HTML comments (markers and hidden checks) are dropped. Math stays as is.
    """
    text = COMMENT.sub("", text)
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = ADMONITION.match(lines[i]) or TAB.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent = len(m.group("indent"))
        body = []
        i += 1
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent
        ):
            body.append(lines[i][indent + 4 :])
            i += 1
        inner = jupyter_markdown("\n".join(body)).strip("\n")
        title = m.group("title") if m.group("title") is not None else ""
        kind = m.groupdict().get("kind")
        if kind is None:  # a content tab
            out += [f"**{title}**", "", inner, ""]
        elif kind.startswith("???"):
            summary = title or m.group("type").capitalize()
            out += [
                f"<details><summary>{html.escape(summary)}</summary>",
                "",
                inner,
                "",
                "</details>",
                "",
            ]
        else:
            head = title or m.group("type").capitalize()
            out += [f"> **{head}**", ">"] + [f"> {line}".rstrip() for line in inner.split("\n")]
            out.append("")
    return "\n".join(out)


def notebook(page: Page, record: dict | None, record_dir: Path) -> dict:
    """The page as an nbformat-4 notebook: prose, visible code, and recorded outputs."""
    lines = page.text.splitlines(keepends=True)
    # Outputs are recorded in the order the blocks run; prose edits move lines, not that.
    entries = record["blocks"] if record else []
    ordinal = {id(b): i for i, b in enumerate(page.executed_blocks)}
    cells = []
    start = 0
    for block in page.blocks:
        if block.syntax != "python" or block.hidden or block.expected_output:
            continue
        prose = jupyter_markdown("".join(lines[start : block.line - 1])).strip()
        if prose:
            cells.append(markdown_cell(prose))
        i = ordinal.get(id(block))
        entry = entries[i] if i is not None and i < len(entries) else None
        cells.append(code_cell(block.code, entry, record_dir))
        start = block.end_line
    prose = jupyter_markdown("".join(lines[start:])).strip()
    if prose:
        cells.append(markdown_cell(prose))
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "cells": [dict(cell, id=f"cell-{i}") for i, cell in enumerate(cells)],
    }


def markdown_cell(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code_cell(code: str, entry: dict | None, record_dir: Path) -> dict:
    outputs: list[dict] = []
    if entry:
        for stream in ("stdout", "stderr"):
            if entry[stream]:
                outputs.append({"output_type": "stream", "name": stream, "text": entry[stream]})
        if entry["error"]:
            last = entry["error"].rstrip().splitlines()[-1]
            ename, _, evalue = last.partition(": ")
            outputs.append(
                {
                    "output_type": "error",
                    "ename": ename,
                    "evalue": evalue,
                    "traceback": entry["error"].rstrip().splitlines(),
                }
            )
        for fig in entry["figures"]:
            svg = (record_dir / fig["file"]).read_text(encoding="utf-8")
            svg = svg[SVG_START.search(svg).start() :]
            outputs.append(
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {"image/svg+xml": svg, "text/plain": fig["alt"]},
                }
            )
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "source": code.rstrip("\n"),
        "outputs": outputs,
    }
