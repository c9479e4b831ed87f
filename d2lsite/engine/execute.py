"""Executing one page and capturing what each block prints and draws.

``d2lsite run`` starts ``python -m d2lsite.engine.execute PAGE OUT_DIR NAME`` once per
page (a plain process, not a Jupyter kernel), so no page can leak state into another.
Chains run as pytest-codeblocks runs them: each in a fresh namespace, seeded first (see
``reset_state``), skipped chains not at all. An ``xfail`` chain is expected to raise;
its short traceback becomes its output.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import platform
import random
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

from .book import RECORD_FORMAT
from .pages import BUDGET_ENV, Block, read_page
from .shared_data import seed_cache_from_shared
from .values import make_glue

SEED = 0
FIGURE_RC = {
    "svg.fonttype": "none",  # text stays text: smaller, sharper, searchable
    "figure.dpi": 100,
    "figure.max_open_warning": 0,
}


def reset_state(seed: int = SEED) -> None:
    """Seed every random generator a page may use, and reset matplotlib.

    The root ``conftest.py`` calls this before each code-block chain too, so a
    page prints the same numbers under pytest as on the site.
    """
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:
        pass
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:
        pass
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg"):
        matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.close("all")
    matplotlib.rcdefaults()
    matplotlib.rcParams.update(FIGURE_RC)


# Set by the scheduler's worker (scheduler.ProgressFile): told which block starts, and
# everything the page prints, as it prints it. None: nobody is watching.
PROGRESS = None


class Captured(io.StringIO):
    """A block's stdout or stderr, shown live to ``PROGRESS`` as it is written."""

    def write(self, text: str) -> int:
        if PROGRESS is not None:
            PROGRESS.write(text)
        return super().write(text)


class BlockError(Exception):
    def __init__(self, line: int, text: str):
        super().__init__(text)
        self.line = line
        self.text = text


def run_block(block: Block, namespace: dict, page: str) -> tuple[str, str]:
    """Execute one block in ``namespace``; return (stdout, stderr)."""
    tree = ast.parse(block.code, filename=page)
    ast.increment_lineno(tree, block.line)  # tracebacks point at the page's lines
    code = compile(tree, page, "exec")
    out, err = Captured(), Captured()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exec(code, namespace)  # noqa: S102
    return out.getvalue(), err.getvalue()


def page_traceback(
    exc: BaseException,
    page: str,
    *,
    filename: str | None = None,
    page_line: Callable[[int], int] = lambda n: n,
    source: list[str] | None = None,
    library_frames: bool = False,
) -> tuple[int, str]:
    """A traceback of ``exc`` told in the page's lines; the one mapper of the engine.

    Frames of code compiled as ``filename`` (default ``page``) are the page's: their
    line numbers go through ``page_line`` and their text comes from ``source`` (the
    compiled code's lines) when the frame has none. ``d2lsite run`` compiles blocks
    with the page's line numbers and keeps only those frames; pytest-codeblocks runs
    a chain as ``<string>`` from line 1, and the test report (``conftest.py``) keeps
    the library's frames too (``library_frames``), leaving out pytest-codeblocks' own.
    Returns the page line of the last page frame (0 if none) and the text.
    """
    filename = filename or page
    lines = ["Traceback (most recent call last):\n"]
    last = 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            last = page_line(frame.lineno)
            lines.append(f'  File "{Path(page).name}", line {last}\n')
            text = frame.line
            if not text and source and 0 < frame.lineno <= len(source):
                text = source[frame.lineno - 1]
            if text:
                lines.append(f"    {text.strip()}\n")
        elif library_frames and "pytest_codeblocks" not in frame.filename:
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n')
            if frame.line:
                lines.append(f"    {frame.line}\n")
    lines += traceback.format_exception_only(type(exc), exc)
    return last, "".join(lines)


def figure_alt_text(fig) -> str:
    """Alt text for a figure: its label if the page set one, else what it plots."""
    if fig.get_label():
        return fig.get_label()
    parts = []
    for ax in fig.get_axes():
        legend = ax.get_legend()
        curves = ", ".join(t.get_text() for t in legend.get_texts()) if legend else ""
        desc = ax.get_ylabel() or curves
        if ax.get_xlabel():
            desc = f"{desc or 'values'} against {ax.get_xlabel()}"
        if curves and curves != ax.get_ylabel() and not desc.startswith(curves):
            desc += f" ({curves})"
        if ax.get_title():
            desc = f"{ax.get_title()}: {desc}" if desc else ax.get_title()
        if desc:
            parts.append(desc)
    return "Plot of " + "; ".join(parts) if parts else "Figure drawn by the code above"


def collect_figures(out_dir: Path, ordinal: int, page: str) -> list[dict]:
    """Save every open figure as SVG, close it, and describe it."""
    from matplotlib import pyplot as plt

    figures = []
    for k, num in enumerate(plt.get_fignums()):
        fig = plt.figure(num)
        name = f"block{ordinal:03d}-fig{k}.svg"
        with plt.rc_context({"svg.hashsalt": f"{page}:{ordinal}:{k}"}):
            fig.savefig(out_dir / name, format="svg", bbox_inches="tight", metadata={"Date": None})
        figures.append({"file": name, "alt": figure_alt_text(fig)})
        plt.close(fig)
    return figures


def device_name() -> str:
    try:
        from d2lsite.devices import try_gpu

        return str(try_gpu())
    except Exception:  # noqa: BLE001 - a record without torch still says something
        return "cpu"


def execute_page(page_path: Path, out_dir: Path, page_name: str) -> dict:
    """Run every chain of the page; write figures into ``out_dir``; return the record.

    The record has one entry per block of the page's Python chains, skipped ones
    included, each with the block's identity (``index`` among those blocks and
    ``code_hash``, a hash of its code) and whether it ran. Skip conditions are
    evaluated here, once: the site and the notebooks read ``ran`` from the record.
    """
    page = read_page(page_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    blocks_out = []
    values: dict = {}  # what the hidden blocks glue(), for the prose
    checks: list[int] = []  # hidden blocks (checks), by index; all passed if we get to the end
    to_run = sum(not c.skipped for c in page.python_chains for _ in c.blocks)
    started = 0
    for chain in page.python_chains:
        skipped = chain.skipped
        if not skipped:
            reset_state()
        namespace: dict = {"__MODULE__": "__main__"}  # what pytest-codeblocks gives
        namespace["glue"] = make_glue(values)
        failed = False
        for block in chain.blocks:
            entry = {
                "index": block.index,
                "code_hash": block.code_hash,
                "ran": not (skipped or failed),
                "stdout": "",
                "stderr": "",
                "error": "",
                "figures": [],
            }
            if entry["ran"]:
                if PROGRESS is not None:
                    PROGRESS.block(started, to_run, block.line)
                started += 1
                try:
                    entry["stdout"], entry["stderr"] = run_block(block, namespace, page_name)
                except Exception as exc:  # noqa: BLE001
                    line, text = page_traceback(exc, page_name)
                    if block.hidden and not chain.xfail:
                        text = "a hidden check failed; the record is not written\n" + text
                    if not chain.xfail:
                        raise BlockError(line or block.line, text) from exc
                    entry["error"] = text
                    failed = True
                entry["figures"] = collect_figures(out_dir, block.index, page_name)
                if block.hidden and not chain.xfail:
                    checks.append(block.index)
            blocks_out.append(entry)
        if chain.xfail and not failed and not skipped:
            raise BlockError(chain.line, "this chain is marked xfail but raised no error")
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    return {
        "page": page_name,
        "format": RECORD_FORMAT,
        "python": platform.python_version(),
        "torch": torch_version,
        "device": device_name(),
        "date": date.today().isoformat(),
        "wall_time_s": round(time.perf_counter() - start, 2),
        "values": values,
        # Written only when every hidden block ran without error: d2lsite check and the
        # strict build refuse a record without "checks": "passed".
        "checks": "passed",
        "check_blocks": checks,
        "blocks": blocks_out,
    }


def main(argv: list[str] | None = None) -> int:
    page_path, out_dir, page_name = (argv or sys.argv[1:])[:3]
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.pop(BUDGET_ENV, None)  # a record is always the full run
    seed_cache_from_shared()  # the shared data sets, where a reader's downloads would go
    try:
        record = execute_page(Path(page_path), Path(out_dir), page_name)
    except BlockError as err:
        sys.stderr.write(f"{page_name}:{err.line}: the page failed\n{err.text}")
        return 1
    (Path(out_dir) / "record.json").write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
