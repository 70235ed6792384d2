"""Example questions for the collection being served: the bundled corpus has hand-written ones; any
other collection gets one question per document, made from its title in the document's language."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rag.types import SourceInfo

BUNDLED_EXAMPLES = [
    "Who chaired the 6th ASEAN Digital Ministers' Meeting?",
    "Which master plan will guide ASEAN's digital cooperation from 2026 to 2030?",
    "Cuộc họp các quan chức kỹ thuật số ASEAN diễn ra khi nào?",
    "Kế hoạch tổng thể số hóa ASEAN 2026–2030 được công bố khi nào?",
    # Asked in Vietnamese, answered from an English article: the multilingual embedding model at work.
    "Ai chủ trì Hội nghị Bộ trưởng Số ASEAN lần thứ 6?",
]
MAX_EXAMPLES = 5


def example_questions(infos: Sequence[SourceInfo], bundled: Path | None) -> list[str]:
    """Questions a new user can click; the bundled corpus's own when that is what is served (or the
    collection is still empty and will fill itself with it)."""
    if not infos or (bundled is not None and all(_inside(i.path, bundled) for i in infos)):
        return list(BUNDLED_EXAMPLES)
    questions = []
    for info in infos:
        title = (info.title or Path(info.source).stem).strip().strip("[]")
        if not title:
            continue
        questions.append(f"“{title}” nói về điều gì?" if info.language == "vi" else f"What does “{title}” say?")
        if len(questions) == MAX_EXAMPLES:
            break
    return questions


def _inside(path: str, folder: Path) -> bool:
    # Sources stored by name only (older versions) cannot be placed; the bundled names are known.
    if not path.startswith("/"):
        return (folder / path).is_file()
    return Path(path).is_relative_to(folder.resolve()) or Path(path).is_relative_to(folder)
