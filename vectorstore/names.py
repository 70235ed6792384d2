"""How sources are shown: a source is stored under its absolute path, and shown by the shortest path
suffix that no other source of the collection shares ("README.txt" alone, "wget/README.txt" beside
"grep/README.txt")."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable


def is_path_key(source: str) -> bool:
    """Sources stored by versions before path keys are bare names relative to their folder."""
    return source.startswith("/")


def shortest_unique_names(sources: Iterable[str]) -> dict[str, str]:
    """Each source's display name: its last path parts, as few as keep it apart from every other."""
    keys = sorted(set(sources))
    parts = {key: key.strip("/").split("/") for key in keys}
    depth = dict.fromkeys(keys, 1)
    pending = list(keys)
    while pending:
        by_name: dict[str, list[str]] = {}
        for key in keys:
            by_name.setdefault(_suffix(parts[key], depth[key]), []).append(key)
        pending = [k for group in by_name.values() if len(group) > 1 for k in group if depth[k] < len(parts[k])]
        for key in pending:
            depth[key] += 1
    return {key: _suffix(parts[key], depth[key]) for key in keys}


def _suffix(parts: list[str], depth: int) -> str:
    return posixpath.join(*parts[-depth:]) if parts and parts != [""] else ""


def matches(source: str, name: str, shown: str) -> bool:
    """Whether a user's name for a document (as shown, its full path, or a path suffix) means this source."""
    return name in (source, shown) or source.endswith("/" + name.strip("/"))
