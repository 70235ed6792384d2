"""Uploaded files: checked, renamed to a safe name and kept under ``RAG_HOME/uploads``.

The file name becomes the document's identity in citations, so it is kept readable; everything that
could climb out of the uploads folder or hide a file (separators, dot files, control characters) goes.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
_UNSAFE = re.compile(r"[^\w.\- ()]+")
_MAX_NAME = 120


class UploadError(ValueError):
    """An upload that is refused, with the reason a user can act on."""


@dataclass(frozen=True)
class StoredUpload:
    name: str
    path: Path


def safe_name(original: str) -> str:
    """A file name with no directory part, no leading dots and only word characters, dots, dashes and
    spaces; the extension is kept and checked."""
    base = unicodedata.normalize("NFC", original.replace("\\", "/").rsplit("/", 1)[-1])
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "." + suffix.lower() if suffix else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(
            f"{original!r}: unsupported file type {suffix or '(none)'}; upload {', '.join(ALLOWED_SUFFIXES)}"
        )
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "document"
    return stem[: _MAX_NAME - len(suffix)] + suffix


def store_upload(
    temp_path: Path, original_name: str, uploads_dir: Path, max_bytes: int, taken: Collection[str]
) -> StoredUpload:
    """Copy an upload into the uploads folder under a safe name. A name already used by a document that
    was not uploaded gets a numbered suffix, so an upload never replaces the bundled or ingested ones;
    uploading a file of the same name again replaces the earlier upload."""
    size = temp_path.stat().st_size
    if size > max_bytes:
        raise UploadError(f"{original_name!r} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB upload limit")
    if size == 0:
        raise UploadError(f"{original_name!r} is empty")
    name = safe_name(original_name)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    stem, suffix = name[: -len(Path(name).suffix)], Path(name).suffix
    counter = 1
    while name in taken and not (uploads_dir / name).exists():
        counter += 1
        name = f"{stem}-{counter}{suffix}"
    target = (uploads_dir / name).resolve()
    if target.parent != uploads_dir.resolve():  # belt and braces: safe_name leaves no separators
        raise UploadError(f"{original_name!r}: refused file name")
    tmp = target.with_name(f".{target.name}.part")
    shutil.copyfile(temp_path, tmp)
    tmp.replace(target)
    return StoredUpload(name, target)
