"""Fixtures for the tests of the built site: one strict build, served on 127.0.0.1.

The site is built once per test session into a temporary folder with
``mkdocs build --strict``; the tests that need it read the files or load them
through a small HTTP server on a free local port.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: runs every page's code again; part of the full suite and of CI"
    )


def pytest_generate_tests(metafunc):
    """A test that takes ``book_page`` runs once for every page of the book, and one
    that takes ``code_page`` once for every page with code."""
    if "book_page" in metafunc.fixturenames:
        metafunc.parametrize("book_page", book_pages())
    if "code_page" in metafunc.fixturenames:
        metafunc.parametrize("code_page", pages_with_code())


def book_pages() -> list[str]:
    """Every page of the book (paths relative to docs/), in navigation order."""
    from d2lsite.engine.book import Book

    return Book(ROOT).pages()


def pages_with_code() -> list[str]:
    """The pages that have Python code to run."""
    from d2lsite.engine.book import Book

    book = Book(ROOT)
    return [name for name in book.pages() if book.page(name).code_blocks]


@dataclass
class SiteBuild:
    dir: Path
    returncode: int
    log: str


@pytest.fixture(autouse=True)
def close_figures():
    """Close every matplotlib figure a test opened, so figures do not pile up across tests.

    Only where matplotlib is already loaded: the engine's tests never import it.
    """
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> SiteBuild:
    """The book built once with ``mkdocs build --strict`` into a temporary folder
    (or into ``$D2LSITE_SITE_DIR``).

    Strict mode still writes every page before it reports the warnings, so the
    other tests can look at the site even when ``test_site_builds_strictly`` fails.
    """
    # CI sets D2LSITE_SITE_DIR=site: the one build of a CI run is the site it publishes.
    if os.environ.get("D2LSITE_SITE_DIR"):
        site = Path(os.environ["D2LSITE_SITE_DIR"]).resolve()
        site.mkdir(parents=True, exist_ok=True)
    else:
        site = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if not (site / "index.html").is_file():
        pytest.fail(f"mkdocs build wrote no site:\n{proc.stdout}{proc.stderr}")
    return SiteBuild(site, proc.returncode, proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def all_book_pages() -> list[str]:
    return book_pages()


@pytest.fixture(scope="session")
def site_dir(site_build) -> Path:
    return site_build.dir


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".ipynb": "application/x-ipynb+json",
        ".js": "text/javascript",
        ".json": "application/json",
    }

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def site_url(site_dir) -> str:
    """Base URL (ending in ``/``) of the built site, served on 127.0.0.1 on a free port."""
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
