"""The staleness key follows every way one library definition reaches another, and a
record that cannot be matched to its page block for block is never shown."""

import shutil
import textwrap

import pytest

from d2lsite.engine import cli
from d2lsite.engine.book import Book, Status
from d2lsite.engine.library import library_names_used
from d2lsite.engine.render import match_record
from d2lsite.engine.sync import saved_by_name
from tests.engine_book import REPO, edit, make_book

# Each caller reaches its callee in one way only; the page calls the caller.
CALLERS = '''\
"""Callers: each reaches its callee in exactly one way."""

import d2lsite
import d2lsite as d2l
from . import callees
from .callees import callee_from as renamed

__all__ = [
    "caller_bare", "caller_d2l", "caller_pkg", "caller_from", "CallerBase",
    "caller_deco", "caller_default", "CallerMethod", "caller_module", "caller_local",
    "caller_chain",
]


def helper_bare():
    return 1


def caller_bare():
    return helper_bare()


def caller_d2l():
    return d2l.callee_d2l()


def caller_pkg():
    return d2lsite.callee_pkg()


def caller_from():
    return renamed()


class CallerBase(d2l.CalleeBase):
    pass


@d2l.callee_deco
def caller_deco():
    return 0


def caller_default(f=d2l.callee_default):
    return f()


def helper_method():
    return 1


class CallerMethod:
    def go(self):
        return helper_method()


def caller_module():
    return callees.callee_module()


def caller_local():
    from d2lsite.callees import callee_local

    return callee_local()


def caller_chain():
    return d2lsite.callees.callee_chain()
'''

CALLEES = '''\
"""Callees, in another module."""

__all__ = [
    "callee_d2l", "callee_pkg", "callee_from", "CalleeBase", "callee_deco",
    "callee_default", "callee_module", "callee_local", "callee_chain",
]


def callee_d2l():
    return 1


def callee_pkg():
    return 1


def callee_from():
    return 1


class CalleeBase:
    value = 1


def callee_deco(f):
    return f


def callee_default():
    return 1


def callee_module():
    return 1


def callee_local():
    return 1


def callee_chain():
    return 1
'''

# form: (the page's call, the module and the text to edit, the edit)
FORMS = {
    "bare name": ("d2l.caller_bare()", "callers", "def helper_bare():\n    return 1"),
    "d2l.x": ("d2l.caller_d2l()", "callees", "def callee_d2l():\n    return 1"),
    "d2lsite.x": ("d2l.caller_pkg()", "callees", "def callee_pkg():\n    return 1"),
    "from .module import x as y": (
        "d2l.caller_from()",
        "callees",
        "def callee_from():\n    return 1",
    ),
    "class base": ("d2l.CallerBase()", "callees", "class CalleeBase:\n    value = 1"),
    "decorator": ("d2l.caller_deco()", "callees", "def callee_deco(f):\n    return f"),
    "default argument": (
        "d2l.caller_default()",
        "callees",
        "def callee_default():\n    return 1",
    ),
    "method calls a module-level helper": (
        "d2l.CallerMethod().go()",
        "callers",
        "def helper_method():\n    return 1",
    ),
    "module attribute": ("d2l.caller_module()", "callees", "def callee_module():\n    return 1"),
    "import inside a function": (
        "d2l.caller_local()",
        "callees",
        "def callee_local():\n    return 1",
    ),
    "d2lsite.module.x": ("d2l.caller_chain()", "callees", "def callee_chain():\n    return 1"),
}


def changed(text: str) -> str:
    return (
        text.replace("return 1", "return 2")
        .replace("value = 1", "value = 2")
        .replace("return f", "return f  # same\n    # body\n    pass")
    )


@pytest.fixture
def linked_book(tmp_path):
    root = tmp_path / "book"
    (root / "docs").mkdir(parents=True)
    nav = "".join(f"  - p{i}.md\n" for i in range(len(FORMS)))
    (root / "mkdocs.yml").write_text(f"site_name: links\nnav:\n{nav}")
    for i, (call, _, _) in enumerate(FORMS.values()):
        (root / "docs" / f"p{i}.md").write_text(
            f"# Page {i}\n\n```python\nimport d2lsite as d2l\n\n{call}\n```\n"
        )
    (root / "d2lsite").mkdir()
    (root / "d2lsite" / "callers.py").write_text(CALLERS)
    (root / "d2lsite" / "callees.py").write_text(CALLEES)
    return Book(root)


def keys(book: Book) -> dict[str, str]:
    return {name: book.key(book.page(name)) for name in book.pages()}


@pytest.mark.parametrize("form", list(FORMS))
def test_editing_the_callee_makes_exactly_the_callers_page_stale(linked_book, form):
    index = list(FORMS).index(form)
    _, module, text = FORMS[form]
    before = keys(linked_book)
    path = linked_book.root / "d2lsite" / f"{module}.py"
    edit(path, text, changed(text))
    after = keys(linked_book)
    assert [n for n in before if before[n] != after[n]] == [f"p{index}.md"], form


def test_an_alias_imported_in_one_block_counts_in_the_later_blocks():
    """Blocks of a page run as one program: ``d2l`` bound in the first block is used later."""
    blocks = ["import d2lsite as d2l\n", "d2l.train_ch3(net)\n", "1 / (\n"]
    assert library_names_used(blocks) == {"train_ch3"}


def test_page_code_reaches_the_library_through_every_import_form():
    code = textwrap.dedent(
        """\
        import d2lsite as d2l
        import d2lsite.training as t
        from d2lsite import plot
        from d2lsite.timing import Timer as T
        d2l.train_ch3; t.evaluate_accuracy
        """
    )
    assert {"train_ch3", "evaluate_accuracy", "plot", "Timer"} <= library_names_used(code)


def test_set_axes_edited_in_library_and_page_makes_every_train_ch3_page_stale(tmp_path):
    """The repro of issue 11: the key used to miss ``d2l.set_axes`` inside ``train_ch3``."""
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    shutil.copytree(REPO / "d2lsite", tmp_path / "d2lsite", ignore=shutil.ignore_patterns("engine"))
    real = Book(REPO)
    copy = Book(tmp_path, docs_dir=tmp_path / "docs", nav=real.nav, library="d2lsite")
    old, new = "    axes.set_xlabel(xlabel)\n", "    axes.set_xlabel(xlabel, labelpad=4)\n"
    edit(tmp_path / "d2lsite" / "plotting.py", old, new)
    saving_page = saved_by_name(real)["set_axes"][-1][0]  # preliminaries/gradient-descent.md
    edit(tmp_path / "docs" / saving_page, old, new)
    callers = [
        name
        for name in real.pages()
        if "plotting.set_axes"
        in real.library.closure(library_names_used([b.code for b in real.page(name).code_blocks]))
    ]
    for page in ("linear-classification/softmax-regression-concise.md", "mlp/mlp-scratch.md"):
        assert page in callers
    stale = [n for n in callers if copy.key(copy.page(n)) != real.key(real.page(n))]
    assert stale == callers
    assert "training.train_ch3" not in real.library.closure({"set_axes"})  # one way only


SKIPPED_ON_LINUX = """\
# Platforms

```python
print("first")
```

<!--pytest-codeblocks:skipif(sys.platform == "linux")-->
```python
print("not on Linux")
```

```python
print("last")
```
"""


def test_skipif_is_evaluated_when_recording_and_outputs_match_by_identity(tmp_path, monkeypatch):
    """A page with ``skipif(sys.platform == "linux")``: a record made elsewhere still fits."""
    root = make_book(tmp_path / "book", library_copy=True)
    (root / "docs" / "lesson.md").write_text(SKIPPED_ON_LINUX)
    book = Book(root)
    ok, message = cli.run_page(book, "lesson.md")
    assert ok, message
    record = book.record("lesson.md")
    assert [(e["index"], e["ran"], e["stdout"]) for e in record["blocks"]] == [
        (0, True, "first\n"),
        (1, False, ""),
        (2, True, "last\n"),
    ]
    page = book.page("lesson.md")
    matched = match_record(page, record)
    assert [(b.code, e["stdout"]) for b, e in matched] == [
        ('print("first")\n', "first\n"),
        ('print("not on Linux")\n', ""),
        ('print("last")\n', "last\n"),
    ]
    # A record made on a Mac: the middle block ran. Nothing is evaluated on this machine.
    mac = dict(record, blocks=[dict(e) for e in record["blocks"]])
    mac["blocks"][1].update(ran=True, stdout="not on Linux\n")
    matched = match_record(page, mac)
    assert [e["stdout"] for _, e in matched] == ["first\n", "not on Linux\n", "last\n"]
    assert book.status("lesson.md") == Status.OK


def test_a_record_that_does_not_fit_its_page_is_stale_and_never_shown(tmp_path):
    root = make_book(tmp_path / "book")
    (root / "docs" / "lesson.md").write_text(SKIPPED_ON_LINUX)
    book = Book(root)
    page = book.page("lesson.md")
    entry = {"stdout": "", "stderr": "", "error": "", "figures": [], "ran": True}
    # The old format: outputs by position among the blocks that ran on some machine.
    positional = {"format": 3, "blocks": [dict(entry), dict(entry)]}
    assert match_record(page, positional) is None
    fitting = [dict(entry, index=b.index, code_hash=b.code_hash) for b in page.code_blocks]
    assert match_record(page, {"format": 4, "blocks": fitting}) is not None
    wrong_code = [dict(e) for e in fitting]
    wrong_code[1]["code_hash"] = "0" * 16
    assert match_record(page, {"format": 4, "blocks": wrong_code}) is None
    assert match_record(page, {"format": 4, "blocks": fitting[:2]}) is None
