"""The ``d2lsite`` command: execute the book's pages and check the book.

d2lsite run [PAGE ...] [--all]   execute stale pages (or the named ones) and record outputs
d2lsite check                    fail if outputs are missing or stale, or the library drifted
d2lsite status                   list every page with code and the state of its outputs
"""

from __future__ import annotations

import argparse
import sys

from . import scheduler
from .book import Book, BookError, Status
from .refs import reference_problems
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
    run.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="pages run at once, each in its own process (default: one per core, "
        "or one per GPU; each gets cores / jobs torch threads)",
    )
    run.add_argument(
        "--device",
        choices=("cpu", "cuda", "mps"),
        default=None,
        help="where the pages compute (default: the best one available)",
    )
    run.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds a page may run, unless its front matter says 'timeout: <seconds>' "
        f"(default: {scheduler.DEFAULT_TIMEOUT_S} s)",
    )
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
            options = scheduler.Options(jobs=args.jobs, device=args.device)
            if args.timeout:
                options.timeout = args.timeout
            return run(book, args.pages, args.all, options)
        if args.command == "check":
            return check(book)
        return status(book)
    except (BookError, scheduler.SchedulerError) as err:
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


def run(
    book: Book, names: list[str], run_all: bool, options: scheduler.Options | None = None
) -> int:
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
    jobs = scheduler.run_pages(book, todo, options)
    failures = [job for job in jobs if job.outcome != "ok"]
    if failures:
        print(f"{len(failures)} of {len(jobs)} pages failed.", file=sys.stderr)
        return 1
    return 0


def run_page(book: Book, name: str, **options) -> tuple[bool, str]:
    """Record one page as ``d2lsite run`` does; replace its record only if it succeeds.

    Returns whether it succeeded and, if not, the report (page line and traceback).
    """
    import io

    from rich.console import Console

    quiet = Console(file=io.StringIO())
    jobs = scheduler.run_pages(book, [name], scheduler.Options(live=False, **options), quiet)
    if not jobs or jobs[0].outcome == "ok":
        return True, ""
    return False, jobs[0].message


def check(book: Book) -> int:
    problems = []
    states = pages_with_code(book)
    for name, state in states.items():
        if state == Status.UNCHECKED:
            where = book.where(name)
            problems.append(
                f"{where}: its record does not say that the page's hidden checks passed; "
                f"run: d2lsite run {where} (a failing check is reported with its line)"
            )
        elif state != Status.OK:
            where = book.where(name)
            problems.append(f"{where}: outputs {state}; run: d2lsite run {where}")
    for name in book.pages():  # numbers in the prose that the record cannot fill
        state = states.get(name, Status.NO_CODE)
        if state in (Status.OK, Status.NO_CODE):
            text = (book.docs / name).read_text(encoding="utf-8")
            record = book.record(name) if state == Status.OK else None
            where = book.where(name)
            problems += [f"{where}: {p}" for p in reference_problems(text, record)]
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
