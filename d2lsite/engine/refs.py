"""Numbers in the prose, taken from the page's record: ``{{ name }}`` and ``{{ name:.3f }}``.

A hidden block of the page names a value with ``glue("test_acc", acc)`` (see
``values.py``); the record keeps it under ``"values"``. The prose refers to it as
``{{ test_acc }}`` or, with a Python format specification, ``{{ test_acc:.3f }}``,
``{{ share:.1% }}``, ``{{ n:, }}``. The build writes the formatted value in, on the
site and in the notebook.

References are read only in prose: never inside fenced code, inline code spans or
HTML comments (which hold the hidden blocks). Inside math they count, so
``$\\eta = {{ lr }}$`` works; LaTeX that needs two braces around a bare name writes
``{ {x} }``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

# {{ name }} or {{ name:spec }}; the spec is Python's format mini-language.
REFERENCE = re.compile(
    r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?::(?P<spec>[^{}\n]*?))?\s*\}\}"
)
INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)


class RefError(ValueError):
    """A reference whose value is missing or cannot be formatted."""


@dataclass(frozen=True)
class Reference:
    """One ``{{ name:spec }}`` in the prose of a page."""

    name: str
    spec: str  # "" when the reference gives no format
    line: int  # 1-based line on the page
    start: int  # offsets of the whole reference in the page's text
    end: int

    @property
    def source(self) -> str:
        return "{{ " + self.name + (f":{self.spec}" if self.spec else "") + " }}"


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets ``[start, end)`` of what is not prose: fenced code, HTML comments, code spans.

    Fences follow the engine's page reader (``pages.py``): a line whose stripped start
    is three or more backticks (or tildes) opens a fence, which the first line starting
    with as many of the same characters closes.
    """
    ranges: list[tuple[int, int]] = []
    prose: list[tuple[int, int]] = []  # line ranges still to scan for code spans
    offset = 0
    fence: str | None = None
    fence_start = 0
    comment_start: int | None = None
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        begin = offset
        offset += len(line)
        if fence is not None:
            if stripped.startswith(fence):
                ranges.append((fence_start, offset))
                fence = None
            continue
        if comment_start is not None:
            close = line.find("-->")
            if close < 0:
                continue
            ranges.append((comment_start, begin + close + 3))
            comment_start = None
            line_rest_start = begin + close + 3
        else:
            line_rest_start = begin
        if comment_start is None and line_rest_start == begin:
            for marker in ("```", "~~~"):
                if stripped.startswith(marker):
                    n = len(stripped) - len(stripped.lstrip(marker[0]))
                    fence, fence_start = marker[0] * n, begin
                    break
            if fence is not None:
                continue
        # Comments that open (and perhaps close) on this line.
        pos = line_rest_start
        while pos < offset:
            opened = text.find("<!--", pos, offset)
            if opened < 0:
                prose.append((pos, offset))
                break
            prose.append((pos, opened))
            close = text.find("-->", opened + 4, offset)
            if close < 0:
                comment_start = opened
                break
            ranges.append((opened, close + 3))
            pos = close + 3
    if fence is not None:
        ranges.append((fence_start, len(text)))
    if comment_start is not None:
        ranges.append((comment_start, len(text)))
    # Inline code spans, within runs of prose (a span may wrap onto the next line).
    for start, end in merge(prose):
        for m in INLINE_CODE.finditer(text, start, end):
            ranges.append((m.start(), m.end()))
    return merge(ranges)


def merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def prose_segments(text: str) -> Iterator[tuple[int, str]]:
    """The prose of ``text`` as (offset, piece) pairs: what lies outside code and comments."""
    pos = 0
    for start, end in code_ranges(text):
        if start > pos:
            yield pos, text[pos:start]
        pos = max(pos, end)
    if pos < len(text):
        yield pos, text[pos:]


def find_references(text: str) -> list[Reference]:
    """Every ``{{ name }}`` / ``{{ name:spec }}`` in the prose of ``text``, in order."""
    found = []
    for offset, piece in prose_segments(text):
        for m in REFERENCE.finditer(piece):
            start = offset + m.start()
            found.append(
                Reference(
                    name=m.group("name"),
                    spec=(m.group("spec") or "").rstrip(),
                    line=text.count("\n", 0, start) + 1,
                    start=start,
                    end=offset + m.end(),
                )
            )
    return found


def format_value(value: object, spec: str = "") -> str:
    """``value`` formatted with ``spec``; a clear error when the two do not fit."""
    try:
        text = format(value, spec)
    except (ValueError, TypeError) as err:
        raise RefError(
            f"cannot format the value {value!r} with ':{spec}' ({err}); "
            "use a Python format specification that fits it, such as .3f, .1% or ,"
        ) from None
    return " ".join(text.split("\n"))  # a value never breaks the page's lines


@dataclass
class Substitution:
    text: str
    problems: list[str]  # one line each: "line N: {{ name }} ..."
    references: list[Reference]


def substitute(text: str, values: dict | None, *, escape: bool = True) -> Substitution:
    """Write the recorded ``values`` into the references of ``text``.

    ``values`` is the record's ``"values"`` (``None`` when there is no current record:
    then nothing is written in and there are no problems, since the page already shows
    that its outputs are out of date). A reference to a missing name, or one whose value
    does not fit its format, is left as it stands and reported in ``problems``. With
    ``escape``, string values are HTML-escaped (the text goes to Markdown).
    """
    references = find_references(text)
    if values is None:
        return Substitution(text, [], references)
    out, problems, pos = [], [], 0
    for ref in references:
        out.append(text[pos : ref.start])
        pos = ref.end
        if ref.name not in values:
            problems.append(
                f"line {ref.line}: {ref.source} refers to a value the page's record lacks; "
                f'name it in a hidden block with glue("{ref.name}", value) and run the page'
                + close_names(ref.name, values)
            )
            out.append(text[ref.start : ref.end])
            continue
        try:
            formatted = format_value(values[ref.name], ref.spec)
        except RefError as err:
            problems.append(f"line {ref.line}: {ref.source}: {err}")
            out.append(text[ref.start : ref.end])
            continue
        out.append(html.escape(formatted, quote=False) if escape else formatted)
    out.append(text[pos:])
    return Substitution("".join(out), problems, references)


def close_names(name: str, values: dict) -> str:
    import difflib

    near = difflib.get_close_matches(name, list(values), n=3)
    return f" (did you mean {', '.join(near)}?)" if near else ""


def reference_problems(text: str, record: dict | None) -> list[str]:
    """What is wrong with the references of a page whose record is current."""
    if not find_references(text):
        return []
    if record is None:
        return ["the page refers to recorded values, but it has no record; run it"]
    return substitute(text, record.get("values", {})).problems
