"""The file backend: a TinyDB document shared on one box (snapshot + journal + lock).

The only package that imports TinyDB. ``storage.py`` is the file format and its locking;
``store.py`` the ``CaseStore`` over it.
"""

from .store import TinyStore, open_store

__all__ = ["TinyStore", "open_store"]
