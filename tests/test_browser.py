"""What a reader sees: every page of the built site opened in a real browser.

Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) loads each page from
a server on 127.0.0.1 and we check what a reader would notice: errors in the
console, requests to other hosts, formulas left as raw TeX, outputs or figures that
do not show, a notebook button that downloads nothing, prose wider than a phone.
A full-page screenshot of every page goes to ``artifacts/screenshots/`` for a
person to look at.

Without Chromium these tests skip, unless ``D2LSITE_REQUIRE_BROWSER=1`` (CI) makes
that a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from d2lsite.engine.book import Book, match_record

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SEARCH_WORDS = ["softmax", "cross-entropy"]

# Text nodes outside code that still hold TeX: delimiters MathJax should have
# consumed, or a control sequence followed by an argument.
RAW_TEX = re.compile(r"\$\$|\\[()\[\]]|\\[A-Za-z]+\s*[{_^]")

VISIBLE_PROSE_TEXT = """
() => {
  const root = document.querySelector("article.md-content__inner") || document.body;
  const skip = "pre, code, script, style, mjx-container, .arithmatex, .md-search";
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest(skip)) texts.push(node.textContent);
  }
  return texts.join(" ");
}
"""

# Waits for MathJax, but at most 20 s: a promise that never settles fails a test, not the suite.
MATHJAX_SETTLED = (
    "() => Promise.race([MathJax.startup.promise, new Promise(r => setTimeout(r, 20000))])"
)

MATH_STATE = """
async () => {
  if (!window.MathJax || !MathJax.startup) return {loaded: false};
  // bounded: a promise that never settles must fail the test, not hang the suite
  await Promise.race([MathJax.startup.promise, new Promise(r => setTimeout(r, 20000))]);
  const math = [...document.querySelectorAll(".arithmatex")];
  return {
    loaded: true,
    count: math.length,
    untypeset: math.filter(m => !m.querySelector("mjx-container"))
                   .map(m => m.textContent.trim().slice(0, 80)),
    errors: [...document.querySelectorAll("mjx-merror")]
              .map(e => e.getAttribute("data-mjx-error") || e.textContent.slice(0, 80)),
  };
}
"""

# Open everything a reader can open: collapsed outputs, collapsed admonitions, and
# for each output inside a content tab, the tab that holds it.
REVEAL_ALL = """
() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  for (const el of document.querySelectorAll(".d2l-output, figure.d2l-figure")) {
    for (let block = el.closest(".tabbed-block"); block;
         block = block.parentElement.closest(".tabbed-block")) {
      const set = block.closest(".tabbed-set");
      const index = [...block.parentElement.children].indexOf(block);
      const inputs = [...set.children].filter(c => c.tagName === "INPUT");
      if (inputs[index]) inputs[index].checked = true;
    }
  }
}
"""

# Each output and figure: whether it shows (in the layout, not hidden, at least 10 px
# each way), and the start of its HTML to name it.
OUTPUTS_SHOWN = """
() => [...document.querySelectorAll(".d2l-output, figure.d2l-figure")].map(el => {
  const box = el.getBoundingClientRect();
  const visible = el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
                  && box.width >= 10 && box.height >= 10;
  return [visible, el.outerHTML.slice(0, 120)];
})
"""

WIDE_ELEMENTS = r"""
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let inside = false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (scrolls(p)) { inside = true; break; }
    }
    if (inside || getComputedStyle(el).position === "fixed") continue;
    const cls = typeof el.className === "string" ? el.className : "";
    const text = el.textContent.trim().replace(/\s+/g, " ").slice(0, 60);
    wide.push(`${el.tagName.toLowerCase()}.${cls.split(" ").join(".")}` +
              ` "${text}" (right edge ${Math.round(box.right)} px)`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}
"""


def require_browser() -> bool:
    return os.environ.get("D2LSITE_REQUIRE_BROWSER") == "1"


def no_browser(reason: str):
    if require_browser():
        pytest.fail(f"{reason}, and D2LSITE_REQUIRE_BROWSER=1 says the browser tests must run")
    pytest.skip(f"{reason}: the browser tests need it (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        no_browser(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("the playwright package is not installed")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


class Tab:
    """One browser tab that records its console errors and every request it makes."""

    def __init__(self, browser, site_url: str, **context_options):
        self.site_url = site_url
        self.context = browser.new_context(
            viewport=DESKTOP, accept_downloads=True, **context_options
        )
        self.context.set_default_timeout(20_000)
        # Nothing may leave the machine: record requests to other hosts, then refuse them.
        self.context.route(lambda url: not self.is_local(url), lambda route: route.abort())
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.errors.append(f"{message.text} ({where})" if where else message.text)

    def is_local(self, url: str) -> bool:
        return url.startswith((self.site_url, "data:", "blob:", "about:"))

    def open(self, path: str) -> None:
        self.errors.clear()
        self.requests.clear()
        self.page.set_viewport_size(DESKTOP)
        self.page.goto(urljoin(self.site_url, path), wait_until="load")

    def close(self) -> None:
        self.context.close()


@dataclass
class PageVisit:
    """What one page showed in the browser, gathered in a single load."""

    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    raw_tex: list[str] = field(default_factory=list)
    outputs: int = 0
    hidden_outputs: list[str] = field(default_factory=list)
    notebook_href: str | None = None
    notebook: dict | None = None
    notebook_error: str = ""
    phone: dict = field(default_factory=dict)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """``artifacts/screenshots/``, emptied once per session (CI keeps it as an artifact)."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    (SCREENSHOTS / "phone").mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def desktop_tab(browser, site_url, screenshots):
    tab = Tab(browser, site_url, color_scheme="light")
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def visits(desktop_tab) -> dict[str, PageVisit]:
    """Each page is visited once, by whichever of its tests comes first."""
    return {}


def shoot(p, path: Path) -> None:
    """A full-page screenshot; JPEG, because PNG takes seconds to encode for a long page."""
    p.screenshot(path=str(path), full_page=True, type="jpeg", quality=80)


def screenshot_name(page: str) -> str:
    return page.removesuffix(".md").replace("/", "__") + ".jpg"


def visit(tab: Tab, page: str) -> PageVisit:
    result = PageVisit()
    tab.open(page.removesuffix(".md") + ".html")
    p = tab.page
    result.math = p.evaluate(MATH_STATE)
    p.evaluate("() => Promise.race([document.fonts.ready, new Promise(r => setTimeout(r, 5000))])")
    text = p.evaluate(VISIBLE_PROSE_TEXT)
    result.raw_tex = [text[max(0, m.start() - 30) : m.end() + 30] for m in RAW_TEX.finditer(text)]
    shoot(p, SCREENSHOTS / screenshot_name(page))

    # The notebook button, clicked as a reader would.
    button = p.locator("a.d2l-notebook")
    if button.count():
        result.notebook_href = button.first.get_attribute("href")
        try:
            with p.expect_download() as download:
                button.first.click()
            result.notebook = json.loads(Path(download.value.path()).read_text("utf-8"))
        except Exception as exc:  # noqa: BLE001 - reported by the notebook test
            result.notebook_error = f"{type(exc).__name__}: {exc}"

    p.evaluate(REVEAL_ALL)
    shown = p.evaluate(OUTPUTS_SHOWN)
    result.outputs = len(shown)
    result.hidden_outputs = [html for visible, html in shown if not visible]

    p.set_viewport_size(PHONE)
    p.wait_for_timeout(200)  # let the narrow layout settle; a rAF promise can stall headless
    result.phone = p.evaluate(WIDE_ELEMENTS)
    shoot(p, SCREENSHOTS / "phone" / screenshot_name(page))

    result.console_errors = list(tab.errors)
    result.foreign_requests = sorted({u for u in tab.requests if not tab.is_local(u)})
    return result


@pytest.fixture
def seen(book_page, desktop_tab, visits) -> PageVisit:
    if book_page not in visits:
        try:
            visits[book_page] = visit(desktop_tab, book_page)
        except Exception as exc:  # noqa: BLE001 - kept, so the page is not retried per test
            visits[book_page] = exc
    if isinstance(visits[book_page], Exception):
        pytest.fail(f"the browser could not go through {book_page}: {visits[book_page]}")
    return visits[book_page]


def test_page_loads_without_console_errors(seen):
    assert seen.console_errors == []


def test_page_requests_nothing_from_other_hosts(seen):
    assert seen.foreign_requests == []


def test_every_formula_is_typeset_by_mathjax(seen):
    assert seen.math.get("loaded"), "MathJax did not load"
    assert seen.math["untypeset"] == [], "formulas MathJax left alone"
    assert seen.math["errors"] == [], "formulas MathJax could not read"
    assert seen.raw_tex == [], "raw TeX in the page's text"


def test_every_output_and_figure_is_visible(seen, book_page, site_dir):
    built = (site_dir / book_page.removesuffix(".md")).with_suffix(".html").read_text("utf-8")
    expected = built.count('class="d2l-output ') + built.count('<figure class="d2l-figure"')
    assert seen.outputs == expected, "outputs in the HTML that the browser did not find"
    assert seen.hidden_outputs == []


def test_notebook_button_downloads_the_page_with_its_outputs(seen, book_page):
    book = Book(ROOT)
    parsed = book.page(book_page)
    if not parsed.code_blocks:
        assert seen.notebook_href is None, "a page without code offers a notebook"
        return
    assert seen.notebook_href == Path(book_page).stem + ".ipynb"
    status = book.status(book_page, parsed)
    assert status == "ok", f"outputs {status}, so the notebook has none: run d2lsite run"
    assert seen.notebook_error == ""
    import nbformat

    nb = nbformat.from_dict(seen.notebook)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    # Code cells with outputs: one for every visible block whose record has any.
    matched = match_record(parsed, book.record(book_page)) or []
    expected = sum(
        1
        for b, entry in matched
        if not b.hidden
        and entry.get("ran", True)
        and any(entry.get(k) for k in ("stdout", "stderr", "error", "figures"))
    )
    with_outputs = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    assert len(with_outputs) == expected
    assert sum(c.cell_type == "code" for c in nb.cells) == len(
        [b for b in parsed.blocks if b.syntax == "python" and not (b.hidden or b.expected_output)]
    )


def test_prose_fits_a_phone_screen(seen):
    phone = seen.phone
    assert phone["scrollWidth"] <= phone["width"], (
        f"at {PHONE['width']} px the page is {phone['scrollWidth']} px wide; "
        f"too wide: {phone['wide']}"
    )


# --- the site as a whole -----------------------------------------------------------


@pytest.fixture
def fresh_tab(browser, site_url, screenshots):
    """A tab of its own, so that a stored palette or search does not leak into others."""
    tab = Tab(browser, site_url, color_scheme="light")
    yield tab
    tab.close()


def palette(p) -> list[str]:
    """The colour scheme and the page's background colour."""
    return p.evaluate(
        "() => [document.body.getAttribute('data-md-color-scheme'),"
        " getComputedStyle(document.body).backgroundColor]"
    )


def test_light_dark_toggle_switches_the_palette(fresh_tab, all_book_pages, site_dir):
    # A page with a figure (or at least an output) shows in the dark screenshot how they read.
    html = {p: (site_dir / p).with_suffix(".html").read_text("utf-8") for p in all_book_pages}
    page = next(
        (p for p in all_book_pages if "d2l-figure" in html[p]),
        next((p for p in all_book_pages if "d2l-outputs" in html[p]), "index.md"),
    )
    fresh_tab.open(page.removesuffix(".md") + ".html")
    p = fresh_tab.page
    scheme, background = palette(p)
    assert scheme == "default"
    p.locator("form[data-md-component=palette] label:visible").click()
    p.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    dark_scheme, dark_background = palette(p)
    assert dark_scheme == "slate"
    assert dark_background != background
    p.evaluate(MATHJAX_SETTLED)
    shoot(p, SCREENSHOTS / ("dark-" + screenshot_name(page)))
    # The choice is remembered on the next page, and the toggle switches back.
    fresh_tab.open("index.html")
    assert palette(p)[0] == "slate"
    p.locator("form[data-md-component=palette] label:visible").click()
    p.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'default'")
    assert palette(p) == [scheme, background]
    assert fresh_tab.errors == []


def search_meta(p) -> str:
    return p.evaluate(
        "() => (document.querySelector('.md-search-result__meta') || {}).textContent || ''"
    ).strip()


def search(tab: Tab, word: str) -> list[str]:
    """Type ``word`` into the site search; return the pages of the results."""
    tab.open("index.html")
    p = tab.page
    box = p.locator("input.md-search__input")
    box.click()
    # The index is loaded by a web worker; the box says so until it is ready.
    p.wait_for_function(
        "() => /Type to start/.test(document.querySelector('.md-search-result__meta').textContent)"
    )
    box.fill(word)  # all at once, so no results for half a word ...
    box.press("End")  # ... and a key, because Material searches on keyup
    p.wait_for_function(
        "() => /matching/i.test(document.querySelector('.md-search-result__meta').textContent)"
    )
    hrefs = p.locator(".md-search-result__item > a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert tab.errors == [], f"console errors while searching: {tab.errors}"
    # "N matching documents"; the list shows the first ten and more on scrolling.
    documents = p.locator(".md-search-result__item").count()
    meta = search_meta(p)
    matching = 0 if meta.startswith("No") else int(meta.split()[0])
    assert 0 < documents <= matching or documents == matching == 0, meta
    return sorted({urlsplit(urljoin(tab.site_url, h)).path.lstrip("/") for h in hrefs})


def pages_containing(word: str) -> set[str]:
    book = Book(ROOT)
    words = re.compile(re.escape(word).replace(r"\-", r"[\s-]"), re.I)
    return {
        p.removesuffix(".md") + ".html"
        for p in book.pages()
        if words.search((book.docs / p).read_text("utf-8"))
    }


@pytest.mark.parametrize("word", SEARCH_WORDS)
def test_site_search_finds_the_book_s_key_terms(fresh_tab, word):
    found = search(fresh_tab, word)
    assert found, f"the site search finds no page for {word!r}"
    assert set(found) & pages_containing(word), (found, pages_containing(word))


def test_site_search_finds_a_word_on_one_page_and_nothing_for_nonsense(fresh_tab):
    found = search(fresh_tab, "PowerShell")
    assert "installation.html" in found
    assert search(fresh_tab, "qwzxv") == []


def test_a_request_to_another_host_is_recorded_and_refused(fresh_tab):
    fresh_tab.open("index.html")
    status = fresh_tab.page.evaluate(
        "() => fetch('https://example.org/x.js').then(r => r.status, e => 'refused')"
    )
    assert status == "refused"
    assert "https://example.org/x.js" in fresh_tab.requests
    assert not fresh_tab.is_local("https://example.org/x.js")
