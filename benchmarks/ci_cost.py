"""What each page of the book costs in CI, and what 150 pages would cost.

Runs, one after the other, in the project's environment:

1. one pytest session over every page's code blocks and the plain-script test, with
   ``D2LSITE_CI_BUDGET=reduced`` so that every page runs at the reduced budget, and
   reads the seconds each page took from the session's execution counter
   (``D2LSITE_EXECUTIONS_JSON``, see ``d2lsite/engine/ci.py``);
2. one pytest session of the per-page site tests (strict build, browser checks, parser
   and prose checks), and spreads their time evenly over the pages.

A page's CI cost is then: its code blocks at its CI budget (the reduced-budget
measurement for a page marked ``budget: reduced`` or whose recorded full run is over
``LONG_S``; otherwise its full run, which is the larger of the measurement and the
recorded wall time), plus its plain script at the reduced budget, plus its share of
the site tests. The table goes to standard output as Markdown, with the JSON of all
measurements in ``--out``.

Usage, from the repository's top folder (takes a few minutes; close other programs)::

    python benchmarks/ci_cost.py --out /tmp/ci_cost.json
    python benchmarks/ci_cost.py --from /tmp/ci_cost.json   # only print the table again
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from d2lsite.engine.book import Book  # noqa: E402
from d2lsite.engine.ci import LONG_PAGE_S as LONG_S  # noqa: E402

SITE_TESTS = [
    "tests/test_site.py",
    "tests/test_browser.py",
    "tests/test_pages.py",
    "tests/test_prose_numbers.py",
    "tests/test_exercises.py",
]


def pytest(args: list[str], env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, proc.stdout + proc.stderr


def load() -> float:
    return os.getloadavg()[0]


def measure() -> dict:
    book = Book(ROOT)
    pages = [n for n in book.pages() if book.page(n).code_blocks]
    result: dict = {"pages": {}, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        counter = Path(tmp) / "executions.json"
        env = dict(os.environ, D2LSITE_CI_BUDGET="reduced", D2LSITE_EXECUTIONS_JSON=str(counter))
        took, log = pytest(["docs", "tests/test_reader_scripts.py"], env)
        result["code_session_s"] = took
        result["code_session_tail"] = log[-3000:]
        executions = json.loads(counter.read_text()) if counter.is_file() else {}
    for name in pages:
        page = book.page(name)
        record = book.record(name) or {}
        runs = executions.get(name, {})
        result["pages"][name] = {
            "reduced_front_matter": page.reduced_budget,
            "recorded_full_s": record.get("wall_time_s"),
            "code_blocks_reduced_s": runs.get("code blocks", [0, 0.0])[1],
            "plain_script_reduced_s": runs.get("plain script", [0, 0.0])[1],
        }
    env = dict(os.environ)
    env.pop("D2LSITE_CI_BUDGET", None)
    took, log = pytest([*SITE_TESTS, "--durations=0"], env)
    result["site_session_s"] = took
    result["site_session_tail"] = log[-3000:]
    result["site_tests_per_page_s"] = took / max(1, len(book.pages()))
    result["book_pages"] = len(book.pages())
    m = re.search(r"(\d+) passed", log)
    result["site_tests_passed"] = int(m.group(1)) if m else None
    result["load_after"] = os.getloadavg()
    return result


def ci_cost(entry: dict) -> tuple[str, float]:
    """(budget, seconds of code blocks in CI) for one page."""
    full = entry["recorded_full_s"]
    long = entry["reduced_front_matter"] or (full is not None and full > LONG_S)
    if long:
        return "reduced", entry["code_blocks_reduced_s"]
    return "full", max(entry["code_blocks_reduced_s"], full or 0.0)


def table(result: dict) -> str:
    rows = [
        "| page | budget in CI | full run (recorded) | code blocks in CI | plain script "
        "(reduced) | site tests (share) | CI cost |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    share = result["site_tests_per_page_s"]
    total = 0.0
    for name, entry in result["pages"].items():
        budget, code = ci_cost(entry)
        cost = code + entry["plain_script_reduced_s"] + share
        total += cost
        full = entry["recorded_full_s"]
        rows.append(
            f"| {name} | {budget} | {full if full is not None else '-'} s | {code:.1f} s | "
            f"{entry['plain_script_reduced_s']:.1f} s | {share:.1f} s | {cost:.1f} s |"
        )
    rows.append(f"| **{len(result['pages'])} pages with code** | | | | | | **{total:.0f} s** |")
    return "\n".join(rows)


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
    print(table(result))
    print(
        f"\ncode-block and plain-script session: {result['code_session_s']:.0f} s; "
        f"site tests: {result['site_session_s']:.0f} s for {result['book_pages']} pages; "
        f"load average before {result['load_before'][0]:.1f}, after {result['load_after'][0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
