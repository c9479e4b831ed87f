"""Every exercise of every page has a collapsed hint or worked answer, placed the same
way everywhere: inside the exercise's list item, indented four spaces,

    1. Exercise text...

        ??? tip "Hint"
            Hint text...

(``??? tip "Answer"`` for a worked answer). Run alone for a per-page count:
``python tests/test_exercises.py``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_text import all_pages, line_of, prose, read  # noqa: E402

EXERCISES_HEADING = re.compile(r"^#{2,3}[ \t]+Exercises[ \t]*$", re.M | re.I)
NEXT_HEADING = re.compile(r"^#{1,3}[ \t]+\S", re.M)
ITEM = re.compile(r"^(\d+)[.)][ \t]+\S", re.M)
HINT = re.compile(
    r'^ {4}\?\?\?\+?[ \t]+tip[ \t]+"(?:Hint|Answer)"[ \t]*\n(?:[ \t]*\n)*( {8,})\S', re.M
)
ANY_COLLAPSED = re.compile(r"^[ \t]*\?\?\?", re.M)


@dataclass
class Exercise:
    page: str
    number: int
    line: int
    text: str

    @property
    def has_hint(self) -> bool:
        return bool(HINT.search(self.text))


def exercises_section(page: str):
    """``(text, start, stop, items)`` of the page's "Exercises" section, or ``None``:
    the page's prose, where the section starts and ends in it, and its top-level items."""
    text = prose(read(page), keep_inline_code=True)
    head = EXERCISES_HEADING.search(text)
    if not head:
        return None
    end = NEXT_HEADING.search(text, head.end())
    stop = end.start() if end else len(text)
    return text, head.end(), stop, list(ITEM.finditer(text, head.end(), stop))


def exercises(page: str) -> list[Exercise]:
    """The exercises of a page: the top-level items of its numbered list under an
    "Exercises" heading (level 2 or 3), each with its text up to the next item."""
    section = exercises_section(page)
    if section is None:
        return []
    text, _, stop, items = section
    out = []
    for i, m in enumerate(items):
        body_end = items[i + 1].start() if i + 1 < len(items) else stop
        body = text[m.start() : body_end]
        out.append(Exercise(page, int(m.group(1)), line_of(text, m.start()), body))
    return out


def stray_hints(page: str) -> list[int]:
    """Lines of collapsed blocks in the exercises section that belong to no exercise
    (e.g. a list of hints after the exercises)."""
    section = exercises_section(page)
    if section is None:
        return []
    text, start, stop, items = section
    first = items[0].start() if items else stop
    out = [line_of(text, m.start()) for m in ANY_COLLAPSED.finditer(text, start, first)]
    for m in ANY_COLLAPSED.finditer(text, first, stop):
        if not m.group(0).startswith("    ???"):
            out.append(line_of(text, m.start()))
    return out


PAGES = [page for page in all_pages() if EXERCISES_HEADING.search(read(page))]


@pytest.mark.parametrize("page", PAGES)
def test_every_exercise_has_a_hint(page):
    found = exercises(page)
    assert found, f"docs/{page}: an Exercises heading but no numbered exercises under it"
    numbers = [e.number for e in found]
    assert numbers == list(range(1, len(found) + 1)), (
        f"docs/{page}: exercises numbered {numbers}; number them 1, 2, 3, ..."
    )
    missing = [f"exercise {e.number} (line {e.line})" for e in found if not e.has_hint]
    stray = stray_hints(page)
    problems = []
    if missing:
        problems.append(
            "without a collapsed hint inside the item (indented 4 spaces: "
            '`??? tip "Hint"` or `??? tip "Answer"`, its text indented 8): ' + ", ".join(missing)
        )
    if stray:
        problems.append(
            "collapsed blocks outside an exercise item, at lines "
            + ", ".join(map(str, stray))
            + " (put each hint inside its exercise)"
        )
    assert not problems, f"docs/{page}: " + "; ".join(problems)


def test_exercise_count_reported():
    """The book has exercises, and this test file sees them (guards the parser)."""
    total = sum(len(exercises(page)) for page in PAGES)
    assert total >= 50, f"only {total} exercises found; has the Exercises heading changed?"


if __name__ == "__main__":
    total = hinted = 0
    for page in PAGES:
        found = exercises(page)
        n = sum(e.has_hint for e in found)
        total, hinted = total + len(found), hinted + n
        missing = [e.number for e in found if not e.has_hint]
        print(f"{page}: {n}/{len(found)}" + (f"  missing {missing}" if missing else ""))
    print(f"total: {hinted}/{total} exercises have a hint")
