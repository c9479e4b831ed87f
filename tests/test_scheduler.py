"""``d2lsite run`` for long pages: parallel workers, timeouts, progress, temporary folders,
failures that keep the old record, and hidden checks that must pass at record time."""

from __future__ import annotations

import io
import json
import os

import pytest
from rich.console import Console

from d2lsite.engine import cli, scheduler
from d2lsite.engine.book import Book, Status
from tests.engine_book import edit, make_book

GOOD = """\
# Good

```python
import torch

torch.manual_seed(0)
x = torch.ones(3)
with open("written-by-the-page.txt", "w") as f:
    f.write("a page may write files")
print("sum", x.sum().item())
```

<!--pytest-codeblocks:cont-->
<!--
```python
assert x.sum() == 3
glue("total", x.sum())
```
-->

The sum is {{ total:.1f }}.
"""

SLOW = """\
---
timeout: 2
---

# Slow

```python
import time

print("epoch 1, loss 0.5")
time.sleep(60)
```
"""


def add_pages(root, pages: dict[str, str]) -> Book:
    for name, text in pages.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    nav = "".join(f"  - {name}\n" for name in ["lesson.md", *pages])
    (root / "mkdocs.yml").write_text(f"site_name: test\nnav:\n{nav}", encoding="utf-8")
    return Book(root)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A book whose lesson and good page were recorded together with ``-j 2``."""
    root = make_book(tmp_path_factory.mktemp("book"), library_copy=True)
    book = add_pages(root, {"good.md": GOOD})
    out = io.StringIO()
    jobs = scheduler.run_pages(
        book,
        ["lesson.md", "good.md"],
        scheduler.Options(jobs=2, device="cpu", live=False),
        Console(file=out, width=200),
    )
    assert [j.outcome for j in jobs] == ["ok", "ok"], out.getvalue()
    book.run_log = out.getvalue()
    return book


def test_pages_run_in_parallel_workers_with_a_share_of_the_cores_each(book):
    assert "on cpu with 2 worker(s)" in book.run_log
    threads = scheduler.threads_per_job(2)
    for name in ("lesson.md", "good.md"):
        record = book.record(name)
        assert record["threads"] == threads
        assert record["device"] == "cpu" and record["device_name"]
        assert record["torch"] and record["checks"] == "passed"
        assert book.status(name) == Status.OK


def test_record_names_the_hidden_checks_that_passed_and_the_glued_values(book):
    record = book.record("good.md")
    assert record["check_blocks"] == [1]
    assert record["values"] == {"total": 3.0}
    assert record["blocks"][0]["stdout"] == "sum 3.0\n"


def test_files_a_page_writes_never_land_in_the_book(book):
    assert not list(book.root.rglob("written-by-the-page.txt"))


def test_a_failing_page_keeps_its_old_record_and_reports_line_and_traceback(
    book, capsys, monkeypatch
):
    monkeypatch.chdir(book.root)
    page = book.docs / "good.md"
    old = (book.record_dir("good.md") / "record.json").read_text()
    original = page.read_text()
    try:
        edit(page, 'print("sum", x.sum().item())', 'print("sum", x.sum().item())\n1 / 0')
        assert cli.main(["run", "docs/good.md", "-j", "1", "--device", "cpu"]) == 1
    finally:
        page.write_text(original)
    err = capsys.readouterr()
    report = err.out + err.err
    assert "docs/good.md FAILED" in report and "its old outputs are kept" in report
    assert "docs/good.md:11" in report and "ZeroDivisionError" in report
    assert (book.record_dir("good.md") / "record.json").read_text() == old


def test_a_hidden_check_that_fails_at_record_time_makes_check_fail(book, capsys, monkeypatch):
    monkeypatch.chdir(book.root)
    page = book.docs / "good.md"
    original = page.read_text()
    try:
        edit(page, "assert x.sum() == 3", "assert x.sum() == 4, 'the sum is not 4'")
        ok, message = cli.run_page(book, "good.md", device="cpu")
        assert not ok
        assert "a hidden check failed" in message and "AssertionError: the sum is not 4" in message
        assert "docs/good.md:16" in message
        assert cli.main(["check"]) == 1
        assert "docs/good.md: outputs stale" in capsys.readouterr().out
    finally:
        page.write_text(original)


def test_a_record_whose_checks_did_not_pass_is_refused(book, capsys, monkeypatch):
    monkeypatch.chdir(book.root)
    path = book.record_dir("good.md") / "record.json"
    text = path.read_text()
    try:
        record = json.loads(text)
        record["checks"] = "failed"
        path.write_text(json.dumps(record))
        assert book.status("good.md") == Status.UNCHECKED
        assert cli.main(["check"]) == 1
        out = capsys.readouterr().out
        assert "docs/good.md: its record does not say that the page's hidden checks passed" in out
    finally:
        path.write_text(text)
    assert book.status("good.md") == Status.OK


def test_a_page_past_its_timeout_is_stopped_where_it_was_and_keeps_no_record(tmp_path):
    root = make_book(tmp_path / "book", library_copy=True)
    book = add_pages(root, {"slow.md": SLOW})
    out = io.StringIO()
    jobs = scheduler.run_pages(
        book, ["slow.md"], scheduler.Options(jobs=1, device="cpu", live=False), Console(file=out)
    )
    assert jobs[0].outcome == "timed out"
    assert jobs[0].timeout == 2
    if "KeyboardInterrupt" in jobs[0].message:  # the traceback shows where it was
        assert "docs/slow.md:11: stopped after 2 s" in jobs[0].message
    else:  # killed before it could say (a very busy machine): the block it was in
        assert "docs/slow.md:7: stopped after 2 s" in jobs[0].message
    assert book.record("slow.md") is None
    assert "TIMED OUT" in out.getvalue()


def test_live_progress_shows_page_block_elapsed_time_and_last_line(tmp_path):
    root = make_book(tmp_path / "book", library_copy=True)
    book = add_pages(root, {"slow.md": SLOW.replace("timeout: 2", "timeout: 4")})
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160)
    scheduler.run_pages(book, ["slow.md"], scheduler.Options(jobs=1, device="cpu"), console)
    shown = out.getvalue()
    assert "docs/slow.md" in shown and "1/1 (line 7)" in shown
    assert "epoch 1, loss 0.5" in shown and "/ 4 s" in shown


def test_progress_file_keeps_the_last_complete_line(tmp_path):
    progress = scheduler.ProgressFile(tmp_path / "p.json", background=False)
    progress.block(0, 3, 12)
    progress.write("epoch 1, loss 0.9\nepoch 2, ")
    progress.write("loss 0.5\r")
    assert progress.dirty
    progress.flush()
    state = json.loads((tmp_path / "p.json").read_text())
    assert state == {"block": 0, "blocks": 3, "line": 12, "last": "epoch 2, loss 0.5"}


def test_timeout_comes_from_front_matter_with_a_default():
    assert scheduler.page_timeout({}, 900) == 900
    assert scheduler.page_timeout({"timeout": 30}, 900) == 30
    with pytest.raises(scheduler.SchedulerError, match="positive number of seconds"):
        scheduler.page_timeout({"timeout": "soon"}, 900)


def test_default_jobs_fill_the_cores_and_threads_share_them(monkeypatch):
    monkeypatch.setattr(scheduler, "usable_cores", lambda: 8)
    assert scheduler.default_jobs("cpu", 20) == 8
    assert scheduler.default_jobs("cpu", 3) == 3
    assert scheduler.default_jobs("mps", 3) == 1
    assert scheduler.threads_per_job(2) == 4
    assert scheduler.threads_per_job(16) == 1


def test_run_line_under_the_title():
    record = {"date": "2026-11-21", "wall_time_s": 8.7, "device": "cpu", "threads": 2}
    record["torch"] = "2.15.0+cpu"
    line = scheduler.run_line(record)
    assert line == "Outputs recorded on 2026-11-21 · 8.7 s on CPU (2 threads) · torch 2.15.0"
    gpu = dict(record, device="cuda:0", device_name="NVIDIA H200", wall_time_s=75.25)
    assert scheduler.run_line(gpu) == (
        "Outputs recorded on 2026-11-21 · 1 min 15 s on GPU (NVIDIA H200) · torch 2.15.0"
    )
    assert scheduler.run_line({}) == ""


def page_workers(page) -> list[int]:
    """Process ids of ``d2lsite run`` workers whose command line names ``page`` (Linux)."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--worker" in args and str(page).encode() in args:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="reads /proc")
def test_a_run_stopped_with_kill_stops_its_workers_too(tmp_path):
    """`pkill -f "d2lsite run"` once left a page's worker training on, unseen, for minutes
    (the workers run in sessions of their own); SIGTERM now stops them as Ctrl-C does."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = make_book(tmp_path / "book", library_copy=True)
    add_pages(root, {"slow.md": SLOW.replace("timeout: 2", "timeout: 300")})
    page = root / "docs" / "slow.md"
    repo = Path(__file__).resolve().parents[1]
    script = (
        f"import sys; sys.path.insert(0, {str(repo)!r})\n"
        "from d2lsite.engine import scheduler\n"
        "from d2lsite.engine.book import Book\n"
        f"scheduler.run_pages(Book({str(root)!r}), ['slow.md'],\n"
        "                    scheduler.Options(jobs=1, device='cpu', live=False))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not page_workers(page):
            assert proc.poll() is None and time.monotonic() < deadline, "no worker started"
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=scheduler.GRACE_S + 30)
        deadline = time.monotonic() + 10
        while page_workers(page) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert page_workers(page) == [], "the worker outlived the run that started it"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in page_workers(page):
            os.kill(pid, signal.SIGKILL)
