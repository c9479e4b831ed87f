"""The run policy (README, "Run policy"): a page whose full run is long says so in its
front matter, and then runs at the reduced budget in CI."""

from __future__ import annotations

from pathlib import Path

from d2lsite.engine.book import Book
from d2lsite.engine.ci import LONG_PAGE_S
from d2lsite.engine.pages import parse_page

ROOT = Path(__file__).resolve().parent.parent


def test_a_page_whose_recorded_run_is_long_runs_at_the_reduced_budget_in_ci(code_page):
    book = Book(ROOT)
    page = book.page(code_page)
    record = book.record(code_page) or {}
    took = record.get("wall_time_s") or 0
    # 1.5 times the boundary: a page recorded on a busy machine does not flip back and forth
    assert page.reduced_budget or took <= 1.5 * LONG_PAGE_S, (
        f"docs/{code_page} took {took} s when it was recorded (more than {LONG_PAGE_S} s): "
        "start it with the front matter\n---\nbudget: reduced\n---\nso that CI runs it at "
        "the reduced budget, and mark its hidden checks that need the full run with the "
        "first line '# full-run check'"
    )


def test_front_matter_switches_the_budget_and_sets_the_timeout():
    page = parse_page("---\nbudget: reduced\ntimeout: 300\n---\n\n# Long\n")
    assert page.reduced_budget and page.front_matter["timeout"] == 300
    assert not parse_page("# Short\n").reduced_budget


def test_execution_counter_counts_a_page_once_per_kind_and_flags_a_second_run(monkeypatch):
    from collections import defaultdict

    from d2lsite.engine import ci

    monkeypatch.setattr(ci, "_runs", defaultdict(lambda: defaultdict(dict)))
    monkeypatch.setattr(ci, "_open", {})
    monkeypatch.setattr(ci, "_cpu", defaultdict(lambda: defaultdict(float)))
    for chain in ("3", "40"):  # a page of two chains, each run once, is one execution
        ci.start("a.md", ci.CODE_BLOCKS, unit=chain)
        ci.note("a.md", ci.CODE_BLOCKS, ci.REDUCED, unit=chain)
    ci.note("a.md", ci.PLAIN_SCRIPT, ci.REDUCED, seconds=1.5, cpu=1.0)
    ci.note("b.md", ci.CODE_BLOCKS, ci.FULL)  # never started (skipped): not counted
    assert ci.executions()["a.md"][ci.CODE_BLOCKS][0] == 1
    assert ci.executions()["a.md"][ci.PLAIN_SCRIPT] == (1, 1.5, ci.REDUCED)
    assert "b.md" not in ci.executions()
    assert ci.cpu_seconds()["a.md"][ci.PLAIN_SCRIPT] == 1.0
    assert ci.summary()[-1].endswith(
        "each ran once per kind of test (a recording test records its page twice)."
    )
    ci.note("a.md", ci.PLAIN_SCRIPT, ci.REDUCED, seconds=1.0)
    assert ci.summary()[-1].endswith("ran more than once in one kind of test: a.md")
