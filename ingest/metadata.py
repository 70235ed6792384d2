"""Optional per-folder document metadata: a ``metadata.json`` mapping file names to title, language,
outlet and date. Folders without one are fine; the title then comes from the text itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METADATA_FILE = "metadata.json"


def read_folder_metadata(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / METADATA_FILE
    if not path.is_file():
        return {}
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a broken metadata file must not stop the documents themselves from loading
    if not isinstance(raw, dict):
        return {}
    return {
        name: {k: str(v) for k, v in fields.items() if v is not None and k in {"title", "language", "outlet", "date"}}
        for name, fields in raw.items()
        if isinstance(fields, dict)
    }
