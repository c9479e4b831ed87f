"""Reading a book page: its code fences, how they chain, and what each one saves.

The rules are pytest-codeblocks' (0.18), so that what the site executes and what CI
tests are the same code:

* every fenced block is collected, whatever its language;
* ``<!--pytest-codeblocks:cont-->`` appends the next block to the last collected one;
* ``<!--pytest.mark.X-->`` lines gather marks for the next block that is *not* a
  continuation (marks seen before a ``cont`` block carry over to the next new chain);
* ``<!--pytest-codeblocks:expected-output-->`` turns the next block into the expected
  output of the previous one.

On top of that we note which fences sit inside an HTML comment: they run but are not
shown. ``tests/test_pages.py`` checks this parser against pytest-codeblocks itself.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

CODEBLOCKS_TAG = re.compile(r"<!--[-\s]*pytest-codeblocks:(.*)-->")
MARK_TAG = re.compile(r"<!--[-\s]*(pytest\.mark\..*)-->")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
SAVE_TAG = re.compile(r"#\s*@save\b(?P<rest>.*)$")
FULL_RUN_CHECK = "# full-run check"  # first line of a hidden check that needs the full run
BUDGET_ENV = "D2LSITE_BUDGET"  # "reduced": the library's loaders yield only a few batches


class PageError(ValueError):
    """A page that pytest-codeblocks (and so the engine) cannot read."""


@dataclass
class Block:
    """One fenced block as it stands on the page."""

    line: int  # 1-based line of the opening fence
    end_line: int  # line of the closing fence
    syntax: str
    code: str
    indent: int
    hidden: bool  # inside an HTML comment: runs, but the reader does not see it
    heading: str | None  # the nearest heading above the block
    expected_output: bool = False  # the expected output of the block before it
    # Position among the page's Python chain blocks (skipped ones included): with the
    # hash of the code, the block's identity in a record (see ``identity``).
    index: int = -1

    @property
    def code_hash(self) -> str:
        return hashlib.sha256(self.code.encode()).hexdigest()[:16]

    @property
    def identity(self) -> tuple[int, str]:
        """What ties a recorded output to this block: never its position among run blocks."""
        return self.index, self.code_hash


@dataclass
class Chain:
    """Blocks that pytest-codeblocks runs as one test, in one namespace."""

    blocks: list[Block]
    marks: list[str] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.blocks[0].line

    @property
    def syntax(self) -> str:
        return self.blocks[0].syntax

    @property
    def code(self) -> str:
        return "".join(b.code for b in self.blocks)

    @property
    def skipped(self) -> bool:
        return any(name in ("skip", "skipif") and active for name, active in self._marks())

    @property
    def xfail(self) -> bool:
        return any(name == "xfail" and active for name, active in self._marks())

    def _marks(self) -> list[tuple[str, bool]]:
        """Each mark's name, and whether it applies, evaluated as pytest would."""
        import sys

        import pytest

        result = []
        for text in self.marks:
            mark = eval(text, {"sys": sys, "pytest": pytest}).mark  # noqa: S307
            active = bool(mark.args[0]) if mark.name == "skipif" and mark.args else True
            result.append((mark.name, active))
        return result

    def page_line(self, chain_line: int) -> int:
        """Map a line number in ``self.code`` to the line on the page."""
        first = 1
        for block in self.blocks:
            n = block.code.count("\n")
            if chain_line < first + n:
                return block.line + (chain_line - first) + 1
            first += n
        return self.blocks[-1].end_line


@dataclass
class Page:
    path: Path
    text: str
    blocks: list[Block]
    chains: list[Chain]

    @property
    def python_chains(self) -> list[Chain]:
        return [c for c in self.chains if c.syntax == "python"]

    @property
    def code_blocks(self) -> list[Block]:
        """Every block of the page's Python chains, skipped or not, in page order."""
        return [b for c in self.python_chains for b in c.blocks]

    @property
    def executed_blocks(self) -> list[Block]:
        """Python blocks that run on this machine (``skipif`` evaluated here), in order.

        Only the recorder and the tests ask this; the site and the notebooks read which
        blocks ran from the record, and match outputs to blocks by ``Block.identity``.
        """
        return [b for c in self.python_chains if not c.skipped for b in c.blocks]

    @property
    def front_matter(self) -> dict:
        """The YAML front matter at the top of the page (``---`` lines), or ``{}``."""
        return front_matter(self.text)

    @property
    def reduced_budget(self) -> bool:
        """Whether tests run this page at the reduced budget (front matter ``budget: reduced``)."""
        return self.front_matter.get("budget") == "reduced"

    @property
    def title(self) -> str:
        for line in self.text.splitlines():
            m = HEADING.match(line)
            if m and len(m.group(1)) == 1:
                return m.group(2)
        return self.path.stem


def front_matter(text: str) -> dict:
    """Parse the YAML front matter that MkDocs reads from a page's first lines."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            import yaml

            data = yaml.safe_load("\n".join(lines[1:i])) or {}
            if not isinstance(data, dict):
                raise PageError(f"the front matter must be a mapping of keys, got {data!r}")
            return data
    return {}


def is_full_run_check(block: Block) -> bool:
    """A hidden block whose first line is ``# full-run check``: skipped at the reduced budget."""
    return block.hidden and block.code.lstrip().startswith(FULL_RUN_CHECK)


def read_page(path: str | Path) -> Page:
    path = Path(path)
    return parse_page(path.read_text(encoding="utf-8"), path)


def parse_page(text: str, path: Path | str = "<page>") -> Page:
    """Split ``text`` into blocks and chains exactly as pytest-codeblocks does."""
    lines = text.splitlines(keepends=True)
    blocks: list[Block] = []
    chains: list[Chain] = []
    marks: list[str] = []
    cont_pending = False
    expect_pending = False
    in_comment = False
    heading: str | None = None
    if lines and lines[0].strip() == "<!--pytest-codeblocks:skipfile-->":
        return Page(Path(path), text, [], [])

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        i += 1
        if not stripped:
            continue
        m = CODEBLOCKS_TAG.match(stripped)
        if m:
            keyword = m.group(1).strip("- ")
            if keyword == "cont":
                if not chains:
                    raise PageError(f"{path}:{i}: 'cont' with no code block before it")
                cont_pending = True
            elif keyword in ("expected-output", "expected-output-ignore-whitespace"):
                expect_pending = True
            elif keyword == "skip":
                marks.append("pytest.mark.skip")
            elif keyword.startswith("skipif"):
                marks.append(f"pytest.mark.skipif({keyword[7:-1]}, reason='')")
            elif keyword in ("expect-exception", "expect-error"):
                marks.append("pytest.mark.xfail")
            elif not keyword.startswith("importorskip"):
                raise PageError(f"{path}:{i}: unknown pytest-codeblocks keyword {keyword!r}")
            continue
        m = MARK_TAG.match(stripped)
        if m:
            marks.append(m.group(1))
            continue
        if HEADING.match(line):
            heading = HEADING.match(line).group(2)
        lstripped = line.lstrip()
        if lstripped.startswith("```"):
            ticks = len(lstripped) - len(lstripped.lstrip("`"))
            indent = len(line) - len(lstripped)
            start = i
            code = []
            while True:
                if i >= len(lines):
                    raise PageError(f"{path}:{start}: code fence is never closed")
                body = lines[i]
                i += 1
                if body.lstrip()[:ticks] == "`" * ticks:
                    break
                cut = min(indent, len(body) - len(body.lstrip()))
                code.append(body[cut:])
            block = Block(
                line=start,
                end_line=i,
                syntax=stripped[ticks:],
                code="".join(code),
                indent=indent,
                hidden=in_comment,
                heading=heading,
            )
            blocks.append(block)
            if cont_pending:
                chains[-1].blocks.append(block)
                cont_pending = False
            elif expect_pending:
                block.expected_output = True
                expect_pending = False
            else:
                chains.append(Chain([block], marks))
                marks = []
            continue
        # Track multi-line HTML comments, which hide the fences inside them.
        if in_comment:
            if "-->" in stripped:
                in_comment = False
        elif stripped.startswith("<!--") and "-->" not in stripped:
            in_comment = True
    page = Page(Path(path), text, blocks, chains)
    for index, block in enumerate(page.code_blocks):
        block.index = index
    return page


# --- what a page saves into the library ------------------------------------------


@dataclass
class SavedDefinition:
    name: str
    node: ast.AST
    line: int  # line on the page
    heading: str | None
    redefines: bool


def saved_definitions(page: Page) -> list[SavedDefinition]:
    """Top-level definitions that ``page`` marks with ``# @save``.

    A block whose first line is ``# @save`` saves every function, class and
    assignment in it; otherwise a ``def`` or ``class`` line ending in ``# @save``
    saves that one definition. ``# @save redefine`` says that the page knowingly
    replaces an earlier page's definition.
    """
    found = []
    for block in page.blocks:
        if block.syntax != "python" or "@save" not in block.code:
            continue
        source_lines = block.code.splitlines()
        first = source_lines[0].strip() if source_lines else ""
        whole = SAVE_TAG.fullmatch(first)
        try:
            tree = ast.parse(block.code)
        except SyntaxError as err:
            raise PageError(f"{page.path}:{block.line + (err.lineno or 0)}: {err.msg}") from None
        for node in tree.body:
            names = definition_names(node)
            if not names:
                continue
            tag = whole or SAVE_TAG.search(source_lines[node.lineno - 1])
            if not tag:
                continue
            redefines = "redefine" in tag.group("rest")
            for name in names:
                found.append(
                    SavedDefinition(name, node, block.line + node.lineno, block.heading, redefines)
                )
    return found


def definition_names(node: ast.AST) -> list[str]:
    """Names bound at module level by ``node`` (functions, classes, assignments)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []
