"""The ``d2lsite`` library read as source: its definitions, and which ones a page uses.

Nothing here imports the library (or torch): ``d2lsite check`` and the site build stay
fast, and they read the library of the book in the current directory.
"""

from __future__ import annotations

import ast
import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .pages import definition_names

# Public names of d2lsite that no page saves, because they are the book's machinery
# rather than its lessons. Keep this list short.
INFRASTRUCTURE: set[str] = set()


@dataclass
class Definition:
    name: str
    module: str
    node: ast.AST

    @property
    def docstring(self) -> str:
        if not hasattr(self.node, "body"):
            return ""
        return ast.get_docstring(self.node) or ""

    @property
    def fingerprint(self) -> str:
        """A hash of the definition's meaning: docstrings, comments and annotations left out."""
        return hashlib.sha256(normalized_dump(self.node).encode()).hexdigest()

    def references(self) -> set[str]:
        return {n.id for n in ast.walk(self.node) if isinstance(n, ast.Name)}


class Library:
    """Every top-level definition in the library's modules, by name."""

    def __init__(self, package_dir: Path):
        self.package_dir = package_dir
        self.definitions: dict[str, Definition] = {}
        self.public: list[str] = []
        for path in sorted(package_dir.glob("*.py")):
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source, filename=str(path))
            for node in tree.body:
                for name in definition_names(node):
                    if name == "__all__":
                        self.public += list(ast.literal_eval(node.value))
                    elif not name.startswith("__"):
                        self.definitions[name] = Definition(name, path.stem, node)

    def closure(self, names: set[str]) -> set[str]:
        """``names`` and every library definition they reach, transitively."""
        seen: set[str] = set()
        todo = [n for n in names if n in self.definitions]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo += [
                r
                for r in self.definitions[name].references()
                if r in self.definitions and r not in seen
            ]
        return seen

    def fingerprint(self, names: set[str]) -> str:
        """One hash over the definitions that ``names`` reach."""
        h = hashlib.sha256()
        for name in sorted(self.closure(names)):
            h.update(f"{name}:{self.definitions[name].fingerprint}\n".encode())
        return h.hexdigest()


def library_names_used(code: str) -> set[str]:
    """Names the code takes from d2lsite: ``d2l.x``, ``d2lsite.x``, ``from d2lsite import x``."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    aliases = set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "d2lsite"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("d2lsite"):
            names |= {a.name for a in node.names}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            names.add(node.attr)
    return names


def normalized_dump(node: ast.AST) -> str:
    """``ast.dump`` of ``node`` without docstrings or type annotations.

    The book shows helpers short; the library adds types and docstrings. Both are
    the same code when this dump is the same.
    """
    return canonical_dump(normalized(node))


def canonical_dump(node) -> str:
    """``ast.dump`` that reads the same on every Python version.

    Fields that are ``None`` or empty are left out: Python 3.12 added
    ``type_params=[]`` to every definition, and 3.13 prints fewer fields, so a
    plain dump would make every page look stale after a Python upgrade.
    """
    if isinstance(node, ast.AST):
        fields = ", ".join(
            f"{name}={canonical_dump(value)}"
            for name, value in ast.iter_fields(node)
            if value is not None and not (isinstance(value, list) and not value)
        )
        return f"{type(node).__name__}({fields})"
    if isinstance(node, list):
        return "[" + ", ".join(canonical_dump(item) for item in node) + "]"
    return repr(node)


def normalized(node: ast.AST) -> ast.AST:
    """A copy of ``node`` with docstrings and type annotations removed."""
    node = copy.deepcopy(node)
    for sub in ast.walk(node):
        body = getattr(sub, "body", None)
        if (
            isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            sub.body = body[1:] or [ast.Pass()]
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
            sub.returns = None
        if isinstance(sub, ast.arg):
            sub.annotation = None
        for fieldname in ("body", "orelse", "finalbody"):
            stmts = getattr(sub, fieldname, None)
            if isinstance(stmts, list) and stmts:
                kept = [
                    _drop_annotation(s)
                    for s in stmts
                    if not (isinstance(s, ast.AnnAssign) and s.value is None)
                ]
                setattr(sub, fieldname, kept or [ast.Pass()])
    if isinstance(node, ast.AnnAssign):
        node = _drop_annotation(node)
    return node


def _drop_annotation(stmt: ast.stmt) -> ast.stmt:
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        return ast.Assign(targets=[stmt.target], value=stmt.value)
    return stmt
