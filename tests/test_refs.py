"""References to recorded values in the prose: ``{{ name }}`` and ``{{ name:.3f }}``."""

import pytest

from d2lsite.engine.refs import (
    RefError,
    find_references,
    format_value,
    prose_segments,
    reference_problems,
    substitute,
)

PAGE = """\
# Title

The test accuracy is {{ test_acc:.3f }} after {{ epochs }} epochs ({{share:.1%}}).

```python
print("{{ not_a_reference }}")
```

<!--pytest-codeblocks:cont-->
<!--
```python
glue("test_acc", acc)  # {{ also_not }}
```
-->

Inline code `{{ literal }}` stays, and so does <!-- a comment {{ hidden }} -->.
With math, $\\eta = {{ lr }}$, and {{ n:, }} examples.

    ```python
    x = "{{ indented_fence }}"
    ```
"""

VALUES = {"test_acc": 0.83456, "epochs": 10, "share": 0.25, "lr": 0.1, "n": 60000}


def test_references_are_found_only_in_prose():
    refs = find_references(PAGE)
    assert [(r.name, r.spec, r.line) for r in refs] == [
        ("test_acc", ".3f", 3),
        ("epochs", "", 3),
        ("share", ".1%", 3),
        ("lr", "", 17),
        ("n", ",", 17),
    ]
    assert refs[0].source == "{{ test_acc:.3f }}"


def test_values_are_written_in_with_their_format():
    result = substitute(PAGE, VALUES)
    assert result.problems == []
    assert "The test accuracy is 0.835 after 10 epochs (25.0%)." in result.text
    assert "$\\eta = 0.1$, and 60,000 examples." in result.text
    assert '"{{ not_a_reference }}"' in result.text
    assert "`{{ literal }}`" in result.text and "{{ hidden }}" in result.text
    assert result.text.count("\n") == PAGE.count("\n")  # code blocks keep their lines


def test_a_missing_name_is_reported_with_its_line_and_left_standing():
    result = substitute(PAGE, {k: v for k, v in VALUES.items() if k != "epochs"} | {"epoch": 1})
    assert result.problems == [
        "line 3: {{ epochs }} refers to a value the page's record lacks; name it in a hidden "
        'block with glue("epochs", value) and run the page (did you mean epoch?)'
    ]
    assert "after {{ epochs }} epochs" in result.text


def test_a_format_that_does_not_fit_the_value_is_reported():
    result = substitute("Value {{ name:.2f }}.", {"name": "text"})
    assert len(result.problems) == 1
    expected = "line 1: {{ name:.2f }}: cannot format the value 'text' with ':.2f'"
    assert expected in result.problems[0]
    with pytest.raises(RefError, match="format specification"):
        format_value(1.0, "q")


def test_string_values_are_escaped_for_markdown_and_single_line():
    assert substitute("{{ s }}", {"s": "a<b"}).text == "a&lt;b"
    assert substitute("{{ s }}", {"s": "a<b"}, escape=False).text == "a<b"
    assert format_value("two\nlines") == "two lines"


def test_without_a_current_record_nothing_is_written_in():
    result = substitute(PAGE, None)
    assert result.text == PAGE and result.problems == [] and len(result.references) == 5


def test_reference_problems_of_a_page():
    assert reference_problems("No references.", None) == []
    assert reference_problems("{{ x }}", None) == [
        "the page refers to recorded values, but it has no record; run it"
    ]
    assert reference_problems("{{ x }}", {"values": {"x": 1}}) == []
    assert reference_problems("{{ y }}", {"values": {"x": 1}})[0].startswith("line 1: {{ y }}")


def test_prose_segments_leave_out_code_and_comments():
    prose = "".join(piece for _, piece in prose_segments(PAGE))
    assert "print(" not in prose and "glue(" not in prose and "a comment" not in prose
    assert "The test accuracy is" in prose and "examples." in prose


def test_an_unclosed_fence_or_comment_hides_the_rest():
    assert find_references("{{ a }}\n```\n{{ b }}\n") == find_references("{{ a }}\n")
    assert [r.name for r in find_references("{{ a }} <!-- {{ b }}\n{{ c }}\n")] == ["a"]
    assert [r.name for r in find_references("<!--\nx\n--> {{ d }}\n")] == ["d"]
