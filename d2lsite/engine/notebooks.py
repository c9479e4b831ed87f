"""A page as a Jupyter notebook that works on its own, away from the site.

Built with nbformat's v4 API and validated before it is written. Every piece of
MkDocs-only syntax the book uses is translated or dropped (see ``jupyter_markdown``),
so a downloaded notebook shows no ``{ .attr }`` lists, no relative links, no local
image paths, no ``!!!``/``???``/``===`` blocks, footnote or abbreviation syntax, and
no ``{{ name }}`` value references.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import posixpath
import re
from pathlib import Path

from .pages import Page
from .refs import REFERENCE, substitute
from .render import SVG_START, match_record

# --- Markdown: MkDocs extensions to what Jupyter renders -------------------------------

ADMONITION = re.compile(
    r"^(?P<indent>\s*)(?P<kind>!!!|\?\?\?\+?)\s+(?P<type>[\w-]+)"
    r'(?:\s+"(?P<title>[^"]*)")?\s*$'
)
TAB = re.compile(r'^(?P<indent>\s*)===\+?\s+"(?P<title>[^"]*)"\s*$')
COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)
# attribute lists: `{ .class #id key=value }` after an image, link, heading or paragraph
_ATTR = r"(?:[.#][\w-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]+))"
ATTR_LIST = re.compile(r"[ \t]*\{:?\s*" + _ATTR + r"(?:\s+" + _ATTR + r")*\s*\}")
FOOTNOTE_DEF = re.compile(r"^\[\^(?P<id>[^\]]+)\]:\s?(?P<text>.*)$")
FOOTNOTE_REF = re.compile(r"\[\^(?P<id>[^\]]+)\](?!:)")
ABBR_DEF = re.compile(r"^\*\[(?P<abbr>[^\]]+)\]:\s*(?P<text>.*)$")
# [text](target) and ![alt](target "title"), not inside code spans
LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]"
    r"\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)"
)
MD_IN_HTML = re.compile(r'(<\w+\b[^>]*?)\s+markdown(?:="[^"]*")?(?=[\s/>])')
HTML_IMG = re.compile(r'(<img\b[^>]*\bsrc=")(?P<src>[^"]+)(")', re.IGNORECASE)


class Translation:
    """What turning one page's Markdown into notebook cells needs to know."""

    def __init__(
        self,
        page_name: str,
        docs_dir: Path,
        site_url: str,
        *,
        use_directory_urls: bool = False,
        values: dict | None = None,
    ):
        self.page_name = page_name
        self.docs_dir = docs_dir
        self.site_url = site_url.rstrip("/") + "/" if site_url else ""
        self.use_directory_urls = use_directory_urls
        self.values = values or {}
        self.footnotes: dict[str, int] = {}

    def url(self, target: str) -> str:
        """A link target relative to the page, as an absolute URL of the site."""
        path, _, anchor = target.partition("#")
        if path:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(self.page_name), path))
        else:
            path = self.page_name
        if path.endswith(".md"):
            stem = path.removesuffix(".md")
            if self.use_directory_urls:
                stem = stem.removesuffix("index").rstrip("/")
                path = f"{stem}/" if stem else ""
            else:
                path = stem + ".html"
        if path == "." or path.startswith("../"):
            path = ""
        return self.site_url + path + (f"#{anchor}" if anchor else "")

    def image(self, target: str, attachments: dict) -> str | None:
        """Attach a local image to the cell; return its ``attachment:`` URL (or None)."""
        file = (self.docs_dir / posixpath.dirname(self.page_name) / target).resolve()
        if not file.is_file():
            return None
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        data = base64.b64encode(file.read_bytes()).decode()
        attachments[file.name] = {"mime": mime, "data": data}
        return f"attachment:{file.name}"


def is_relative(target: str) -> bool:
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) and not target.startswith("//")


# Spans that must pass through untouched: code and math.
PROTECTED = re.compile(
    r"(?P<fence>^[ \t]*(?P<ticks>```+|~~~+)[^\n]*\n.*?^[ \t]*(?P=ticks)[ \t]*$)"
    r"|(?P<dmath>\$\$.*?\$\$)|(?P<bmath>\\\[.*?\\\])|(?P<pmath>\\\(.*?\\\))"
    r"|(?P<code>(?P<bt>`+).+?(?P=bt))|(?P<imath>(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$)",
    re.DOTALL | re.MULTILINE,
)


def jupyter_markdown(text: str, tr: Translation | None = None, attachments=None) -> str:
    """Rewrite the site's Markdown into what Jupyter renders on its own.

    HTML comments (markers, hidden checks) go; admonitions become block quotes,
    collapsed ones ``<details>``, tabs bold labels; attribute lists are dropped;
    footnotes become numbered superscripts; abbreviation definitions are dropped;
    links to pages and files of the site become absolute URLs (``site_url``); local
    images become cell attachments; ``{{ name:fmt }}`` becomes the recorded value.
    Code and math pass through untouched.
    """
    tr = tr or Translation("page.md", Path("."), "")
    attachments = {} if attachments is None else attachments
    text = substitute(text, tr.values).text
    # A reference without a value (no current record) must not reach the reader as-is.
    text = REFERENCE.sub(lambda m: f"(value `{m.group('name')}` not recorded)", text)
    text = COMMENT.sub("", text)
    kept: list[str] = []

    def protect(m: re.Match) -> str:
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = PROTECTED.sub(protect, text)
    text = blocks_to_jupyter(text)
    out = []
    for line in text.split("\n"):
        if ABBR_DEF.match(line):
            continue
        m = FOOTNOTE_DEF.match(line)
        if m:
            n = tr.footnotes.setdefault(m.group("id"), len(tr.footnotes) + 1)
            line = f"<sup>{n}</sup> {m.group('text')}"
        line = FOOTNOTE_REF.sub(
            lambda m: f"<sup>{tr.footnotes.setdefault(m.group('id'), len(tr.footnotes) + 1)}</sup>",
            line,
        )
        out.append(line)
    text = "\n".join(out)
    text = ATTR_LIST.sub("", text)
    text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)
    text = LINK.sub(lambda m: rewrite_link(m, tr, attachments), text)
    text = HTML_IMG.sub(
        lambda m: m.group(1) + (image_or_url(m.group("src"), tr, attachments)) + m.group(3), text
    )
    text = re.sub(
        r'(<a\b[^>]*\bhref=")([^"]+)(")',
        lambda m: (
            m.group(1)
            + (tr.url(m.group(2)) if is_relative(m.group(2)) else m.group(2))
            + m.group(3)
        ),
        text,
    )
    text = MD_IN_HTML.sub(r"\1", text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def image_or_url(target: str, tr: Translation, attachments: dict) -> str:
    if not is_relative(target):
        return target
    return tr.image(target, attachments) or tr.url(target)


def rewrite_link(m: re.Match, tr: Translation, attachments: dict) -> str:
    target, title = m.group("target"), m.group("title") or ""
    if m.group("bang"):
        return f"![{m.group('text')}]({image_or_url(target, tr, attachments)}{title})"
    if is_relative(target):
        target = tr.url(target)
    return f"[{m.group('text')}]({target}{title})"


def blocks_to_jupyter(text: str) -> str:
    """Admonitions, collapsible blocks and content tabs, recursively."""
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = ADMONITION.match(lines[i]) or TAB.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent = len(m.group("indent"))
        body = []
        i += 1
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent
        ):
            body.append(lines[i][indent + 4 :])
            i += 1
        inner = blocks_to_jupyter("\n".join(body)).strip("\n")
        title = m.group("title") if m.group("title") is not None else ""
        kind = m.groupdict().get("kind")
        pad = " " * indent
        if kind is None:  # a content tab
            out += [f"{pad}**{title}**", "", *[pad + x if x else x for x in inner.split("\n")], ""]
        elif kind.startswith("???"):
            summary = title or m.group("type").capitalize()
            out += [
                f"{pad}<details><summary>{html.escape(summary)}</summary>",
                "",
                *[pad + x if x else x for x in inner.split("\n")],
                "",
                f"{pad}</details>",
                "",
            ]
        else:
            head = title or m.group("type").capitalize()
            out += [f"{pad}> **{head}**", f"{pad}>"]
            out += [f"{pad}> {line}".rstrip() for line in inner.split("\n")]
            out.append("")
    return "\n".join(out)


# --- cells ---------------------------------------------------------------------------


def notebook(page: Page, record: dict | None, record_dir: Path, tr: Translation | None = None):
    """The page as a validated nbformat-4 notebook: prose, visible code, recorded outputs."""
    import nbformat
    from nbformat import v4

    tr = tr or Translation(page.path.name, page.path.parent, "")
    if record:
        tr.values = record.get("values", {})
    matched = match_record(page, record)
    entries = {id(b): e for b, e in matched} if matched else {}
    xfail = {id(b) for c in page.python_chains if "xfail" in " ".join(c.marks) for b in c.blocks}
    skip = {
        id(b)
        for c in page.python_chains
        if any(m.startswith("pytest.mark.skip(") or m == "pytest.mark.skip" for m in c.marks)
        for b in c.blocks
    }
    lines = page.text.splitlines(keepends=True)
    cells = []

    def prose(chunk: str) -> None:
        attachments: dict = {}
        source = jupyter_markdown(chunk, tr, attachments).strip()
        if source:
            cell = v4.new_markdown_cell(source)
            if attachments:
                cell.attachments = {k: {v["mime"]: v["data"]} for k, v in attachments.items()}
            cells.append(cell)

    start = 0
    for block in page.blocks:
        if block.syntax != "python" or block.hidden or block.expected_output:
            continue
        prose("".join(lines[start : block.line - 1]))
        cell = v4.new_code_cell(block.code.rstrip("\n"))
        cell.outputs = code_outputs(entries.get(id(block)), record_dir)
        tags = []
        if id(block) in xfail:
            tags.append("raises-exception")  # so `jupyter nbconvert --execute` goes on
        if id(block) in skip:
            tags.append("skip-execution")
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)
        start = block.end_line
    prose("".join(lines[start:]))
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"  # stable ids: the same page gives the same bytes
    nb = v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nb


def code_outputs(entry: dict | None, record_dir: Path) -> list:
    from nbformat import v4

    outputs: list = []
    if not entry or not entry.get("ran", True):
        return outputs
    for stream in ("stdout", "stderr"):
        if entry[stream]:
            outputs.append(v4.new_output("stream", name=stream, text=entry[stream]))
    if entry["error"]:
        last = entry["error"].rstrip().splitlines()[-1]
        ename, _, evalue = last.partition(": ")
        outputs.append(
            v4.new_output(
                "error",
                ename=ename,
                evalue=evalue,
                traceback=entry["error"].rstrip().splitlines(),
            )
        )
    for fig in entry["figures"]:
        svg = (record_dir / fig["file"]).read_text(encoding="utf-8")
        svg = svg[SVG_START.search(svg).start() :]
        outputs.append(
            v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": fig["alt"]})
        )
    return outputs


def write_notebook(book, name: str, page: Page, dest: Path, config) -> list[str]:
    """Write the page's validated notebook to ``dest`` (a stale record adds no outputs).

    Returns what is wrong with it (MkDocs syntax the translation left), one line each.
    """
    import nbformat

    from .book import Status

    record = book.record(name) if book.status(name, page) == Status.OK else None
    tr = Translation(
        name,
        book.docs,
        config.get("site_url") or "",
        use_directory_urls=config.get("use_directory_urls", True),
    )
    nb = notebook(page, record, book.record_dir(name), tr)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return leftovers(nb)


# --- what must not be left in a notebook ---------------------------------------------

LEFTOVERS = {
    "attribute list": ATTR_LIST,
    "admonition or collapsible block": re.compile(r"^\s*(!!!|\?\?\?\+?)\s+[\w-]+", re.M),
    "content tab": re.compile(r'^\s*===\+?\s+"', re.M),
    "footnote": re.compile(r"\[\^[^\]]+\]"),
    "abbreviation": re.compile(r"^\*\[[^\]]+\]:", re.M),
    "value reference": REFERENCE,
    "HTML comment": re.compile(r"<!--"),
    "markdown attribute": re.compile(r"<\w+[^>]*\smarkdown\b"),
}
TARGETS = re.compile(r"\]\((?P<md>[^)\s]+)|\b(?:href|src)=\"(?P<html>[^\"]+)\"")


def leftovers(nb) -> list[str]:
    """MkDocs-only syntax and relative links or image paths left in a notebook's prose."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        prose = PROTECTED.sub("", cell.source)  # code and math may say anything
        for what, pattern in LEFTOVERS.items():
            m = pattern.search(prose)
            if m:
                found.append(f"cell {i}: {what}: {m.group(0).strip()!r}")
        for m in TARGETS.finditer(prose):
            target = m.group("md") or m.group("html")
            if is_relative(target) and not target.startswith("attachment:"):
                found.append(f"cell {i}: relative link or local image: {target!r}")
    return found
