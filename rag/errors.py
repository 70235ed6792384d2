"""Errors a user can act on. The CLI prints their message on one line and exits non-zero."""

from __future__ import annotations


class RagError(RuntimeError):
    """Base for every error this package raises on purpose."""


class CollectionMismatchError(RagError):
    """The collection was built with another embedding model; its vectors cannot be compared."""
