"""The reader's package and the book's machinery: one-way dependencies, lazy library.

``import d2lsite.engine`` loads neither torch nor matplotlib, so the engine's commands
and a site build run where torch is not installed; ``import d2lsite as d2l`` still
gives every helper, loading a module on first use.
"""

import os
import subprocess
import sys

import pytest

from d2lsite.engine import cli, command
from d2lsite.engine.book import Book
from d2lsite.engine.sync import sync_problems
from tests.engine_book import edit, make_book

# Run Python code with torch, torchvision and matplotlib impossible to import.
REFUSE = """\
import importlib.abc, runpy, sys

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "torchvision", "matplotlib"):
            raise ModuleNotFoundError(f"No module named {name!r} (refused by the test)")
        return None

sys.meta_path.insert(0, Refuse())
"""


def without_torch(code: str, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-c", REFUSE + code],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_importing_the_engine_loads_neither_torch_nor_matplotlib(tmp_path):
    proc = without_torch(
        "import d2lsite, d2lsite.engine.book, d2lsite.engine.cli, d2lsite.engine.plugin\n"
        "import d2lsite.engine.notebooks, d2lsite.engine.execute, d2lsite.engine.command\n"
        "assert not {'torch', 'matplotlib'} & set(sys.modules), sorted(sys.modules)\n"
        "print(d2lsite.__version__)\n",
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "0.1.0\n"


# Tags that yaml.safe_load rejects and MkDocs reads: environment variables and Python
# names, as Material's emoji and mermaid set-ups use them.
TAGGED_CONFIG = """\
site_name: !ENV [D2LSITE_TEST_SITE_NAME, "Tagged book"]
site_url: https://example.org/
strict: true
use_directory_urls: false
plugins:
  - d2lsite:
      records: !ENV [D2LSITE_TEST_RECORDS, outputs]
markdown_extensions:
  - admonition
  - attr_list
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
nav:
  - lesson.md
  - prose.md
"""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    root = make_book(tmp_path_factory.mktemp("book"), library_copy=True)
    (root / "mkdocs.yml").write_text(TAGGED_CONFIG)
    book = Book(root)
    ok, message = cli.run_page(book, "lesson.md")  # this needs torch, of course
    assert ok, message
    return book


def test_a_mkdocs_yml_with_env_and_python_tags_is_read(recorded):
    import yaml

    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load((recorded.root / "mkdocs.yml").read_text())
    book = Book(recorded.root)
    assert book.pages() == ["lesson.md", "prose.md"]
    assert book.outputs == recorded.root / "outputs"


def test_status_check_and_a_strict_build_run_without_torch(recorded):
    proc = without_torch(
        "from d2lsite.engine.command import main\n"
        "assert main(['status']) == 0\n"
        "assert main(['check']) == 0\n"
        "sys.argv = ['mkdocs', 'build', '--strict', '--site-dir', 'site-no-torch']\n"
        "runpy.run_module('mkdocs', run_name='__main__')\n",
        recorded.root,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok       docs/lesson.md" in proc.stdout
    assert "every page's outputs are current" in proc.stdout
    html = (recorded.root / "site-no-torch" / "lesson.html").read_text()
    assert 'class="d2l-outputs"' in html
    assert "Tagged book" in html  # the !ENV default
    assert (recorded.root / "site-no-torch" / "lesson.ipynb").is_file()


def test_library_attributes_load_their_module_on_first_use(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nimport d2lsite as d2l\n"
            "assert 'torch' not in sys.modules\n"
            "assert 'train_ch3' in d2l.__all__ and 'train_ch3' in dir(d2l)\n"
            "assert 'd2lsite.training' not in sys.modules\n"
            "f = d2l.train_ch3\n"
            "assert f.__module__ == 'd2lsite.training' and 'torch' in sys.modules\n"
            "assert d2l.training.train_ch3 is f\n"
            "from d2lsite import *\n"
            "assert load_data_fashion_mnist is d2l.load_data_fashion_mnist\n"
            "try:\n    d2l.no_such_helper\nexcept AttributeError as e:\n    print(e)\n",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "module 'd2lsite' has no attribute 'no_such_helper'\n"


def test_the_command_without_the_book_tools_names_the_extra(monkeypatch, capsys):
    real = command.importlib.util.find_spec
    monkeypatch.setattr(
        command.importlib.util,
        "find_spec",
        lambda name: None if name in ("mkdocs", "pytest") else real(name),
    )
    assert command.main(["check"]) == 2
    err = capsys.readouterr().err
    assert "missing: mkdocs, pytest" in err
    assert "pip install 'd2lsite[book]'" in err
    assert "Traceback" not in err


# --- __init__.py loads modules lazily, and says which --------------------------------


@pytest.fixture
def lazy_book(tmp_path):
    return Book(make_book(tmp_path / "book", library_copy=True))


def test_a_lazy_package_passes_the_sync_check(lazy_book):
    assert sync_problems(lazy_book) == []


def test_an_eager_import_in_init_is_a_problem(lazy_book):
    init = lazy_book.root / "d2lsite" / "__init__.py"
    init.write_text(init.read_text() + "\nfrom .lib import *  # noqa: F403\n")
    problems = sync_problems(lazy_book)
    assert len(problems) == 1
    assert "imports .lib at once, which loads torch" in problems[0]


def test_a_module_missing_from_the_list_is_a_problem(lazy_book):
    edit(lazy_book.root / "d2lsite" / "__init__.py", '_MODULES = ("lib",)', "_MODULES = ()")
    problems = sync_problems(lazy_book)
    assert problems == [
        "d2lsite/lib.py: has __all__ but is not in _MODULES of d2lsite/__init__.py, so "
        'd2l.<name> cannot find it; add the line "lib",'
    ]
