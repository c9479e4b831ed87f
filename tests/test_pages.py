"""The engine reads pages exactly as pytest-codeblocks does, plus what it must show or hide."""

import io
from pathlib import Path

import pytest
from pytest_codeblocks.main import extract_from_buffer

from d2lsite.engine.pages import PageError, parse_page, saved_definitions

DOCS = Path(__file__).resolve().parent.parent / "docs"

TRICKY = """\
# Title

```python
a = 1
```

<!--pytest-codeblocks:cont-->
<!--
```python
assert a == 1
```
-->

```console
$ not run
```

<!--pytest.mark.skip(reason="needs a GPU")-->
```python
b = 2
```

<!--pytest-codeblocks:cont-->
```python
c = 3
```

!!! note

    <!--pytest-codeblocks:cont-->
    ```python
    d = 4
    ```

<!--pytest.mark.xfail-->
```python
1 / 0
```

```python
print("out")
```

<!--pytest-codeblocks:expected-output-->
```text
out
```
"""


def chains_as_pytest_sees_them(text):
    return [(b.code, b.lineno, b.syntax, b.marks) for b in extract_from_buffer(io.StringIO(text))]


def chains_as_engine_sees_them(text):
    page = parse_page(text)
    return [(c.code, c.line, c.syntax, c.marks) for c in page.chains]


@pytest.mark.parametrize("path", sorted(DOCS.rglob("*.md")), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_page_chains_like_pytest_codeblocks(path):
    text = path.read_text(encoding="utf-8")
    assert chains_as_engine_sees_them(text) == chains_as_pytest_sees_them(text)


def test_tricky_page_chains_like_pytest_codeblocks():
    assert chains_as_engine_sees_them(TRICKY) == chains_as_pytest_sees_them(TRICKY)


def test_block_in_html_comment_is_hidden_but_in_the_chain():
    page = parse_page(TRICKY)
    first = page.chains[0]
    assert [b.hidden for b in first.blocks] == [False, True]
    assert first.code == "a = 1\nassert a == 1\n"


def test_cont_after_a_skipped_block_joins_the_skipped_chain():
    page = parse_page(TRICKY)
    skipped = [c for c in page.chains if c.skipped]
    assert len(skipped) == 1
    assert skipped[0].code == "b = 2\nc = 3\nd = 4\n"


def test_skipped_chains_are_not_executed_and_xfail_is_recognised():
    page = parse_page(TRICKY)
    executed = [b.code for b in page.executed_blocks]
    assert executed == ["a = 1\n", "assert a == 1\n", "1 / 0\n", 'print("out")\n']
    assert [c.xfail for c in page.python_chains] == [False, False, True, False]


def test_expected_output_block_is_not_a_chain():
    page = parse_page(TRICKY)
    assert page.blocks[-1].expected_output
    assert all(c.blocks[0].syntax != "text" for c in page.chains)


def test_indented_block_keeps_its_indent_and_is_dedented():
    page = parse_page(TRICKY)
    block = next(b for b in page.blocks if b.code == "d = 4\n")
    assert block.indent == 4


def test_page_line_maps_chain_lines_back_to_the_page():
    page = parse_page(TRICKY)
    chain = page.chains[0]
    assert chain.page_line(1) == 4  # a = 1
    assert chain.page_line(2) == 10  # assert a == 1, inside the comment


def test_cont_without_a_block_before_it_is_an_error():
    with pytest.raises(PageError, match="cont"):
        parse_page("<!--pytest-codeblocks:cont-->\n```python\nx = 1\n```\n")


def test_unclosed_fence_is_an_error_naming_the_line():
    with pytest.raises(PageError, match=":1: code fence is never closed"):
        parse_page("```python\nx = 1\n")


def test_save_marks_on_def_lines_and_whole_blocks():
    text = (
        "# T\n\n## Helpers\n\n```python\n"
        "def kept(x):  # @save\n    return x\n\n"
        "def not_kept(x):\n    return x\n```\n\n"
        "```python\n# @save\nclass A:\n    pass\n\nB = 3\n```\n\n"
        "```python\ndef again(x):  # @save redefine\n    return x\n```\n"
    )
    saved = saved_definitions(parse_page(text))
    assert [(s.name, s.redefines) for s in saved] == [
        ("kept", False),
        ("A", False),
        ("B", False),
        ("again", True),
    ]
    assert saved[0].heading == "Helpers"
    assert saved[0].line == 6


def test_definition_fingerprint_ignores_fields_newer_pythons_add_empty():
    import ast

    from d2lsite.engine.library import normalized_dump

    node = ast.parse("def f(x):\n    return x\n").body[0]
    plain = normalized_dump(node)
    node.type_params = []  # what Python 3.12 adds to every def
    if "type_params" not in node._fields:
        node._fields = (*node._fields, "type_params")
    assert normalized_dump(node) == plain
