"""d2lsite: the helpers that the chapters of the book define and later chapters reuse.

Every public name here is saved (``# @save``) from a page of the book; its
docstring names that page. Use it as ``import d2lsite as d2l``.
"""

__version__ = "0.1.0"

# The library's modules. Each is imported only when one of its names is first used
# (``d2l.train_ch3`` imports ``training``, and so torch), so ``import d2lsite.engine``
# and the book's tools never load torch or matplotlib. A new module is ONE line here,
# its name in this tuple; do not write ``from .module import *`` (that loads it, and
# torch, at once). ``d2lsite check`` fails when a module is missing from this list.
_MODULES = (
    "cnn",
    "data",
    "devices",
    "fashion_mnist",
    "generalization",
    "linear_regression",
    "modern_cnn",
    "optimization",
    "plotting",
    "rnn",
    "timing",
    "training",
)


def _exports() -> dict[str, str]:
    """Public name -> module, read from each module's ``__all__`` without importing it."""
    global _EXPORTS
    if _EXPORTS is None:
        import ast
        import importlib
        from pathlib import Path

        found = {}
        for module in _MODULES:
            try:
                tree = ast.parse((Path(__file__).parent / f"{module}.py").read_text("utf-8"))
            except OSError:  # installed without sources: import it to learn its names
                names = importlib.import_module(f".{module}", __name__).__all__
            else:
                names = next(
                    ast.literal_eval(node.value)
                    for node in tree.body
                    if isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
                )
            found.update(dict.fromkeys(names, module))
        _EXPORTS = found
    return _EXPORTS


_EXPORTS: dict[str, str] | None = None


def __getattr__(name: str):
    """PEP 562: ``d2l.name`` imports the module that defines ``name`` on first use."""
    import importlib

    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "__all__":
        return sorted(_exports())
    module = _exports().get(name)
    if module is None:
        raise AttributeError(f"module 'd2lsite' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES, *_exports()})
