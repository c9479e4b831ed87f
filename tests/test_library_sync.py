"""The book is consistent: what ``d2lsite check`` checks, run once, inside the suite.

CI runs this suite and no separate ``d2lsite check`` (see .ci/run): every page's
outputs are current, no record is orphaned, and the library is the code the book saves.
"""

import d2lsite
from d2lsite.engine import cli
from d2lsite.engine.book import Book
from tests.engine_book import REPO

BOOK = Book(REPO)


def test_d2lsite_check_passes(capsys):
    code = cli.check(BOOK)
    assert code == 0, capsys.readouterr().out


def test_every_public_name_of_the_package_is_listed_in_a_module_all():
    assert set(d2lsite.__all__) == set(BOOK.library.public)
    assert set(d2lsite.__all__) <= set(dir(d2lsite))
