"""What a reader gets from a record: HTML under each block, a notebook, and a strict build."""

import base64
import importlib.util
import json
import os
import re
import subprocess
import sys

import nbformat
import pytest

from d2lsite.engine import cli
from d2lsite.engine.book import Book
from d2lsite.engine.notebooks import jupyter_markdown, leftovers
from d2lsite.engine.pages import parse_page
from d2lsite.engine.render import (
    COLLAPSE_AFTER_LINES,
    block_html,
    inline_svg,
    insert_after_blocks,
)
from tests.engine_book import edit, make_book, served_markdown

EMPTY = {"stdout": "", "stderr": "", "error": "", "figures": []}
SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10pt">\n'
    '<defs>\n  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>\n'
    "</defs><path d='M0 0'/></svg>\n"
)


def test_a_block_that_prints_nothing_gets_no_html(tmp_path):
    assert block_html(EMPTY, tmp_path) == ""


def test_stdout_is_escaped_in_a_labelled_output_box(tmp_path):
    html = block_html(dict(EMPTY, stdout="a < b\n"), tmp_path)
    assert '<div class="d2l-output d2l-output--stdout">' in html
    assert '<div class="d2l-output__label">Output</div>' in html
    assert "<pre><code>a &lt; b</code></pre>" in html


def test_long_output_collapses(tmp_path):
    text = "".join(f"line {i}\n" for i in range(COLLAPSE_AFTER_LINES + 1))
    html = block_html(dict(EMPTY, stdout=text), tmp_path)
    assert html.startswith('<details class="d2l-output d2l-output--stdout">')
    assert f"Output ({COLLAPSE_AFTER_LINES + 1} lines)</summary>" in html


def test_stderr_and_errors_are_shown_apart(tmp_path):
    html = block_html(dict(EMPTY, stdout="x\n", stderr="warn\n", error="E\n"), tmp_path)
    assert html.count('class="d2l-output ') == 3
    assert "d2l-output--stderr" in html and "d2l-output--error" in html


def test_figure_is_inlined_as_labelled_svg_without_prolog_or_page_wide_css(tmp_path):
    (tmp_path / "f.svg").write_text(SVG)
    html = block_html(dict(EMPTY, figures=[{"file": "f.svg", "alt": 'loss "curve"'}]), tmp_path)
    label = 'aria-label="loss &quot;curve&quot;"'
    assert html.startswith(f'<figure class="d2l-figure"><svg role="img" {label}')
    assert "<?xml" not in html and "DOCTYPE" not in html
    assert "stroke-linejoin" not in html
    assert inline_svg(SVG, "a").endswith("</svg>\n")


def test_outputs_go_after_visible_blocks_only_with_the_block_indent():
    page = parse_page(
        "# T\n\n```python\na = 1\n```\n\n<!--pytest-codeblocks:cont-->\n"
        "<!--\n```python\nb = 2\n```\n-->\n\n"
        "!!! note\n\n    <!--pytest-codeblocks:cont-->\n    ```python\n    c = 3\n    ```\n"
    )
    text = insert_after_blocks(page, {0: "<!--A-->", 1: "<!--B-->", 2: "<!--C-->"})
    assert "```\n\n<!--A-->\n" in text
    assert "<!--B-->" not in text
    assert "    ```\n\n    <!--C-->\n" in text


def test_jupyter_markdown_rewrites_admonitions_tabs_and_drops_comments():
    md = (
        'Text $x^2$.\n\n!!! note "Aside"\n\n    Inside $$y$$.\n\n'
        '??? tip "Hint"\n\n    The answer.\n\n=== "Tab"\n\n    Tabbed.\n\n<!--hidden-->\nEnd.\n'
    )
    out = jupyter_markdown(md)
    assert "Text $x^2$." in out
    assert "> **Aside**" in out and "> Inside $$y$$." in out
    assert "<details><summary>Hint</summary>" in out and "The answer." in out
    assert "**Tab**" in out
    assert "hidden" not in out and "End." in out


@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    root = make_book(tmp_path_factory.mktemp("site"), library_copy=True)
    (root / "mkdocs.yml").write_text(BUILT_BOOK_CONFIG)
    return Book(root)


BUILT_BOOK_CONFIG = """\
site_name: test
site_url: https://example.org/book/
strict: true
use_directory_urls: false
plugins:
  - d2lsite
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - footnotes
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
nav:
  - lesson.md
  - prose.md
"""


def mkdocs(book, *args):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", *args],
        cwd=book.root,
        capture_output=True,
        text=True,
        env=env,
    )


def test_strict_build_fails_on_missing_outputs_then_shows_recorded_ones(built_book):
    failed = mkdocs(built_book)
    assert failed.returncode != 0
    assert "docs/lesson.md: outputs missing; run: d2lsite run docs/lesson.md" in failed.stderr

    ok, message = cli.run_page(built_book, "lesson.md")
    assert ok, message
    built = mkdocs(built_book)
    assert built.returncode == 0, built.stderr
    html = (built_book.root / "site" / "lesson.html").read_text()
    assert html.count('class="d2l-outputs"') == 4  # print, stderr, figure, xfail; not hidden
    assert "hidden check" not in re.sub(r"<!--.*?-->", "", html, flags=re.DOTALL)
    assert '<figure class="d2l-figure"><svg role="img" aria-label="Plot of y against x"' in html
    assert 'href="lesson.ipynb" download' in html
    assert "d2l-notebook" not in (built_book.root / "site" / "prose.html").read_text()


def test_notebook_beside_the_page_carries_outputs_and_validates(built_book):
    if not (built_book.root / "site" / "lesson.ipynb").exists():
        pytest.skip("needs the build of the test before")
    raw = (built_book.root / "site" / "lesson.ipynb").read_text()
    nb = nbformat.reads(raw, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 5  # the hidden check is not a cell
    assert code[0].outputs[0]["text"].endswith("42\n")
    assert code[3].outputs[0]["data"]["image/svg+xml"].startswith("<svg")
    assert code[4].outputs[0]["output_type"] == "error"
    assert any("Some prose." in c.source for c in nb.cells if c.cell_type == "markdown")
    assert "pytest-codeblocks" not in raw
    assert code[4].metadata["tags"] == ["raises-exception"]  # the xfail block
    assert all("tags" not in c.metadata for c in code[:4])


def built_notebook(book):
    path = book.root / "site" / "lesson.ipynb"
    if not path.exists():
        pytest.skip("needs the build of the tests before")
    return nbformat.read(path, as_version=4)


def test_notebook_prose_has_no_mkdocs_syntax_and_works_on_its_own(built_book):
    nb = built_notebook(built_book)
    assert leftovers(nb) == []
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "The answer is 42, or 42.0 as a float." in prose
    assert "[the page of prose](https://example.org/book/prose.html#only-prose)" in prose
    assert "[helpers above](https://example.org/book/lesson.html#helpers)" in prose
    assert "[a link](https://example.org/book/prose.html)" in prose
    assert "![A small diagram](attachment:diagram.svg)" in prose
    assert "{ .d2l-diagram }" not in prose
    assert "> **Aside**" in prose and "**Tab A**" in prose and "**Tab B**" in prose
    assert "<sup>1</sup> A footnote about HTML." in prose and "above](" in prose
    assert "*[HTML]" not in prose
    cell = next(c for c in nb.cells if "attachment:diagram.svg" in c.get("source", ""))
    svg = base64.b64decode(cell.attachments["diagram.svg"]["image/svg+xml"]).decode()
    assert svg.startswith("<svg")


def test_leftover_syntax_is_found():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("![x](img/a.svg){ .wide }\n\nSee [y](other.md)."),
            nbformat.v4.new_markdown_cell('!!! note\n\n    x[^1] {{ acc:.2f }} <a href="p.md">'),
            nbformat.v4.new_markdown_cell("`{ .in-code }` and $\\{ .5 \\}$ are fine"),
        ]
    )
    found = leftovers(nb)
    assert [f.split(":")[1].strip() for f in found] == [
        "attribute list",
        "relative link or local image",
        "relative link or local image",
        "admonition or collapsible block",
        "footnote",
        "value reference",
        "relative link or local image",
    ]


def test_a_downloaded_notebook_runs_top_to_bottom_under_nbconvert(built_book, tmp_path):
    """With its xfail cell tagged ``raises-exception``, the whole notebook runs."""
    nb = built_notebook(built_book)
    if not (importlib.util.find_spec("nbconvert") and importlib.util.find_spec("ipykernel")):
        pytest.skip("Jupyter (nbconvert, ipykernel) is not installed: pip install -e '.[book]'")
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, path)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(built_book.root))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=120",
            "--output",
            "ran.ipynb",
            str(path),
        ],
        cwd=built_book.root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ran = nbformat.read(tmp_path / "ran.ipynb", as_version=4)
    code = [c for c in ran.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert code[0].outputs[0]["text"].endswith("42\n")
    assert code[-1].outputs[-1]["ename"] == "ValueError"


def test_stale_page_fails_the_strict_build_but_gets_a_notice_when_served(built_book):
    page = built_book.docs / "lesson.md"
    original = page.read_text()
    try:
        edit(page, "print(d2l.double(21))", "print(d2l.double(1))")
        failed = mkdocs(built_book)
        assert failed.returncode != 0
        assert "docs/lesson.md: outputs stale" in failed.stderr
        markdown = served_markdown(built_book, "lesson.md")
        assert "Outputs out of date" in markdown
        assert "run `d2lsite run docs/lesson.md`" in markdown
        assert "d2l-output-" not in markdown
    finally:
        page.write_text(original)


def test_mathjax_is_served_from_the_site(built_book):
    if not (built_book.root / "site" / "lesson.html").exists():
        pytest.skip("needs the build of the test before")
    assets = built_book.root / "site" / "assets" / "mathjax"
    assert (assets / "tex-mml-chtml.js").is_file()
    assert list((assets / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))


def test_record_json_is_stable_text(built_book):
    record = json.loads((built_book.record_dir("lesson.md") / "record.json").read_text())
    assert list(record)[:2] == ["page", "key"]


def test_plugin_options_put_notebooks_and_figures_where_asked(built_book):
    if not (built_book.root / "site" / "lesson.html").exists():
        pytest.skip("needs the build of the tests before")
    config = BUILT_BOOK_CONFIG.replace(
        "  - d2lsite\n",
        "  - d2lsite:\n      notebook_dir: notebooks\n      figures: files\n      stale: fail\n",
    )
    (built_book.root / "mkdocs-options.yml").write_text(config)
    built = mkdocs(built_book, "-f", "mkdocs-options.yml", "--site-dir", "site-options")
    assert built.returncode == 0, built.stderr
    site = built_book.root / "site-options"
    html = (site / "lesson.html").read_text()
    assert 'href="notebooks/lesson.ipynb" download' in html
    assert (site / "notebooks" / "lesson.ipynb").is_file()
    assert not (site / "lesson.ipynb").exists()
    assert '<img src="figures/lesson/block003-fig0.svg" alt="Plot of y against x">' in html
    assert (site / "figures" / "lesson" / "block003-fig0.svg").read_text().find("<svg") >= 0
    assert "<svg role=" not in html


def test_serve_watches_the_records_and_the_library(built_book):
    from mkdocs.config import load_config

    config = load_config(str(built_book.root / "mkdocs.yml"))
    plugin = config["plugins"]["d2lsite"]
    plugin.on_config(config)
    watched = []

    class FakeServer:
        def watch(self, path):
            watched.append(path)

    plugin.on_serve(FakeServer(), config=config, builder=None)
    assert str(built_book.root / "d2lsite") in watched
    if built_book.outputs.is_dir():
        assert str(built_book.outputs) in watched


def test_md_in_html_attribute_goes_but_the_word_markdown_stays():
    out = jupyter_markdown('Write markdown. <div class="x" markdown="1">a</div> <p markdown>b</p>')
    assert out == 'Write markdown. <div class="x">a</div> <p>b</p>'
