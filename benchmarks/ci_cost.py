"""What each page of the book costs in CI, and what 150 pages would cost.

Runs four pytest sessions, one after the other, in the project's environment, and
notes for each its wall time and the CPU seconds it used (its own and its children's):

1. every page's code blocks and the plain-script test, as CI runs them (each page at
   its CI budget), with the seconds of each page from the session's execution counter
   (``D2LSITE_EXECUTIONS_JSON``, see ``d2lsite/engine/ci.py``);
2. the code blocks of the pages that train (recorded full run over ``TRAINING_S``)
   once more, all at the reduced budget (``D2LSITE_CI_BUDGET=reduced``): what a long
   page costs in CI;
3. the per-page site tests (strict build, browser checks, parser and prose checks),
   whose time is spread evenly over the book's pages;
4. every other test: the fixed cost, which does not grow with the book.

On a machine shared with other jobs the wall times grow with the load, while the CPU
seconds stay close to what an idle machine needs; both are printed. The tables go to
standard output as Markdown, all measurements to ``--out`` as JSON.

Usage, from the repository's top folder (takes 10 to 20 minutes; close other programs)::

    python benchmarks/ci_cost.py --out /tmp/ci_cost.json
    python benchmarks/ci_cost.py --from /tmp/ci_cost.json   # print the tables again
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from d2lsite.engine.book import Book  # noqa: E402

TRAINING_S = 5  # pages whose recorded full run is longer are measured at the reduced budget
PAGE_TESTS = ["docs", "tests/test_reader_scripts.py"]
SITE_TESTS = [
    "tests/test_site.py",
    "tests/test_browser.py",
    "tests/test_pages.py",
    "tests/test_prose_numbers.py",
    "tests/test_exercises.py",
    "tests/test_run_policy.py",
]


def pytest(args: list[str], env: dict) -> dict:
    """Run one pytest session; its wall time, CPU seconds, and the end of its log."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log = proc.stdout + proc.stderr
    return {"wall_s": wall, "cpu_s": cpu, "tail": log[-2500:], "load": os.getloadavg()[0]}


def counted(args: list[str], env: dict) -> tuple[dict, dict]:
    """A session with the execution counter on: (session, counter)."""
    with tempfile.TemporaryDirectory() as tmp:
        counter = Path(tmp) / "executions.json"
        session = pytest(args, dict(env, D2LSITE_EXECUTIONS_JSON=str(counter)))
        data = json.loads(counter.read_text()) if counter.is_file() else {}
    return session, data


def measure() -> dict:
    book = Book(ROOT)
    pages = [n for n in book.pages() if book.page(n).code_blocks]
    env = {k: v for k, v in os.environ.items() if k != "D2LSITE_CI_BUDGET"}
    result: dict = {"pages": {}, "load_before": os.getloadavg()[0]}
    result["ci_session"], ci_runs = counted(PAGE_TESTS, env)
    training = [n for n in pages if ((book.record(n) or {}).get("wall_time_s") or 0) > TRAINING_S]
    reduced_env = dict(env, D2LSITE_CI_BUDGET="reduced")
    result["reduced_session"], reduced_runs = counted([f"docs/{n}" for n in training], reduced_env)
    for name in pages:
        runs = ci_runs.get("executions", {}).get(name, {})
        cpu = ci_runs.get("cpu_s", {}).get(name, {})
        reduced = reduced_runs.get("executions", {}).get(name, {})
        reduced_cpu = reduced_runs.get("cpu_s", {}).get(name, {})
        result["pages"][name] = {
            "budget": runs.get("code blocks", [0, 0, "-"])[2],
            "recorded_full_s": (book.record(name) or {}).get("wall_time_s"),
            "code_s": runs.get("code blocks", [0, 0.0])[1],
            "code_cpu_s": cpu.get("code blocks", 0.0),
            "script_s": runs.get("plain script", [0, 0.0])[1],
            "script_cpu_s": cpu.get("plain script", 0.0),
            "reduced_code_s": reduced.get("code blocks", [0, None])[1],
            "reduced_code_cpu_s": reduced_cpu.get("code blocks"),
        }
    result["site_session"] = pytest(SITE_TESTS, env)
    result["book_pages"] = len(book.pages())
    others = [
        "tests",
        *(f"--ignore={p}" for p in SITE_TESTS),
        "--ignore=tests/test_reader_scripts.py",
    ]
    result["fixed_session"] = pytest(others, env)
    result["load_after"] = os.getloadavg()[0]
    return result


def page_table(result: dict) -> str:
    site = result["site_session"]
    share_s = site["wall_s"] / result["book_pages"]
    share_cpu = site["cpu_s"] / result["book_pages"]
    rows = [
        "| page | budget in CI | full run (recorded) | code blocks | plain script "
        "(reduced) | site tests (share) | CI cost, wall | CI cost, CPU |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total_s = total_cpu = 0.0
    for name, e in result["pages"].items():
        wall = e["code_s"] + e["script_s"] + share_s
        cpu = e["code_cpu_s"] + e["script_cpu_s"] + share_cpu
        total_s += wall
        total_cpu += cpu
        full = e["recorded_full_s"]
        rows.append(
            f"| {name} | {e['budget']} | {full if full is not None else '-'} s | "
            f"{e['code_s']:.1f} s | {e['script_s']:.1f} s | {share_s:.1f} s | "
            f"{wall:.1f} s | {cpu:.1f} s |"
        )
    n = len(result["pages"])
    rows.append(
        f"| **{n} pages with code** | | | | | | **{total_s:.0f} s** | **{total_cpu:.0f} s** |"
    )
    return "\n".join(rows)


def reduced_table(result: dict) -> str:
    rows = [
        "| page that trains | full run (recorded) | code blocks in CI, full | "
        "at the reduced budget | CPU, full | CPU, reduced |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, e in result["pages"].items():
        if e["reduced_code_s"] is None:
            continue
        rows.append(
            f"| {name} | {e['recorded_full_s']} s | {e['code_s']:.1f} s | "
            f"{e['reduced_code_s']:.1f} s | {e['code_cpu_s']:.1f} s | "
            f"{e['reduced_code_cpu_s'] or 0:.1f} s |"
        )
    return "\n".join(rows)


def sessions(result: dict) -> str:
    lines = []
    for key in ("ci_session", "reduced_session", "site_session", "fixed_session"):
        s = result[key]
        lines.append(
            f"{key}: {s['wall_s']:.0f} s wall, {s['cpu_s']:.0f} s CPU, load {s['load']:.1f}"
        )
    lines.append(f"book pages: {result['book_pages']}, with code: {len(result['pages'])}")
    lines.append(
        f"load average before {result['load_before']:.1f}, after {result['load_after']:.1f}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the measurements here (JSON)")
    parser.add_argument("--from", dest="source", help="print the table of earlier measurements")
    args = parser.parse_args()
    if args.source:
        result = json.loads(Path(args.source).read_text())
    else:
        result = measure()
        if args.out:
            Path(args.out).write_text(json.dumps(result, indent=1))
    print(page_table(result))
    print()
    print(reduced_table(result))
    print()
    print(sessions(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
