"""The ``d2lsite`` console command: the book's tools must be installed before it runs.

``pip install d2lsite`` gives a reader the library (torch, matplotlib, ...) and this
command, but not the tools that build and check the book: those are the ``book`` extra.
Without them the command says what to install, instead of an ImportError traceback.
"""

from __future__ import annotations

import importlib.util
import sys

# import name -> distribution in the `book` extra that the command itself needs
BOOK_TOOLS = {
    "mkdocs": "mkdocs",
    "material": "mkdocs-material",
    "yaml": "pyyaml",
    "pytest": "pytest",
    "pytest_codeblocks": "pytest-codeblocks",
    "nbformat": "nbformat",
    "rich": "rich",
}
INSTALL_HINT = (
    "install the book's tools with:  pip install 'd2lsite[book]'\n"
    "(from a clone of the book:  pip install -e '.[book]', or run  python3 book.py install)"
)


def missing_tools() -> list[str]:
    return [dist for module, dist in BOOK_TOOLS.items() if importlib.util.find_spec(module) is None]


def main(argv: list[str] | None = None) -> int:
    missing = missing_tools()
    if missing:
        print(
            f"d2lsite: this command needs the book's tools, which are not installed "
            f"(missing: {', '.join(missing)}).\n{INSTALL_HINT}",
            file=sys.stderr,
        )
        return 2
    try:
        from .cli import main as cli_main

        return cli_main(argv)
    except ModuleNotFoundError as err:
        print(f"d2lsite: {err}.\n{INSTALL_HINT}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
