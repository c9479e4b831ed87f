"""pytest setup shared by the unit tests and the book's code blocks.

For every code-block chain (a page, usually) it seeds ``random``, NumPy and torch
and resets matplotlib first, as ``d2lsite run`` does, so both print the same
numbers; it closes the chain's figures after; and it puts the real traceback,
with the page's line numbers, back into the failure report, which
pytest-codeblocks replaces with a bare message.
"""

import builtins
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402
from pytest_codeblocks.plugin import TestBlock  # noqa: E402

from d2lsite.engine import ci  # noqa: E402
from d2lsite.engine.execute import page_traceback, reset_state  # noqa: E402
from d2lsite.engine.pages import BUDGET_ENV, is_full_run_check, read_page  # noqa: E402
from d2lsite.engine.shared_data import seed_cache_from_shared  # noqa: E402
from d2lsite.engine.values import make_glue  # noqa: E402


def pytest_configure(config):
    seed_cache_from_shared()  # pages find the shared data sets where downloads would go


def pytest_runtest_setup(item):
    """Seed; give the chain ``glue``; run a ``budget: reduced`` page at the reduced budget.

    At the reduced budget the library's loaders yield only a few batches, and hidden
    blocks that start with ``# full-run check`` are blanked out (line numbers kept):
    they run when the page is recorded.
    """
    if not isinstance(item, TestBlock):
        return
    reset_state()
    builtins.glue = make_glue({})  # exec'd code finds it among the builtins
    page = read_page(item.path)
    ci.start(page_name(item), ci.CODE_BLOCKS, unit=str(item.obj.lineno))
    # D2LSITE_CI_BUDGET=reduced runs every page at the reduced budget: only to measure
    # what each page would cost (benchmarks/ci_cost.py), never in CI.
    if page.reduced_budget or os.environ.get("D2LSITE_CI_BUDGET") == "reduced":
        os.environ[BUDGET_ENV] = "reduced"
        chain = next((c for c in page.chains if c.line == item.obj.lineno), None)
        for block in chain.blocks if chain else []:
            if is_full_run_check(block) and block.code in item.obj.code:
                blank = "\n" * block.code.count("\n")
                item.obj.code = item.obj.code.replace(block.code, blank, 1)


def page_name(item) -> str:
    docs = item.config.rootpath / "docs"
    return item.path.relative_to(docs).as_posix() if docs in item.path.parents else item.name


def pytest_runtest_teardown(item):
    if isinstance(item, TestBlock):
        budget = ci.REDUCED if os.environ.get(BUDGET_ENV) == "reduced" else ci.FULL
        ci.note(page_name(item), ci.CODE_BLOCKS, budget, unit=str(item.obj.lineno))
        from matplotlib import pyplot as plt

        plt.close("all")
        os.environ.pop(BUDGET_ENV, None)
        if hasattr(builtins, "glue"):
            del builtins.glue


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (isinstance(item, TestBlock) and report.failed and call.excinfo):
        return
    error = call.excinfo.value.__context__ or call.excinfo.value
    chain = next((c for c in read_page(item.path).chains if c.line == item.obj.lineno), None)
    _, text = page_traceback(
        error,
        item.path.name,
        filename="<string>" if chain is not None else item.path.name,
        page_line=chain.page_line if chain is not None else (lambda n: n),
        source=item.obj.code.splitlines(),
        library_frames=True,
    )
    report.longrepr = (
        f"{item.path.name}, code block chain starting at line {item.obj.lineno}\n" + text
    )


def pytest_terminal_summary(terminalreporter):
    """How many times each page executed in this session, at which budget (see ci.py).

    With ``D2LSITE_EXECUTIONS_JSON=<file>`` the same goes into that file as JSON.
    """
    for line in ci.summary():
        terminalreporter.write_line(line)
    if os.environ.get("D2LSITE_EXECUTIONS_JSON"):
        import json

        with open(os.environ["D2LSITE_EXECUTIONS_JSON"], "w", encoding="utf-8") as f:
            json.dump({"executions": ci.executions(), "cpu_s": ci.cpu_seconds()}, f, indent=1)
