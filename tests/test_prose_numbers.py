"""No number that a page's run produced is typed by hand in the prose.

Accuracies, losses, timings, speed-ups and parameter errors come from the record:
a hidden block names the value with ``glue("name", value)`` and the prose writes
``{{ name:.3f }}`` (README, "Numbers in the prose"). This test scans the prose of every
page (code, comments and references left out) for phrases that typically quote a run
and fails on each one it finds, with its line. Published figures from papers and other
books are typed, with their source; they go into ``ALLOWED`` below, with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from d2lsite.engine.refs import REFERENCE, prose_segments

ROOT = Path(__file__).resolve().parent.parent
NUMBER = r"(?:\d+(?:[.,]\d+)*|\.\d+)"
# What a run measures: a decimal fraction or a percentage (not a count like "10 epochs").
MEASURED = r"(?:\d*\.\d+|\d+(?:\.\d+)?\s*%)"
# Words that may stand between "accuracy" or "loss" and its value.
FILLER = (
    r"(?:of|on|the|in|for|is|was|were|are|reaches|reached|about|around|near|roughly|"
    r"approximately|only|just|still|stays|stayed|ends|ended|becomes|became|drops|dropped|"
    r"falls|fell|rises|rose|goes|went|to|at|w|b|test|train|training|validation|final|"
    r"mean|average|typical)"
)
RUN_NUMBER = re.compile(
    "|".join(
        rf"(?:{p})"
        for p in [
            # accuracy, loss, error, perplexity followed by a number: "test acc 0.83",
            # "a training loss of 0.31", "accuracy reaches 85%", "an error of 0.002"
            rf"\b(?:acc|accuracy|loss|error|errors|perplexity)\b(?:[ \t]+{FILLER}){{0,3}}"
            rf"[ \t]*(?:=|:|≈)?[ \t]*(?<![\w.]){MEASURED}",
            # "5.2× faster", "12 times faster", "3x slower"
            rf"{NUMBER}\s*(?:×|x|times)\s+(?:faster|slower|quicker|as fast)",
            # "a speed-up of 21.5", "speedup: 4"
            rf"\bspeed-?ups?\b[^.\n{{}}]{{0,20}}?{NUMBER}",
            # measured time: "0.31 s", "takes 12 seconds", "1200 examples/sec"
            r"(?<![\w.])(?:\d+\.\d+\s*|\d+\s+)(?:s|sec|secs|seconds|ms|milliseconds)\b(?!-)",
            rf"{NUMBER}\s*(?:examples|samples|images)\s*/\s*s(?:ec)?\b",
            # "in our run(s)" with a number in the same sentence
            rf"\bin (?:our|my|this|one|a) runs?\b[^.\n]*?{MEASURED}",
        ]
    ),
    re.IGNORECASE,
)

# Figures that look like run numbers but are not a page's run: published figures (with
# their source), and values an exercise or example assumes. (page, phrase in the line, why)
ALLOWED: list[tuple[str, str, str]] = [
    (
        "performance.md",
        "",
        "measurements of benchmarks/ and of CI, each with its machine and the command",
    ),
    ("preliminaries/pandas.md", "an error of 0.1 in", "an exercise's hypothetical error"),
    ("preliminaries/probability.md", "true accuracy 0.9", "an assumed accuracy in an example"),
    (
        "generalization/dropout.md",
        "test accuracy of 0.85 or more",
        "the bound that the page's hidden full-run checks assert, not a run's value",
    ),
    (
        "generalization/kaggle-house-price.md",
        "typical errors of about 15% of the price",
        "what a log RMSE of 0.15 means, worked out, not a run's value",
    ),
]


def typed_run_numbers(text: str) -> list[tuple[int, str]]:
    """(line, phrase) for every run-number phrase in the prose of ``text``."""
    found = []
    for offset, piece in prose_segments(text):
        piece = REFERENCE.sub(lambda m: " " * len(m.group(0)), piece)  # values from records
        for m in RUN_NUMBER.finditer(piece):
            if not re.search(r"\d", m.group(0)):
                continue
            line = text.count("\n", 0, offset + m.start()) + 1
            found.append((line, " ".join(m.group(0).split())))
    return found


def allowed(page: str, line_text: str) -> bool:
    return any(page == p and phrase in line_text for p, phrase, _ in ALLOWED)


def scan(page: str) -> list[str]:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    lines = text.splitlines()
    return [
        f"docs/{page}:{line}: {phrase!r}"
        for line, phrase in typed_run_numbers(text)
        if not allowed(page, lines[line - 1])
    ]


@pytest.mark.parametrize(
    "text, phrases",
    [
        ("After 10 epochs the test acc 0.83 is good.", ["acc 0.83"]),
        ("a training loss of 0.31, and", ["loss of 0.31"]),
        ("The accuracy reaches 85% here.", ["accuracy reaches 85%"]),
        ("It is 21.5 times faster.", ["21.5 times faster"]),
        ("It is 4× faster.", ["4× faster"]),
        ("a speed-up of 11.1 with one thread", ["speed-up of 11.1"]),
        ("one epoch takes 0.314 s on", ["0.314 s"]),
        ("reads 52000 examples/sec", ["52000 examples/sec"]),
        ("In our run the gap was 3.5 points.", ["In our run the gap was 3.5"]),
        ("the error in w is 0.0021", ["error in w is 0.0021"]),
        ("After {{ epochs }} epochs the test accuracy is {{ acc:.3f }}.", []),
        ("Use 10 epochs and a learning rate of 0.1 with batch size 256.", []),
        ("The loss function is squared error, with a 1/2 in front.", []),
        ("```python\nprint('test acc 0.83')\n```\n", []),
        ("<!-- test acc 0.83 -->", []),
        ("`loss 0.5` in code", []),
        ("section 3.2 says 3-second rule", []),
    ],
)
def test_scan_finds_typed_run_numbers_and_nothing_else(text, phrases):
    assert [phrase for _, phrase in typed_run_numbers(text)] == phrases


def test_no_page_types_a_number_that_its_run_produced(book_page):
    problems = scan(book_page)
    assert not problems, (
        "numbers from a run are typed in the prose; name each value in a hidden block with "
        'glue("name", value) and write {{ name:.3f }} instead (or, for a published figure, '
        "add it to ALLOWED in tests/test_prose_numbers.py with its source):\n" + "\n".join(problems)
    )
