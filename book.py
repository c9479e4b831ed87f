#!/usr/bin/env python3
"""Set up and use the book with nothing but Python 3.10+.

    python3 book.py serve     serve the book at http://127.0.0.1:8000
    python3 book.py test      run the whole test suite (extra arguments go to pytest)
    python3 book.py install   only create .venv and install the book into it

The first command creates the virtual environment ``.venv`` and installs the book with
its ``book`` extra (the tools that build, run and test it); later commands reuse it (and
reinstall when pyproject.toml changes).
On Windows, use ``py book.py serve``.
"""

from __future__ import annotations  # so old Pythons reach the version check below

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("D2LSITE_VENV", ROOT / ".venv"))


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def install() -> Path:
    """Create ``.venv`` and install the book into it, unless that is already done."""
    if sys.version_info < (3, 10):  # noqa: UP036 - this script may run on any python3
        sys.exit(
            f"d2lsite needs Python 3.10 or newer; this is {sys.version.split()[0]}. "
            "Run this script with a newer python."
        )
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    marker = VENV / ".d2lsite-installed"
    python = venv_python()
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    if not python.exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing the book and its tools (the first time downloads PyTorch) ...", flush=True)
    subprocess.run([python, "-m", "pip", "install", "--upgrade", "pip"], check=True)
    subprocess.run([python, "-m", "pip", "install", "-e", f"{ROOT}[book]"], check=True)
    marker.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test", "install"):
        print(__doc__.strip())
        return 2
    command, extra = argv[0], argv[1:]
    python = install()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if command == "serve":
        args = [python, "-m", "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *extra]
    elif command == "test":
        args = [python, "-m", "pytest", *extra]
    else:
        return 0
    try:
        return subprocess.run(args, cwd=ROOT).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
