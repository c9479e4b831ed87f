"""Executing pages, recording their outputs, and knowing when a record is stale."""

import pytest

from d2lsite.engine import cli
from d2lsite.engine.book import Book, BookError
from d2lsite.engine.sync import sync_problems
from tests.engine_book import edit, make_book


@pytest.fixture(scope="module")
def recorded_book(tmp_path_factory):
    """A book whose lesson has been executed once (it takes a few seconds)."""
    root = make_book(tmp_path_factory.mktemp("book"), library_copy=True)
    book = Book(root)
    ok, message = cli.run_page(book, "lesson.md")
    assert ok, message
    return book


@pytest.fixture
def book(tmp_path):
    return Book(make_book(tmp_path))


def blocks(book):
    return book.record("lesson.md")["blocks"]


def test_each_block_gets_its_own_stdout(recorded_book):
    out = [b["stdout"] for b in blocks(recorded_book)]
    assert out[0].startswith("tensor([ 1.5410, -0.2934, -2.1788])")
    assert out[0].endswith("\n42\n")
    assert out[1] == ""
    assert out[4] == "hidden check\n"


def test_stderr_is_captured_apart_from_stdout(recorded_book):
    entry = blocks(recorded_book)[2]
    assert entry["stderr"] == "to stderr\n"
    assert entry["stdout"] == ""


def test_a_figure_left_open_is_saved_as_svg_with_alt_text(recorded_book):
    entry = blocks(recorded_book)[3]
    assert entry["figures"] == [{"file": "block003-fig0.svg", "alt": "Plot of y against x"}]
    svg = (recorded_book.record_dir("lesson.md") / "block003-fig0.svg").read_text()
    assert "<svg" in svg
    assert all(not b["figures"] for i, b in enumerate(blocks(recorded_book)) if i != 3)


def test_xfail_block_records_its_short_traceback(recorded_book):
    error = blocks(recorded_book)[-1]["error"]
    assert error.splitlines() == [
        "Traceback (most recent call last):",
        '  File "lesson.md", line 56',
        '    raise ValueError("on purpose")',
        "ValueError: on purpose",
    ]


def test_record_notes_versions_device_time_and_date(recorded_book):
    record = recorded_book.record("lesson.md")
    assert {"key", "torch", "python", "device", "wall_time_s", "date"} <= set(record)
    assert record["key"] == recorded_book.key(recorded_book.page("lesson.md"))
    assert recorded_book.status("lesson.md") == "ok"


def test_page_without_a_record_is_missing(book):
    assert book.status("lesson.md") == "missing"
    assert book.status("prose.md") == "no code"


def key(book):
    return book.key(book.page("lesson.md"))


def test_prose_edit_keeps_the_key(book):
    before = key(book)
    edit(book.docs / "lesson.md", "Some prose.", "Different prose,\n\nwith a new paragraph.")
    assert key(book) == before


def test_code_edit_changes_the_key(book):
    before = key(book)
    edit(book.docs / "lesson.md", "print(d2l.double(21))", "print(d2l.double(20))")
    assert key(book) != before


def test_marker_edit_changes_the_key(book):
    before = key(book)
    edit(book.docs / "lesson.md", "<!--pytest.mark.xfail-->", '<!--pytest.mark.skip(reason="x")-->')
    assert key(book) != before


def test_edit_of_a_library_function_the_page_calls_changes_the_key(book):
    before = key(book)
    edit(book.root / "d2lsite" / "lib.py", "return 2 * x", "return x + x")
    assert key(book) != before


def test_edit_of_a_library_function_the_page_does_not_call_keeps_the_key(book):
    before = key(book)
    edit(book.root / "d2lsite" / "lib.py", "return 3 * x", "return x + x + x")
    assert key(book) == before


def test_docstring_edit_in_the_library_keeps_the_key(book):
    before = key(book)
    edit(book.root / "d2lsite" / "lib.py", "Twice x.", "Two times x, documented better.")
    assert key(book) == before


def test_library_dependency_is_followed_transitively(book):
    before = key(book)
    lib = book.root / "d2lsite" / "lib.py"
    edit(lib, "return 2 * x", "return triple(x) - x")
    middle = key(book)
    assert middle != before
    edit(lib, "return 3 * x", "return x * 3")
    assert key(book) != middle


def test_failed_run_keeps_the_old_record_and_names_page_and_line(recorded_book, tmp_path):
    old = (recorded_book.record_dir("lesson.md") / "record.json").read_text()
    page = recorded_book.docs / "lesson.md"
    original = page.read_text()
    try:
        edit(page, "print(d2l.double(21))", "print(d2l.double(21))\nundefined_name")
        ok, message = cli.run_page(recorded_book, "lesson.md")
    finally:
        page.write_text(original)
    assert not ok
    assert "docs/lesson.md:12" in message
    assert "NameError" in message
    assert (recorded_book.record_dir("lesson.md") / "record.json").read_text() == old


def test_check_passes_on_a_consistent_book_and_fails_after_a_code_edit(
    recorded_book, monkeypatch, capsys
):
    monkeypatch.chdir(recorded_book.root)
    assert cli.main(["check"]) == 0
    page = recorded_book.docs / "lesson.md"
    original = page.read_text()
    try:
        edit(page, "print(d2l.double(21))", "print(d2l.double(2))")
        assert cli.main(["check"]) == 1
    finally:
        page.write_text(original)
    out = capsys.readouterr().out
    assert "docs/lesson.md: outputs stale; run: d2lsite run docs/lesson.md" in out


def test_run_without_pages_runs_only_stale_ones(recorded_book, monkeypatch, capsys):
    monkeypatch.chdir(recorded_book.root)
    assert cli.main(["run"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_book_outside_a_book_directory_is_a_clear_error(tmp_path):
    with pytest.raises(BookError, match="needs mkdocs.yml and docs/"):
        Book(tmp_path)


def test_unknown_page_name_is_a_clear_error(book):
    with pytest.raises(BookError, match="no page 'nope'"):
        book.page_name("nope")
    assert book.page_name("docs/lesson.md") == "lesson.md"
    assert book.page_name("lesson") == "lesson.md"


def test_orphaned_record_is_reported(book):
    (book.outputs / "gone").mkdir(parents=True)
    (book.outputs / "gone" / "record.json").write_text("{}")
    assert book.orphan_records() == ["gone"]


# --- the library and the book are one code -------------------------------------------


def test_sync_passes_when_saved_code_matches_the_library(book):
    assert sync_problems(book) == []


def test_sync_catches_a_drifted_definition(book):
    edit(book.root / "d2lsite" / "lib.py", "return 2 * x", "return 2 * x + 1")
    problems = sync_problems(book)
    assert len(problems) == 1
    assert "docs/lesson.md:18: double differs from d2lsite/lib.py" in problems[0]
    assert "+    return 2 * x + 1" in problems[0]


def test_sync_ignores_docstrings_comments_and_annotations(book):
    edit(book.root / "d2lsite" / "lib.py", "def triple(x):", "def triple(x: float) -> float:")
    edit(book.root / "d2lsite" / "lib.py", "return 3 * x", "return 3 * x  # a comment")
    assert sync_problems(book) == []


def test_sync_catches_a_public_name_no_page_saves(book):
    lib = book.root / "d2lsite" / "lib.py"
    edit(lib, '"unused"]', '"unused", "orphan"]')
    lib.write_text(lib.read_text() + '\n\ndef orphan():\n    """Defined in ``x.md``."""\n')
    problems = sync_problems(book)
    assert problems == [
        "d2lsite/lib.py: exports orphan, which no page saves "
        "(save it from the page that teaches it, or delete it)"
    ]


def test_sync_catches_a_saved_name_the_library_lacks(book):
    edit(book.docs / "lesson.md", "def triple(x):  # @save", "def quadruple(x):  # @save")
    problems = sync_problems(book)
    assert any("saves quadruple, but d2lsite does not export it" in p for p in problems)
    assert any("exports triple, which no page saves" in p for p in problems)


def test_sync_requires_the_docstring_to_name_the_section(book):
    edit(book.root / "d2lsite" / "lib.py", "Twice x.\n\n    Defined in ``lesson.md``.", "Twice.")
    problems = sync_problems(book)
    assert problems == [
        "d2lsite/lib.py: the docstring of double must name the section that defines it: "
        "docs/lesson.md (write ``lesson.md``)"
    ]


def test_sync_catches_two_pages_saving_one_name_differently(book):
    later = book.docs / "later.md"
    later.write_text("# Later\n\n```python\ndef double(x):  # @save\n    return x * 2\n```\n")
    (book.root / "mkdocs.yml").write_text("site_name: t\nnav:\n  - lesson.md\n  - later.md\n")
    problems = sync_problems(book)
    expected = "docs/later.md:4: saves double differently from docs/lesson.md:18"
    assert any(expected in p for p in problems)
    edit(later, "# @save", "# @save redefine")
    edit(book.root / "d2lsite" / "lib.py", "return 2 * x", "return x * 2")
    tail = '.\n    """\n    return x * 2'
    edit(book.root / "d2lsite" / "lib.py", "``lesson.md``" + tail, "``later.md``" + tail)
    assert sync_problems(book) == []


def test_one_traceback_mapper_serves_the_recorder_and_the_test_report():
    from d2lsite.engine.execute import page_traceback

    code = "def f():\n    return 1 / 0\n\n\nf()\n"
    try:
        exec(compile(code, "<string>", "exec"), {})  # as pytest-codeblocks runs a chain
    except ZeroDivisionError as exc:
        error = exc
    line, text = page_traceback(
        error,
        "docs/p.md",
        filename="<string>",
        page_line=lambda n: n + 20,
        source=code.splitlines(),
    )
    assert line == 22
    assert text.splitlines() == [
        "Traceback (most recent call last):",
        '  File "p.md", line 25',
        "    f()",
        '  File "p.md", line 22',
        "    return 1 / 0",
        "ZeroDivisionError: division by zero",
    ]
