"""The library reference page, generated from the library's docstrings."""

from __future__ import annotations

import ast
import posixpath

from markdown.extensions.toc import slugify

from .book import Book
from .sync import saved_by_name

API_MARKER = "<!-- d2lsite:api -->"


def signature(node: ast.AST) -> str:
    if isinstance(node, ast.ClassDef):
        init = next(
            (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
        )
        args = ast.unparse(init.args).removeprefix("self, ").removeprefix("self") if init else ""
        return f"class {node.name}({args})"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
        return f"def {node.name}({ast.unparse(node.args)}){returns}"
    return ast.unparse(node)


def api_markdown(book: Book, api_page: str) -> str:
    """One entry per public helper, in the order the book teaches them."""
    saved = saved_by_name(book)
    order = {page: i for i, page in enumerate(book.pages())}
    library = book.library
    names = sorted(
        library.public,
        key=lambda n: (order.get(saved[n][0][0], len(order)) if n in saved else 1e9, n),
    )
    out = []
    for name in names:
        definition = library.definitions.get(name)
        if definition is None:
            continue
        out.append(f"### `{name}`\n")
        out.append(f"```text\n{signature(definition.node)}\n```\n")
        doc = definition.docstring.split("\nDefined in")[0].strip()
        if doc:
            out.append(doc + "\n")
        if name in saved:
            page, first = saved[name][0]
            target = posixpath.relpath(page, posixpath.dirname(api_page) or ".")
            anchor = f"#{slugify(first.heading, '-')}" if first.heading else ""
            title = book.page(page).title
            where = f"{title}, § {first.heading}" if first.heading else title
            out.append(
                f"Defined in [{where}]({target}{anchor}), in `d2lsite/{definition.module}.py`.\n"
            )
    return "\n".join(out) if out else "The library has no public helpers yet.\n"
