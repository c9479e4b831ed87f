"""Numbers in the prose come from the record: the site and the notebook write them in,
a reference to a missing name fails the strict build, and each page shows its run line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from d2lsite.engine import cli
from d2lsite.engine.book import Book
from tests.engine_book import edit, make_book, served_markdown

PAGE = """\
# Values

```python
import torch

torch.manual_seed(0)
acc = torch.tensor(0.83456)
print("done")
```

<!--pytest-codeblocks:cont-->
<!--
```python
glue("test_acc", acc)
glue("epochs", 10)
```
-->

After {{ epochs }} epochs the test accuracy is {{ test_acc:.3f }} ({{ test_acc:.1% }}).
"""


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = make_book(tmp_path_factory.mktemp("values"), library_copy=True)
    for other in (root / "docs").glob("*.md"):
        other.unlink()
    (root / "docs" / "values.md").write_text(PAGE, encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: test\nsite_url: https://example.org/book/\n"
        "use_directory_urls: false\nplugins:\n  - d2lsite\nnav:\n  - values.md\n",
        encoding="utf-8",
    )
    book = Book(root)
    ok, message = cli.run_page(book, "values.md")
    assert ok, message
    return book


def build(book):
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=book.root,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )


def test_site_and_notebook_write_the_recorded_values_in(book):
    built = build(book)
    assert built.returncode == 0, built.stderr
    html = (book.root / "site" / "values.html").read_text()
    assert "After 10 epochs the test accuracy is 0.835 (83.5%)." in html
    assert "{{" not in html
    notebook = json.loads((book.root / "site" / "values.ipynb").read_text())
    prose = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert "After 10 epochs the test accuracy is 0.835 (83.5%)." in prose


def test_each_page_shows_its_run_line_under_the_title(book):
    record = book.record("values.md")
    markdown = served_markdown(book, "values.md")
    line = (
        f'<p class="d2l-run-line">Outputs recorded on {record["date"]} · '
        f"{record['wall_time_s']:.1f} s on CPU ("
    )
    assert markdown.startswith("# Values\n\n" + line), markdown[:300]
    assert f"· torch {record['torch'].split('+')[0]}</p>" in markdown


def test_a_reference_to_a_missing_name_fails_the_build_and_gets_a_notice_when_served(book):
    page = book.docs / "values.md"
    original = page.read_text()
    try:
        edit(page, "{{ epochs }} epochs", "{{ epoch }} epochs")  # prose only: record current
        failed = build(book)
        assert failed.returncode != 0
        assert "docs/values.md: line 19: {{ epoch }} refers to a value" in failed.stderr
        assert "(did you mean epochs?)" in failed.stderr
        markdown = served_markdown(book, "values.md")
        assert '!!! warning "Values missing"' in markdown
        assert "the test accuracy is 0.835" in markdown  # the others are written in
    finally:
        page.write_text(original)


def test_a_stale_page_shows_the_stale_notice_and_no_values(book):
    page = book.docs / "values.md"
    original = page.read_text()
    try:
        edit(page, 'print("done")', 'print("changed")')
        markdown = served_markdown(book, "values.md")
        assert "Outputs out of date" in markdown
        assert "numbers its text takes from the record are not filled in" in markdown
        assert "{{ test_acc:.3f }}" in markdown and "0.835" not in markdown
    finally:
        page.write_text(original)


def test_check_reports_a_reference_the_record_cannot_fill(book, monkeypatch, capsys):
    monkeypatch.chdir(book.root)
    page = book.docs / "values.md"
    original = page.read_text()
    try:
        edit(page, "{{ epochs }} epochs", "{{ epoch }} epochs")
        assert cli.main(["check"]) == 1
        assert "docs/values.md: line 19: {{ epoch }} refers to a value" in capsys.readouterr().out
    finally:
        page.write_text(original)


def test_a_record_whose_checks_did_not_pass_gets_the_stale_notice_and_fails_the_build(book):
    path = book.record_dir("values.md") / "record.json"
    text = path.read_text()
    try:
        path.write_text(json.dumps(dict(json.loads(text), checks="failed")))
        markdown = served_markdown(book, "values.md")
        assert "Outputs out of date" in markdown and "outputs are unchecked" in markdown
        failed = build(book)
        assert failed.returncode != 0
        assert "docs/values.md: outputs unchecked (the record does not say" in failed.stderr
    finally:
        path.write_text(text)
