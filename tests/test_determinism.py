"""Recording a seeded page twice gives the same bytes, timing lines excepted.

Each test builds a small book in a temporary folder (``mkdocs.yml``, ``docs/``, and
a link to this repository's ``d2lsite`` package), records a page twice with the
machinery of ``d2lsite run`` and compares the two records and every figure's SVG.

Recording is always the full run, so of the book's own pages it records only a sample
of one, the installation page (seconds, no training): CI runs no page's training twice.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

from d2lsite.engine import ci
from d2lsite.engine.book import Book
from d2lsite.engine.cli import run_page
from tests import engine_book

ROOT = Path(__file__).resolve().parent.parent

# Record fields that say when and how long, not what.
VOLATILE_FIELDS = ("date", "wall_time_s")
# A printed line that reports measured time, e.g. "took 0.013 s" or "5120 examples/sec".
TIMING_LINE = re.compile(r"\d\s*(s|sec|seconds|ms|examples/sec)\b")

SEEDED_PAGE = """\
# A seeded page

Random numbers from every generator the engine seeds, a figure, and a timing line.

```python
import random
import time

import numpy as np
import torch
from matplotlib import pyplot as plt

start = time.perf_counter()
print(torch.randn(2, 3))
print(np.random.rand(3), random.random())
```

<!--pytest-codeblocks:cont-->
```python
x = torch.linspace(-3, 3, 40)
y = torch.sin(x) + 0.2 * torch.randn(40)
fig, axes = plt.subplots(1, 2, figsize=(6, 2.5))
axes[0].plot(x, y, label="noisy sine")
axes[0].scatter(x[::4], y[::4], label="every 4th")
axes[0].set_xlabel("x")
axes[0].set_ylabel("y")
axes[0].legend()
axes[1].hist(torch.randn(500).numpy(), bins=20)
axes[1].set_title("N(0, 1)")
print(f"took {time.perf_counter() - start:.6f} s")
```

A second chain starts from the seed again.

```python
import torch
from matplotlib import pyplot as plt

print(torch.randn(2, 3))
plt.plot(torch.randn(10).cumsum(0))
plt.xlabel("step")
plt.ylabel("walk")
```
"""


def make_book(root: Path, pages: dict[str, str]) -> Book:
    return Book(engine_book.make_book(root, pages, library="link"))


def record_twice(book: Book, name: str, keep: Path) -> tuple[Path, Path]:
    """Run ``name`` twice as ``d2lsite run`` does; return copies of both record folders."""
    runs = []
    for i in (1, 2):
        ci.start(name, ci.RECORDING)
        ok, message = run_page(book, name)
        ci.note(name, ci.RECORDING, ci.FULL)
        assert ok, f"recording {name} failed:\n{message}"
        runs.append(keep / f"run{i}")
        shutil.copytree(book.record_dir(name), runs[-1])
    return runs[0], runs[1]


def comparable(record: dict) -> dict:
    """The record without its date and wall time, and with timing lines masked."""
    record = {k: copy.deepcopy(v) for k, v in record.items() if k not in VOLATILE_FIELDS}
    for block in record["blocks"]:
        block["stdout"] = "".join(
            "<timing line>\n" if TIMING_LINE.search(line) else line
            for line in block["stdout"].splitlines(keepends=True)
        )
    return record


def assert_same_outputs(run1: Path, run2: Path) -> dict:
    files1 = sorted(p.name for p in run1.iterdir())
    files2 = sorted(p.name for p in run2.iterdir())
    assert files1 == files2
    record1 = json.loads((run1 / "record.json").read_text(encoding="utf-8"))
    record2 = json.loads((run2 / "record.json").read_text(encoding="utf-8"))
    assert comparable(record1) == comparable(record2)
    for name in files1:
        if name.endswith(".svg"):
            assert (run1 / name).read_bytes() == (run2 / name).read_bytes(), name
    return record1


def test_seeded_page_records_the_same_numbers_and_figure_bytes_twice(tmp_path):
    book = make_book(tmp_path / "book", {"seeded.md": SEEDED_PAGE})
    run1, run2 = record_twice(book, "seeded.md", tmp_path)
    record = assert_same_outputs(run1, run2)
    # The comparison covered real outputs: random tensors, two figures, a timing line.
    assert "tensor([[" in record["blocks"][0]["stdout"]
    assert [len(b["figures"]) for b in record["blocks"]] == [0, 1, 1]
    assert sorted(p.name for p in run1.glob("*.svg")) == ["block001-fig0.svg", "block002-fig0.svg"]
    assert TIMING_LINE.search(record["blocks"][1]["stdout"])
    # Each chain starts from the same seed, so both draw the same first numbers.
    blocks = record["blocks"]
    assert blocks[2]["stdout"] == blocks[0]["stdout"].split("\n[")[0] + "\n"


def test_timing_lines_are_the_only_lines_masked():
    record = {
        "date": "2026-01-01",
        "wall_time_s": 1.5,
        "blocks": [{"stdout": "loss 0.25, 3.1 s\ntensor([1.5])\nepoch 3\n12000 examples/sec\n"}],
    }
    masked = comparable(record)
    assert "date" not in masked and "wall_time_s" not in masked
    assert masked["blocks"][0]["stdout"] == (
        "<timing line>\ntensor([1.5])\nepoch 3\n<timing line>\n"
    )


def test_comparison_catches_a_changed_number_or_figure(tmp_path):
    run1, run2 = tmp_path / "run1", tmp_path / "run2"
    record = {
        "page": "docs/p.md",
        "date": "2026-01-01",
        "wall_time_s": 1.0,
        "blocks": [{"stdout": "tensor([0.1])\n", "figures": [{"file": "f.svg"}]}],
    }
    for run in (run1, run2):
        run.mkdir()
        (run / "record.json").write_text(json.dumps(record))
        (run / "f.svg").write_text("<svg/>")
    (run2 / "record.json").write_text(json.dumps(dict(record, date="2026-02-02")))
    assert_same_outputs(run1, run2)  # a different date is no difference
    other = copy.deepcopy(record)
    other["blocks"][0]["stdout"] = "tensor([0.2])\n"
    (run2 / "record.json").write_text(json.dumps(other))
    with pytest.raises(AssertionError):
        assert_same_outputs(run1, run2)
    (run2 / "record.json").write_text(json.dumps(record))
    (run2 / "f.svg").write_text("<svg id='x'/>")
    with pytest.raises(AssertionError, match="f.svg"):
        assert_same_outputs(run1, run2)


def test_installation_page_records_identically_twice(tmp_path):
    text = (ROOT / "docs" / "installation.md").read_text(encoding="utf-8")
    book = make_book(tmp_path / "book", {"installation.md": text})
    run1, run2 = record_twice(book, "installation.md", tmp_path)
    record = assert_same_outputs(run1, run2)
    assert any(b["stdout"] for b in record["blocks"]), "the page printed nothing to compare"
