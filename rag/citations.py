"""Moved to rag.answer.citations; kept until ui/ imports the new place."""

from rag.answer.citations import MARKER, strip_markers

__all__ = ["MARKER", "strip_markers"]
