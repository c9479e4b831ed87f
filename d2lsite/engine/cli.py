"""The ``d2lsite`` command: execute the book's pages and check the book.

d2lsite run [PAGE ...] [--all]   execute stale pages (or the named ones) and record outputs
d2lsite check                    fail if outputs are missing or stale, or the library drifted
d2lsite status                   list every page with code and the state of its outputs
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from .book import Book, BookError, Status
from .sync import sync_problems


def build_parser() -> argparse.ArgumentParser:
    from d2lsite import __version__

    parser = argparse.ArgumentParser(
        prog="d2lsite",
        description="Execute the pages of the d2lsite book and check it. "
        "Run it from the repository's top folder.",
    )
    parser.add_argument("--version", action="version", version=f"d2lsite {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute pages and record their outputs")
    run.add_argument("pages", nargs="*", help="pages to run (default: the stale ones)")
    run.add_argument("--all", action="store_true", help="run every page with code")
    sub.add_parser(
        "check",
        help="fail if any outputs are missing or stale, or the library and the book disagree",
    )
    sub.add_parser("status", help="show the state of every page's outputs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        book = Book(".")
        if args.command == "run":
            return run(book, args.pages, args.all)
        if args.command == "check":
            return check(book)
        return status(book)
    except BookError as err:
        print(f"d2lsite: {err}", file=sys.stderr)
        return 2


def pages_with_code(book: Book) -> dict[str, str]:
    """Every page with executed code, and its status."""
    result = {}
    for name in book.pages():
        state = book.status(name)
        if state != Status.NO_CODE:
            result[name] = state
    return result


def status(book: Book) -> int:
    for name, state in pages_with_code(book).items():
        print(f"{state:8} {book.where(name)}")
    return 0


def run(book: Book, names: list[str], run_all: bool) -> int:
    states = pages_with_code(book)
    if names:
        todo = [book.page_name(n) for n in names]
    elif run_all:
        todo = list(states)
    else:
        todo = [n for n, s in states.items() if s != Status.OK]
    if not todo:
        print("Every page's outputs are up to date.")
        return 0
    failures = 0
    for i, name in enumerate(todo, start=1):
        print(f"[{i}/{len(todo)}] {book.where(name)} ... ", end="", flush=True)
        start = time.perf_counter()
        ok, message = run_page(book, name)
        took = time.perf_counter() - start
        if ok:
            print(f"ok ({took:.1f} s)")
        else:
            failures += 1
            print(f"FAILED ({took:.1f} s); its old outputs are kept")
            print("    " + message.rstrip().replace("\n", "\n    "), file=sys.stderr)
    if failures:
        print(f"{failures} of {len(todo)} pages failed.", file=sys.stderr)
        return 1
    return 0


def run_page(book: Book, name: str) -> tuple[bool, str]:
    """Execute one page in a fresh process; replace its record only if it succeeds."""
    page = book.page(name)
    if not page.code_blocks:
        return True, ""
    key = book.key(page)
    with tempfile.TemporaryDirectory(prefix="d2lsite-") as tmp:
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "d2lsite.engine.execute",
                str(book.docs / name),
                tmp,
                book.where(name),
            ],
            cwd=book.root,
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            return False, (proc.stderr or proc.stdout)[-4000:]
        record_path = os.path.join(tmp, "record.json")
        with open(record_path, encoding="utf-8") as f:
            record = json.load(f)
        record = {"page": record.pop("page"), "key": key, **record}
        with open(record_path, "w", encoding="utf-8") as f:
            f.write(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        dest = book.record_dir(name)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(tmp, dest)
    return True, ""


def check(book: Book) -> int:
    problems = []
    for name, state in pages_with_code(book).items():
        if state != Status.OK:
            where = book.where(name)
            problems.append(f"{where}: outputs {state}; run: d2lsite run {where}")
    for orphan in book.orphan_records():
        problems.append(f"outputs/{orphan}/: records a page that no longer exists; delete it")
    problems += sync_problems(book)
    if problems:
        print(f"d2lsite check: {len(problems)} problem(s)")
        for problem in problems:
            print("- " + problem)
        return 1
    print("d2lsite check: every page's outputs are current, and the library matches the book.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
