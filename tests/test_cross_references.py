"""References to other chapters and sections are links, and equations are numbered one way.

1. A phrase that points the reader to another chapter ("the chapter on X", "a later
   chapter", "in chapter 4", "the next chapter", "later in the book") must be a
   Markdown link, or be followed right away by one ("the chapter on [dropout](...)"). A
   bare phrase cannot be followed, and it often names a chapter that does not exist.
2. Equations follow the book's style (README, "Style"): a display equation that the text
   refers to is numbered with ``\\tag{n}``, n = 1, 2, 3, ... on each page, and the prose
   refers to it as "equation (n)". No ``\\label``/``\\eqref`` and no ``equation``
   environments, which MathJax would number a second way; every "equation (n)" on a page
   names a tag of that page, unless it is followed by a link to the page it comes from
   ("equation (2) of the [previous page](...)").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_text import all_pages, line_of, prose, read  # noqa: E402

W = r"\s+"  # words may be split across lines
REFERENCES = [
    rf"\bthe{W}chapters?{W}on\b",
    rf"\b(?:a|the|this){W}chapter{W}(?:about|that{W}covers)\b",
    rf"\b(?:later|next|previous|following|earlier|coming|last|subsequent|future){W}"
    rf"(?:few{W}|two{W}|three{W})?chapters?\b",
    rf"\b(?:in|see){W}chapter{W}\d+\b",
    rf"\bchapters?{W}\d+\b",
    rf"\blater{W}in{W}(?:the|this){W}book\b",
    rf"\b(?:later|earlier){W}on{W}in{W}the{W}book\b",
]
REFERENCE = re.compile("|".join(f"(?:{p})" for p in REFERENCES), re.I)
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)\s]+\)", re.S)  # [text](target)


def bare_references(page: str) -> list[tuple[int, str]]:
    text = prose(read(page))
    links = [m.span() for m in LINK.finditer(text)]
    out = []
    for m in REFERENCE.finditer(text):
        inside = any(a <= m.start() and m.end() <= b for a, b in links)
        followed = re.match(r"\s*\[", text[m.end() : m.end() + 20]) is not None
        if not (inside or followed):
            out.append((line_of(text, m.start()), " ".join(m.group(0).split())))
    return out


PAGES = all_pages()


@pytest.mark.parametrize("page", PAGES)
def test_references_to_other_chapters_are_links(page):
    bare = bare_references(page)
    assert not bare, (
        f"docs/{page}: references to other chapters that are not links "
        "(link the page, e.g. [the chapter on dropout](../generalization/dropout.md), "
        "or rephrase; never point to a chapter the book does not have): "
        + "; ".join(f"line {line}: {phrase!r}" for line, phrase in bare)
    )


MATH_BLOCK = re.compile(r"\$\$(.*?)\$\$", re.S)
TAG = re.compile(r"\\tag\{([^}]*)\}")
EQ_REF = re.compile(r"\b[Ee]quations?\s+\((\d+)\)((?:\s*(?:and|,|or)\s*\((\d+)\))*)")
FORBIDDEN = re.compile(r"\\(?:label|eqref|ref)\{|\\begin\{(?:equation|align|gather|multline)\}")


def strip_code_and_comments(text: str) -> str:
    """The page without fenced code and HTML comments (math kept)."""
    text = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(
        r"^([ \t]*)(`{3,}|~{3,})[^\n]*\n.*?^\1?[ \t]*\2[ \t]*$",
        lambda m: re.sub(r"[^\n]", " ", m.group(0)),
        text,
        flags=re.S | re.M,
    )


@pytest.mark.parametrize("page", PAGES)
def test_equations_are_numbered_one_way(page):
    text = strip_code_and_comments(read(page))
    problems = []
    for m in FORBIDDEN.finditer(text):
        problems.append(
            f"line {line_of(text, m.start())}: {m.group(0)!r}; number with \\tag{{n}} and "
            "refer to it as 'equation (n)'"
        )
    tags = [(line_of(text, m.start()), m.group(1)) for m in TAG.finditer(text)]
    numbers = [t for _, t in tags]
    if numbers != [str(i) for i in range(1, len(numbers) + 1)]:
        problems.append(f"tags are {numbers}; number them 1, 2, 3, ... in page order")
    body = prose(read(page), keep_inline_code=True)
    links = [m.span() for m in LINK.finditer(body)]
    for m in EQ_REF.finditer(body):
        rest = body[m.end() : m.end() + 60]
        # "equation (2) of the [previous page](...)": a reference to another page
        if re.match(r"\s*(?:of|on|in)\s+(?:the\s+)?\[", rest) or any(
            a <= m.start() < b for a, b in links
        ):
            continue
        refs = [m.group(1), *re.findall(r"\((\d+)\)", m.group(2) or "")]
        for n in refs:
            if n not in numbers:
                problems.append(
                    f"line {line_of(body, m.start())}: 'equation ({n})' but the page has no "
                    f"\\tag{{{n}}}"
                )
    assert not problems, f"docs/{page}: " + "; ".join(problems)


ADJACENT = re.compile(
    r"\[(?:the\s+)?(next|previous)\s+(?:section|page)\]\(([^)#\s]+\.md)(#[^)]*)?\)", re.I
)


def test_next_and_previous_links_point_to_the_neighbouring_page():
    """A link titled "next section" or "previous page" goes to the page that comes
    right after (before) this one in the nav, which changes when pages are added."""
    import posixpath

    from book_text import nav_pages

    order = nav_pages()
    problems = []
    for i, page in enumerate(order):
        text = prose(read(page), keep_inline_code=True)
        for m in ADJACENT.finditer(text):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), m.group(2)))
            j = i + 1 if m.group(1).lower() == "next" else i - 1
            expected = order[j] if 0 <= j < len(order) else None
            if target != expected:
                problems.append(
                    f"docs/{page}:{line_of(text, m.start())}: [{m.group(1)} ...] links to "
                    f"{target}, but the {m.group(1).lower()} page in the nav is {expected}; "
                    "name the page instead (e.g. [automatic differentiation](autograd.md))"
                )
    assert not problems, "\n".join(problems)
