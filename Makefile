# The two commands of the README's quick start, and the steps they share.
#   make serve   serve the book at http://127.0.0.1:8000
#   make test    run the whole test suite (unit tests, every code block, the site)
# Both create the virtual environment .venv on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve test check run build

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("d2lsite needs Python 3.10 or newer; set PYTHON=python3.x") if sys.version_info < (3, 10) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[dev]"
	touch $@

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

test: install
	$(BIN)/pytest

check: install
	$(BIN)/d2lsite check

run: install
	$(BIN)/d2lsite run

build: install
	$(BIN)/mkdocs build --strict
