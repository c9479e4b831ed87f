"""How often the test session executes each page, and at which budget.

The run policy (README, "Run policy"): under pytest every Python block of every page
runs once, through pytest-codeblocks, at the page's CI budget: in full, hidden checks
included, unless its front matter says ``budget: reduced``; then the library's loaders
yield only a few batches and ``# full-run check`` blocks are left out. The plain-script
test runs each page's visible code once more, always at the reduced budget, so no page
trains in full twice; the determinism test records one short page twice.

The root ``conftest.py`` and those tests call :func:`note` for every execution, and
``conftest.py`` prints :func:`summary` at the end of the session, so that CI shows how
many times each page ran.
"""

from __future__ import annotations

import time
from collections import defaultdict

FULL, REDUCED = "full", "reduced"
# A page whose recorded full run takes longer than this declares ``budget: reduced``.
LONG_PAGE_S = 20
CODE_BLOCKS, PLAIN_SCRIPT, RECORDING = "code blocks", "plain script", "recording"

# page -> kind of run -> chain (or "script") -> [count, seconds, budget]
_runs: dict[str, dict[str, dict[str, list]]] = defaultdict(lambda: defaultdict(dict))
_open: dict[tuple[str, str, str], tuple[float, float]] = {}
# page -> kind of run -> CPU seconds (all threads); on a busy machine this stays close
# to what the run costs on an idle one, while the wall time grows with the load
_cpu: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))


def start(page: str, kind: str, unit: str = "page") -> None:
    """An execution of ``page`` begins (``kind``: code blocks, plain script, recording)."""
    _open[(page, kind, unit)] = (time.perf_counter(), time.process_time())


def note(
    page: str,
    kind: str,
    budget: str,
    unit: str = "page",
    seconds: float | None = None,
    cpu: float | None = None,
):
    """An execution of ``page`` (one chain of it, or the whole page) has ended.

    Without ``seconds``, the wall and CPU time since :func:`start` in this process.
    """
    began = _open.pop((page, kind, unit), None)
    if seconds is None:
        if began is None:  # it never started (skipped before it ran)
            return
        seconds = time.perf_counter() - began[0]
        cpu = time.process_time() - began[1]
    if cpu is not None:
        _cpu[page][kind] += cpu
    entry = _runs[page][kind].setdefault(unit, [0, 0.0, budget])
    entry[0] += 1
    entry[1] += seconds
    entry[2] = budget


def executions() -> dict[str, dict[str, tuple[int, float, str]]]:
    """For each page and kind of run: how many times it ran, the seconds, the budget.

    A page of several chains has run once when each of its chains ran once.
    """
    result: dict[str, dict[str, tuple[int, float, str]]] = {}
    for page, kinds in _runs.items():
        result[page] = {}
        for kind, units in kinds.items():
            times = max(entry[0] for entry in units.values())
            seconds = sum(entry[1] for entry in units.values())
            budgets = {entry[2] for entry in units.values()}
            budget = budgets.pop() if len(budgets) == 1 else "mixed"
            result[page][kind] = (times, seconds, budget)
    return result


def summary() -> list[str]:
    """Lines for the end of the test session: each page's executions, and the totals."""
    table = executions()
    if not table:
        return []
    kinds = sorted({kind for runs in table.values() for kind in runs})
    width = max(len(page) for page in table)
    lines = [
        "page executions in this session (times × budget, seconds):",
        f"  {'page':{width}}  " + "  ".join(f"{kind:>24}" for kind in kinds),
    ]
    again = []
    for page in sorted(table):
        cells = []
        for kind in kinds:
            if kind in table[page]:
                times, seconds, budget = table[page][kind]
                cells.append(f"{f'{times}× {budget}, {seconds:.1f} s':>24}")
            else:
                cells.append(f"{'-':>24}")
        lines.append(f"  {page:{width}}  " + "  ".join(cells))
        if any(t > 1 for kind, (t, _, _) in table[page].items() if kind != RECORDING):
            again.append(page)
    total = sum(s for runs in table.values() for _, s, _ in runs.values())
    lines.append(
        f"  {len(table)} pages, {total:.1f} s executing them; "
        + (
            "each ran once per kind of test (a recording test records its page twice)."
            if not again
            else f"ran more than once in one kind of test: {', '.join(again)}"
        )
    )
    return lines


def cpu_seconds() -> dict[str, dict[str, float]]:
    """For each page and kind of run: the CPU seconds it used, where they were measured."""
    return {page: dict(kinds) for page, kinds in _cpu.items()}


def reset() -> None:
    _runs.clear()
    _open.clear()
    _cpu.clear()
