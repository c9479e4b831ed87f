"""Every notebook of the built book works on its own (see d2lsite/engine/notebooks.py)."""

import nbformat

from d2lsite.engine.notebooks import leftovers


def test_every_notebook_validates_and_has_no_mkdocs_syntax_or_relative_link(site_dir):
    notebooks = sorted(site_dir.rglob("*.ipynb"))
    assert notebooks, "the site has no notebooks"
    problems = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        found = leftovers(nb)
        if found:
            problems[path.relative_to(site_dir).as_posix()] = found
    assert problems == {}


def test_every_deliberate_error_cell_is_tagged_raises_exception(site_dir):
    untagged = [
        f"{path.relative_to(site_dir).as_posix()}: cell {i}"
        for path in sorted(site_dir.rglob("*.ipynb"))
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells)
        if cell.cell_type == "code"
        and any(out.get("output_type") == "error" for out in cell.outputs)
        and "raises-exception" not in cell.metadata.get("tags", [])
    ]
    assert untagged == []
