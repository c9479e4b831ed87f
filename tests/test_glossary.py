"""The glossary file (docs/glossary.yml) and the pages agree, and docs/glossary.md is
generated from the file.

Rules (also in the file's header):
- each term is glossed exactly once in the book, on its page: ``**term** (中文)``;
- no page before that one, in nav order, bolds the term (a bold is a definition);
- every Chinese gloss on a page is in the file, with the same Chinese, and no Chinese
  appears in the prose outside a gloss;
- docs/glossary.md equals what ``python tests/test_glossary.py --write`` writes.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from book_text import DOCS, all_pages, line_of, prose, read  # noqa: E402

GLOSSARY_FILE = DOCS / "glossary.yml"
GLOSSARY_PAGE = "glossary.md"
WRITE_COMMAND = "python tests/test_glossary.py --write"

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
BOLD = re.compile(r"\*\*(?P<en>[^*\n]+(?:\n[^*\n]+)*?)\*\*")
GLOSS = re.compile(r"\*\*(?P<en>[^*\n]+(?:\n[^*\n]+)*?)\*\*[ \t]*\n?[ \t]*\((?P<paren>[^()]*)\)")


def norm(text: str) -> str:
    return " ".join(text.split()).lower()


@dataclass
class Entry:
    en: str
    zh: str
    page: str
    forms: frozenset[str]


@dataclass
class Gloss:
    page: str
    line: int
    en: str
    zh: str | None  # None: the parentheses hold Chinese in more than one part
    span: tuple[int, int]


def load_entries() -> list[Entry]:
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or []
    assert isinstance(raw, list), "docs/glossary.yml must be a list of entries"
    entries = []
    for i, item in enumerate(raw, 1):
        assert isinstance(item, dict) and {"en", "zh", "page"} <= set(item), (
            f"docs/glossary.yml entry {i} ({item!r}) needs the keys en, zh and page"
        )
        extra = set(item) - {"en", "zh", "page", "as"}
        assert not extra, f"docs/glossary.yml entry {item['en']!r}: unknown keys {sorted(extra)}"
        en, zh, page = str(item["en"]).strip(), str(item["zh"]).strip(), str(item["page"])
        forms = {norm(en), norm(en) + "s", norm(en) + "es"}
        if "as" in item:
            forms.add(norm(str(item["as"])))
        entries.append(Entry(en, zh, page, frozenset(forms)))
    return entries


def page_glosses(page: str) -> tuple[list[Gloss], list[int]]:
    """The glosses on a page, and the lines with Chinese outside any gloss."""
    text = prose(read(page))
    glosses, spans = [], []
    for m in GLOSS.finditer(text):
        paren = m.group("paren")
        if not CJK.search(paren):
            continue
        parts = [p.strip() for p in re.split(r"[,，;；]", paren)]
        chinese = [p for p in parts if CJK.search(p)]
        zh = chinese[0] if len(chinese) == 1 else None
        glosses.append(Gloss(page, line_of(text, m.start()), norm(m.group("en")), zh, m.span()))
        spans.append(m.span())
    stray = sorted(
        {
            line_of(text, c.start())
            for c in CJK.finditer(text)
            if not any(a <= c.start() < b for a, b in spans)
        }
    )
    return glosses, stray


def glossed_pages() -> list[str]:
    return [p for p in all_pages() if p != GLOSSARY_PAGE]


def page_title(page: str) -> str:
    path = DOCS / page
    if path.is_file():
        for line in prose(read(page), keep_inline_code=True).splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return page


def render(entries: list[Entry]) -> str:
    rows = [
        f"| {e.en} | {e.zh} | [{page_title(e.page)}]({e.page}) |"
        for e in sorted(entries, key=lambda e: (e.en.lower(), e.en))
    ]
    return (
        "# Glossary\n\n"
        "The terms this book introduces, with the Chinese term used in the D2L community and\n"
        "the section where each one first appears. Each term is glossed in Chinese once, on\n"
        "that page.\n\n"
        "<!-- Generated from docs/glossary.yml by `python tests/test_glossary.py --write`.\n"
        "     Edit the YAML file, not this page. -->\n\n"
        "| English | 中文 | Introduced in |\n"
        "| --- | --- | --- |\n" + "\n".join(rows) + "\n"
    )


def test_glossary_file_is_well_formed():
    entries = load_entries()
    problems = []
    seen: dict[str, str] = {}
    for e in entries:
        if not CJK.search(e.zh):
            problems.append(f"{e.en!r}: zh {e.zh!r} has no Chinese characters")
        if not (DOCS / e.page).is_file():
            problems.append(f"{e.en!r}: page docs/{e.page} does not exist")
        for form in e.forms:
            if form in seen and seen[form] != e.en:
                problems.append(f"{e.en!r} and {seen[form]!r} share the form {form!r}")
            seen[form] = e.en
    assert not problems, "docs/glossary.yml:\n  " + "\n  ".join(problems)


def test_pages_gloss_each_term_once_on_its_page():
    entries = load_entries()
    by_form = {form: e for e in entries for form in e.forms}
    pages = glossed_pages()
    order = {page: i for i, page in enumerate(pages)}
    problems = []
    found: dict[str, list[Gloss]] = {e.en: [] for e in entries}
    for page in pages:
        glosses, stray = page_glosses(page)
        for line in stray:
            problems.append(
                f"docs/{page}:{line}: Chinese text outside a gloss (write it as "
                "**English term** (中文), right after the bolded term)"
            )
        for g in glosses:
            entry = by_form.get(g.en)
            if entry is None:
                problems.append(
                    f"docs/{page}:{g.line}: **{g.en}** has a Chinese gloss but no entry in "
                    "docs/glossary.yml (add one, with this page)"
                )
            elif g.zh is None:
                problems.append(f"docs/{page}:{g.line}: **{g.en}**: one Chinese term per gloss")
            elif g.zh != entry.zh:
                problems.append(
                    f"docs/{page}:{g.line}: **{g.en}** glossed as {g.zh!r}; "
                    f"docs/glossary.yml says {entry.zh!r}"
                )
            else:
                found[entry.en].append(g)
    for e in entries:
        where = [f"docs/{g.page}:{g.line}" for g in found[e.en]]
        on_page = [g for g in found[e.en] if g.page == e.page]
        if not on_page:
            problems.append(
                f"{e.en!r} ({e.zh}): not glossed on its page docs/{e.page}"
                + (f" (glossed at {', '.join(where)})" if where else "")
            )
        if len(found[e.en]) > 1:
            problems.append(f"{e.en!r}: glossed {len(where)} times ({', '.join(where)}); once only")
    # No earlier page bolds (defines) the term.
    for page in pages:
        text = prose(read(page))
        for m in BOLD.finditer(text):
            if text[m.start() - 1 : m.start()] == "[" or text[m.end() : m.end() + 2] == "](":
                continue  # a bold link: a section's name, not a definition
            entry = by_form.get(norm(m.group("en")))
            if entry and entry.page in order and order[page] < order[entry.page]:
                problems.append(
                    f"docs/{page}:{line_of(text, m.start())}: **{m.group('en')}** is bolded "
                    f"before its glossed first use on docs/{entry.page}; move the gloss here "
                    "(and the glossary entry's page) or drop the bold"
                )
    assert not problems, "Glossary and pages disagree:\n  " + "\n  ".join(problems)


def test_glossary_page_is_generated_from_the_file():
    expected = render(load_entries())
    path = DOCS / GLOSSARY_PAGE
    actual = path.read_text(encoding="utf-8") if path.is_file() else ""
    assert actual == expected, f"docs/{GLOSSARY_PAGE} is out of date: run `{WRITE_COMMAND}`"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        (DOCS / GLOSSARY_PAGE).write_text(render(load_entries()), encoding="utf-8")
        print(f"wrote docs/{GLOSSARY_PAGE}")
    else:
        sys.exit(f"usage: {WRITE_COMMAND}")
