"""Readers copy code: a page's visible code, pasted into one plain script, runs.

A reader who copies every code block of a page, top to bottom, into a file and runs
it with ``python`` must get no error. So the script holds only what the page shows:
no hidden checks (fences inside HTML comments), no chain that is skipped or that
fails on purpose, and nothing from ``conftest.py``; it runs in an empty folder, in a
fresh interpreter, so no other page's state can help it.

This runs every page's visible code once more, always at the reduced budget
(``D2LSITE_BUDGET=reduced``: the library's loaders yield a few batches), so no page
trains in full a second time in CI; the full run happens when the page is recorded.
The scripts start from a fork server that has imported torch once (see
``tests/script_runner.py``), which saves 2 to 3 seconds of start-up per page. It is
marked ``slow``; ``pytest -m "not slow"`` leaves it out while you work, CI runs it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from d2lsite.engine import ci
from d2lsite.engine.pages import BUDGET_ENV, Page, read_page
from tests.script_runner import ScriptRunner

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "reader_script.py"
TIMEOUT_S = 1200


def reader_script(page: Page) -> tuple[str, list[tuple[int, int]]]:
    """The code a reader sees on ``page``, as one script.

    Returns the script and, for each block, (first script line, first page line),
    so that an error can be reported at the page's line.
    """
    parts, starts, line = [], [], 1
    for chain in page.python_chains:
        if chain.skipped or chain.xfail:
            continue
        for block in chain.blocks:
            if block.hidden or block.syntax != "python":
                continue
            code = block.code.rstrip("\n") + "\n\n\n"
            starts.append((line, block.line + 1))
            parts.append(code)
            line += code.count("\n")
    return "".join(parts), starts


def page_line(script_line: int, starts: list[tuple[int, int]]) -> int:
    first_script, first_page = max((s for s in starts if s[0] <= script_line), default=(1, 1))
    return first_page + script_line - first_script


@pytest.fixture(scope="module")
def script_runner():
    runner = ScriptRunner(os.environ)
    yield runner
    runner.close()


def test_reader_script_keeps_visible_code_and_drops_hidden_skipped_and_failing_code():
    page_text = "\n".join(
        [
            "# Page",
            "```python",
            "a = 1",
            "```",
            "<!--pytest-codeblocks:cont-->",
            "<!--",
            "```python",
            "assert a == 1",
            "```",
            "-->",
            "<!--pytest-codeblocks:cont-->",
            "```python",
            "print(a)",
            "```",
            '<!--pytest.mark.skip(reason="needs a GPU")-->',
            "```python",
            "torch.cuda.init()",
            "```",
            "<!--pytest.mark.xfail-->",
            "```python",
            "1 / 0",
            "```",
            "```console",
            "$ ls",
            "```",
            "",
        ]
    )
    from d2lsite.engine.pages import parse_page

    script, starts = reader_script(parse_page(page_text))
    assert script == "a = 1\n\n\nprint(a)\n\n\n"
    assert starts == [(1, 3), (4, 13)]
    assert page_line(4, starts) == 13


@pytest.mark.slow
def test_visible_code_of_the_page_runs_as_one_plain_script(code_page, tmp_path, script_runner):
    page = read_page(ROOT / "docs" / code_page)
    script, starts = reader_script(page)
    assert script.strip(), f"docs/{code_page} shows no code, yet it runs some (hidden?)"
    (tmp_path / SCRIPT).write_text(script, encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    env[BUDGET_ENV] = "reduced"  # the code-block test already ran the page at its budget
    returncode, stderr, seconds = script_runner.run(tmp_path / SCRIPT, env, [str(ROOT)], TIMEOUT_S)
    ci.note(code_page, ci.PLAIN_SCRIPT, ci.REDUCED, seconds=seconds, cpu=script_runner.cpu)
    if returncode != 0:
        # Point the traceback at the page's lines.
        def to_page(m: re.Match) -> str:
            return f'File "docs/{code_page}", line {page_line(int(m.group(1)), starts)}'

        err = re.sub(rf'File "[^"]*{SCRIPT}", line (\d+)', to_page, stderr)
        pytest.fail(
            f"docs/{code_page}: its visible code, run as one script, fails:\n{err[-4000:]}",
            pytrace=False,
        )
