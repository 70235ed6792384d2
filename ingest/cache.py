"""The user's cache folder for files derived from installed packages alone (model exports, a
decompressed language model): shared by every RAG_HOME on the machine, rebuilt when deleted."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag-bilingual"
