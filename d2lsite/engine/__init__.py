"""The machinery that executes the book's pages and keeps the library in step with them.

Not part of the library that the chapters teach: see ``d2lsite/__init__.py`` for that.
"""
