"""Holding the library and the book to one code.

A definition saved from a page (``# @save``) must be the library's definition,
compared as syntax trees without docstrings, comments or type annotations; every
public library name must be saved by some page; two pages may save one name
differently only if the later one says ``# @save redefine``.
"""

from __future__ import annotations

import ast
import difflib

from .book import Book
from .library import normalized, normalized_dump
from .pages import SavedDefinition, saved_definitions


def saved_by_name(book: Book) -> dict[str, list[tuple[str, SavedDefinition]]]:
    """Each saved name, with every (page, definition) that saves it, in book order."""
    result: dict[str, list[tuple[str, SavedDefinition]]] = {}
    for name in book.pages():
        for saved in saved_definitions(book.page(name)):
            result.setdefault(saved.name, []).append((name, saved))
    return result


def sync_problems(book: Book) -> list[str]:
    """Every way in which the library and the book disagree; empty when they agree."""
    library = book.library
    saved = saved_by_name(book)
    problems = library.package_problems()
    for name, versions in saved.items():
        for (page_a, a), (page_b, b) in zip(versions, versions[1:], strict=False):
            if normalized_dump(a.node) != normalized_dump(b.node) and not b.redefines:
                problems.append(
                    f"docs/{page_b}:{b.line}: saves {name} differently from "
                    f"docs/{page_a}:{a.line}; mark it '# @save redefine' if the change is meant"
                )
        page, final = versions[-1]
        where = f"docs/{page}:{final.line}"
        definition = library.definitions.get(name)
        if definition is None or name not in library.public:
            problems.append(
                f"{where}: saves {name}, but d2lsite does not export it "
                "(add it to a module and to that module's __all__)"
            )
            continue
        if normalized_dump(definition.node) != normalized_dump(final.node):
            diff = difflib.unified_diff(
                ast.unparse(normalized(final.node)).splitlines(),
                ast.unparse(normalized(definition.node)).splitlines(),
                f"docs/{page}",
                f"d2lsite/{definition.module}.py",
                lineterm="",
                n=1,
            )
            problems.append(
                f"{where}: {name} differs from d2lsite/{definition.module}.py:\n    "
                + "\n    ".join(diff)
            )
        elif hasattr(definition.node, "body") and page not in definition.docstring:
            problems.append(
                f"d2lsite/{definition.module}.py: the docstring of {name} must name "
                f"the section that defines it: docs/{page} (write ``{page}``)"
            )
    for name in library.public:
        if name not in saved:
            module = library.definitions[name].module if name in library.definitions else "?"
            problems.append(
                f"d2lsite/{module}.py: exports {name}, which no page saves "
                "(save it from the page that teaches it, or delete it)"
            )
    return problems
