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

PACKAGE = "d2lsite"


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


@dataclass
class Module:
    """One module of the library: its definitions and what its import statements bind."""

    name: str
    definitions: dict[str, Definition]
    # alias -> (module, name): ``name`` None for a module, module "" for the package
    imports: dict[str, tuple[str, str | None]]
    public: list[str]


class Library:
    """The library's modules read as source, and the definitions one name reaches.

    A definition reaches another (the *closure rules* of the staleness key) when its
    source, decorators, class bases, default arguments and method bodies included,
    names it in any of these ways:

    * a bare name: a definition of the same module, or a name its imports bind
      (``from .plotting import set_axes``, ``from d2lsite.plotting import set_axes
      as sa``, at module level or inside a function);
    * an attribute of the package: ``d2l.set_axes``, ``d2lsite.set_axes``, for any
      alias ``import d2lsite as X`` binds;
    * an attribute of a module: ``plotting.set_axes`` after ``from . import plotting``
      or ``import d2lsite.plotting as plotting``, and ``d2lsite.plotting.set_axes``.

    A package attribute resolves to the module that exports the name (its ``__all__``).
    The rules over-approximate (a local variable that shadows a library name counts as
    a use): a page may go stale without need, never stay current wrongly.
    """

    def __init__(self, package_dir: Path):
        self.package_dir = package_dir
        self.modules: dict[str, Module] = {}
        for path in sorted(package_dir.glob("*.py")):
            if path.stem == "__init__":
                continue
            self.modules[path.stem] = read_module(path)
        self.exports: dict[str, str] = {}  # public name -> module that defines it
        for module in self.modules.values():
            for name in module.public:
                self.exports.setdefault(name, module.name)
        self.public = [n for m in self.modules.values() for n in m.public]
        # Every top-level definition by name (an exported one wins over a private twin).
        self.definitions: dict[str, Definition] = {}
        for module in self.modules.values():
            for name, definition in module.definitions.items():
                if self.exports.get(name, module.name) == module.name:
                    self.definitions.setdefault(name, definition)

    def package_problems(self) -> list[str]:
        """How ``__init__.py`` fails to load the modules lazily, one line each."""
        init = self.package_dir / "__init__.py"
        if not init.is_file():
            return []
        tree = ast.parse(init.read_text(encoding="utf-8"))
        listed: list[str] = []
        problems = []
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                problems.append(
                    f"d2lsite/__init__.py:{node.lineno}: imports .{node.module or ''} at once, "
                    "which loads torch for every tool; delete the line and list the module "
                    "in _MODULES instead"
                )
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_MODULES" for t in node.targets
            ):
                listed = list(ast.literal_eval(node.value))
        for name, module in self.modules.items():
            if module.public and name not in listed:
                problems.append(
                    f"d2lsite/{name}.py: has __all__ but is not in _MODULES of "
                    f'd2lsite/__init__.py, so d2l.<name> cannot find it; add the line "{name}",'
                )
        for name in listed:
            if name not in self.modules:
                problems.append(f"d2lsite/__init__.py: _MODULES lists {name}, not a module")
        return problems

    # --- following references --------------------------------------------------------

    def resolve_import(self, target: tuple[str, str | None], depth: int = 0):
        """An import's target as ("module", module) / ("def", module, name) / None."""
        module, name = target
        if depth > len(self.modules):  # modules that import a name from each other
            return None
        if name is None:
            return ("package",) if module == "" else ("module", module)
        if module == "":  # from d2lsite import x
            if name in self.modules:
                return ("module", name)
            return ("def", self.exports[name], name) if name in self.exports else None
        mod = self.modules.get(module)
        if mod is None:
            return None
        if name in mod.definitions:
            return ("def", module, name)
        if name in mod.imports and mod.imports[name] != target:
            return self.resolve_import(mod.imports[name], depth + 1)
        return None

    def resolve(self, module: Module, node: ast.AST):
        """What a Name or Attribute node means in ``module``, if it is library code."""
        if isinstance(node, ast.Name):
            if node.id in module.definitions:
                return ("def", module.name, node.id)
            if node.id in module.imports:
                return self.resolve_import(module.imports[node.id])
            return None
        if isinstance(node, ast.Attribute):
            base = self.resolve(module, node.value)
            if base is None:
                return None
            if base[0] == "package":
                return self.resolve_import(("", node.attr))
            if base[0] == "module":
                return self.resolve_import((base[1], node.attr))
        return None

    def references(self, definition: Definition) -> set[tuple[str, str]]:
        """(module, name) of every library definition that ``definition`` names."""
        module = self.modules[definition.module]
        found = set()
        for node in ast.walk(definition.node):
            if isinstance(node, (ast.Name, ast.Attribute)):
                target = self.resolve(module, node)
                if target is not None and target[0] == "def":
                    found.add((target[1], target[2]))
        return found

    def roots(self, names: set[str]) -> set[tuple[str, str]]:
        """Public names (``d2l.x``) as (module, name)."""
        found = set()
        for name in names:
            if name in self.exports:
                found.add((self.exports[name], name))
            elif name in self.definitions:
                found.add((self.definitions[name].module, name))
        return found

    def closure(self, names: set[str]) -> set[str]:
        """``names`` and every library definition they reach, transitively (``module.name``)."""
        seen: set[tuple[str, str]] = set()
        todo = list(self.roots(names))
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            module, name = key
            definition = self.modules[module].definitions[name]
            todo += [r for r in self.references(definition) if r not in seen]
        return {f"{m}.{n}" for m, n in seen}

    def fingerprint(self, names: set[str]) -> str:
        """One hash over the definitions that ``names`` reach."""
        h = hashlib.sha256()
        for qualified in sorted(self.closure(names)):
            module, name = qualified.split(".", 1)
            h.update(f"{name}:{self.modules[module].definitions[name].fingerprint}\n".encode())
        return h.hexdigest()


def read_module(path: Path) -> Module:
    """A library module's top-level definitions, ``__all__`` and import bindings."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    definitions: dict[str, Definition] = {}
    public: list[str] = []
    for node in tree.body:
        for name in definition_names(node):
            if name == "__all__":
                public += list(ast.literal_eval(node.value))
            elif not name.startswith("__"):
                definitions[name] = Definition(name, path.stem, node)
    return Module(path.stem, definitions, import_bindings(tree), public)


def import_bindings(tree: ast.AST) -> dict[str, tuple[str, str | None]]:
    """alias -> (module, name) for every import of the library in ``tree``, nested ones too.

    ``module`` is "" for the package itself; ``name`` is None when a module is bound.
    """
    bound: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == PACKAGE:
                    bound[a.asname or PACKAGE] = ("", None)
                elif a.name.startswith(PACKAGE + "."):
                    sub = a.name.split(".")[1]
                    if a.asname:
                        bound[a.asname] = (sub, None)
                    else:
                        bound[PACKAGE] = ("", None)  # import d2lsite.x binds d2lsite
        elif isinstance(node, ast.ImportFrom):
            if node.level == 1 and not node.module:  # from . import plotting
                for a in node.names:
                    bound[a.asname or a.name] = ("", a.name)
                continue
            if node.level == 1:
                module = node.module
            elif (
                node.level == 0
                and node.module
                and (node.module == PACKAGE or node.module.startswith(PACKAGE + "."))
            ):
                module = node.module.removeprefix(PACKAGE).lstrip(".")
            else:
                continue
            module = module.split(".")[0] if module else ""
            for a in node.names:
                if a.name != "*":
                    bound[a.asname or a.name] = (module, a.name)
    return bound


def library_names_used(code: str | list[str]) -> set[str]:
    """Names the code takes from d2lsite, in any of the forms ``Library`` follows.

    ``d2l.x``, ``d2lsite.x``, ``from d2lsite import x``, ``from d2lsite.m import x``,
    ``import d2lsite.m as m; m.x``: each gives the public name ``x``. ``code`` may be a
    page's blocks: an import in one block binds the alias for all of them (a chain
    runs as one program), and a block that does not parse alone is still read.
    """
    trees = []
    for piece in [code] if isinstance(code, str) else code:
        try:
            trees.append(ast.parse(piece))
        except SyntaxError:
            continue
    bound: dict[str, tuple[str, str | None]] = {}
    for tree in trees:
        bound.update(import_bindings(tree))
    names = {name for module, name in bound.values() if name is not None}
    for tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
            ):
                module, name = bound[node.value.id]
                if name is None or module == "":
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
