"""d2lsite: the helpers that the chapters of the book define and later chapters reuse.

Every public name here is saved (``# @save``) from a page of the book; its
docstring names that page. Use it as ``import d2lsite as d2l``.
"""

from .cnn import *  # noqa: F403
from .data import *  # noqa: F403
from .devices import *  # noqa: F403
from .fashion_mnist import *  # noqa: F403
from .generalization import *  # noqa: F403
from .linear_regression import *  # noqa: F403
from .plotting import *  # noqa: F403
from .timing import *  # noqa: F403
from .training import *  # noqa: F403

__version__ = "0.1.0"
