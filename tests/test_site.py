"""The built site: a clean strict build, every page present, no broken link or anchor,
and no asset loaded from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

# <link rel=...> values that name a document rather than load an asset.
DOCUMENT_RELS = {"canonical", "alternate", "author", "license", "me", "prev", "next", "search"}
# Attributes that load something into the page when it opens.
ASSET_ATTRS = {
    ("script", "src"),
    ("img", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("audio", "src"),
    ("video", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("image", "href"),
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
}
CSS_REMOTE_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*(?:https?:)?//""", re.I)


class PageLinks(HTMLParser):
    """The ids a page defines, and every URL it links to or loads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.assets: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for attr in ("href", "src", "xlink:href", "data"):
            url = attrs.get(attr)
            if url is None:
                continue
            self.links.append((tag, attr, url))
            if tag == "link" and attr == "href":
                rels = set((attrs.get("rel") or "").lower().split())
                if not rels <= DOCUMENT_RELS:
                    self.assets.append((tag, attr, url))
            elif (tag, attr) in ASSET_ATTRS:
                self.assets.append((tag, attr, url))

    handle_startendtag = handle_starttag


def is_external(url: str) -> bool:
    """A URL that points to another host (``data:`` URLs are part of the page)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") or (not parts.scheme and bool(parts.netloc))


def parse_site(site_dir: Path) -> dict[Path, PageLinks]:
    """Every HTML file of the site, by resolved path."""
    pages = {}
    for path in sorted(site_dir.resolve().rglob("*.html")):
        parser = PageLinks()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path] = parser
    return pages


def site_url_path(mkdocs_yml: Path) -> str:
    """The path part of ``site_url`` (``/d2lsite/``): where the site sits on its host."""
    import yaml

    config = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8"))
    return urlsplit(config.get("site_url") or "/").path.rstrip("/") + "/"


def broken_links(
    site_dir: Path, pages: dict[Path, PageLinks], base: str = "/"
) -> tuple[int, list[str]]:
    """How many internal links were checked, and those that lead nowhere.

    A link that starts with ``/`` (the 404 page has only such links) is read
    relative to ``base``, the site's path on its host.
    """
    root = site_dir.resolve()
    checked, broken = 0, []
    for path, page in pages.items():
        if path.relative_to(root).parts[0] == "assets":
            continue  # MathJax's own files
        for tag, attr, url in page.links:
            if urlsplit(url).scheme or urlsplit(url).netloc:
                continue  # another host, or data:, mailto: and the like
            parts = urlsplit(url)
            if parts.path.startswith("/"):
                if not parts.path.startswith(base):
                    broken.append(f"{path.relative_to(root)}: {url!r} lies outside {base}")
                    continue
                target = (root / unquote(parts.path.removeprefix(base))).resolve()
            elif parts.path:
                target = (path.parent / unquote(parts.path)).resolve()
            else:
                target = path
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(root)}: <{tag} {attr}={url!r}>"
            checked += 1
            if root not in target.parents or not target.is_file():
                broken.append(f"{where}: no file {target}")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in pages[target].ids:
                broken.append(f"{where}: no id {fragment!r} in {target.relative_to(root)}")
    return checked, broken


@pytest.fixture(scope="module")
def parsed_site(site_dir) -> dict[Path, PageLinks]:
    return parse_site(site_dir)


def test_site_builds_strictly(site_build):
    warnings = [line for line in site_build.log.splitlines() if "WARNING" in line]
    assert site_build.returncode == 0 and not warnings, (
        "mkdocs build --strict failed:\n" + site_build.log
    )


def test_every_page_of_the_book_is_in_the_site(site_dir, all_book_pages):
    expected = {page.removesuffix(".md") + ".html" for page in all_book_pages} | {"404.html"}
    built = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html")}
    assert expected - built == set(), "pages missing from the built site"
    # MathJax ships a few HTML files of its own; anything else would be a stray page.
    stray = {p for p in built - expected if not p.startswith("assets/")}
    assert stray == set(), "HTML files in the site that are no page of the book"


def test_no_broken_internal_link_or_anchor(site_dir, parsed_site):
    base = site_url_path(ROOT / "mkdocs.yml")
    checked, broken = broken_links(site_dir, parsed_site, base)
    assert checked > 100, f"the link checker found only {checked} internal links"
    assert broken == [], "broken internal links:\n" + "\n".join(broken)


def test_link_checker_reports_a_missing_file_and_a_missing_anchor(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<h2 id="top">x</h2><a href="sub/b.html#there">ok</a><a href="#top">ok</a>'
        '<a href="sub/b.html#nowhere">bad anchor</a><img src="img/missing.svg">'
        '<a href="https://example.org/#x">external</a>'
    )
    (tmp_path / "sub" / "b.html").write_text(
        '<p id="there">y</p><a href="../">ok</a><a href="/book/sub/b.html#there">ok</a>'
        '<a href="/book/index.html#gone">bad anchor</a><a href="/elsewhere.html">outside</a>'
    )
    checked, broken = broken_links(tmp_path, parse_site(tmp_path), base="/book/")
    assert checked == 7
    assert len(broken) == 4
    assert "no id 'nowhere' in sub/b.html" in broken[0]
    assert "img/missing.svg" in broken[1]
    assert "no id 'gone' in index.html" in broken[2]
    assert "'/elsewhere.html' lies outside /book/" in broken[3]


def test_no_asset_is_loaded_from_another_host(site_dir, parsed_site):
    remote = [
        f"{path.relative_to(site_dir)}: <{tag} {attr}={url!r}>"
        for path, page in parsed_site.items()
        for tag, attr, url in page.assets
        if is_external(url)
    ]
    for css in site_dir.rglob("*.css"):
        for m in CSS_REMOTE_URL.finditer(css.read_text(encoding="utf-8", errors="replace")):
            remote.append(f"{css.relative_to(site_dir)}: {m.group(0)}...")
    assert remote == [], "assets loaded from other hosts:\n" + "\n".join(remote)


def test_asset_check_sees_remote_scripts_and_stylesheets():
    page = PageLinks()
    page.feed(
        '<script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/css">'
        '<link rel="canonical" href="https://d2lsite.example/">'
        '<a href="https://example.org/">reading</a>'
        '<svg><image xlink:href="data:image/png;base64,iVBO"/></svg>'
    )
    remote = [url for _, _, url in page.assets if is_external(url)]
    assert remote == ["https://cdn.example/x.js", "//fonts.example/css"]
