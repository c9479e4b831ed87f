"""The d2lsite package is exactly the code the book saves, and every page's outputs are current."""

import d2lsite
from d2lsite.engine.book import Book
from d2lsite.engine.sync import sync_problems
from tests.engine_book import REPO

BOOK = Book(REPO)


def test_library_and_book_define_every_saved_helper_identically():
    assert sync_problems(BOOK) == []


def test_every_public_name_of_the_package_is_listed_in_a_module_all():
    assert set(d2lsite.__all__) == set(BOOK.library.public)
    assert set(d2lsite.__all__) <= set(dir(d2lsite))


def test_every_page_with_code_has_current_outputs():
    stale = {name: BOOK.status(name) for name in BOOK.pages()}
    assert {name: state for name, state in stale.items() if state not in ("ok", "no code")} == {}


def test_no_record_is_left_for_a_page_that_is_gone():
    assert BOOK.orphan_records() == []
