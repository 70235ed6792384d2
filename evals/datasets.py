"""The suites: the hand-written gold questions on the bundled corpus (and a third blind set on it),
the third-party documents, and XQuAD en/vi.

Each suite is a list of tasks; a task is a collection (documents to ingest) plus the questions asked
against it, each with its reference answers and gold source file names.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
GOLD_FILE = DATA / "gold.jsonl"
BLIND3_FILE = DATA / "blind3.jsonl"
THIRDPARTY_DIR = DATA / "thirdparty"
XQUAD_DIR = DATA / "xquad"

GOLD_KEYS = {"id", "question", "lang", "task", "answers", "sources", "answerable", "split", "note"}
XQUAD_TASKS = ("en-en", "vi-vi", "en-vi", "vi-en", "mixed-en", "mixed-vi")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    task: str
    answers: tuple[str, ...]
    sources: frozenset[str]
    answerable: bool = True
    split: str = "all"


@dataclass
class Task:
    """Questions asked against one collection built from ``documents`` (None: the bundled corpus)."""

    name: str
    collection: str
    documents: Path | None
    questions: list[Question] = field(default_factory=list)


class DatasetError(ValueError):
    """A dataset file is missing or malformed; the message names the file and line."""


def load_gold(path: Path = GOLD_FILE, split: str = "all") -> list[Question]:
    """The gold questions (JSONL; schema in the README's "Evaluation" section)."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise DatasetError(f"{path}:{number}: not JSON ({exc})") from exc
        missing = GOLD_KEYS - {"note"} - set(row)
        if missing:
            raise DatasetError(f"{path}:{number}: missing keys {sorted(missing)}")
        if bool(row["answerable"]) != bool(row["sources"]):
            raise DatasetError(f"{path}:{number}: answerable questions need sources, unanswerable ones none")
        question = Question(
            id=str(row["id"]),
            question=unicodedata.normalize("NFC", row["question"]),
            lang=row["lang"],
            task=row["task"],
            answers=tuple(row["answers"]),
            sources=frozenset(row["sources"]),
            answerable=bool(row["answerable"]),
            split=row["split"],
        )
        if split in ("all", question.split):
            questions.append(question)
    return questions


def seeds_suite(split: str = "all") -> list[Task]:
    """One task per question type, all on the bundled corpus in its own evaluation collection."""
    tasks: dict[str, Task] = {}
    for q in load_gold(split=split):
        tasks.setdefault(q.task, Task(q.task, "eval-seeds", None)).questions.append(q)
    return [tasks[name] for name in sorted(tasks)]


def blind3_suite() -> list[Task]:
    """The third blind set (``blind3.jsonl``, split "blind3"): questions written from the bundled documents
    before the system was run on them. One task per question type, in the seeds' collection (same corpus)."""
    tasks: dict[str, Task] = {}
    for q in load_gold(BLIND3_FILE, split="blind3"):
        tasks.setdefault(q.task, Task(q.task, "eval-seeds", None)).questions.append(q)
    return [tasks[name] for name in sorted(tasks)]


def thirdparty_suite(split: str = "all") -> list[Task]:
    """Questions on 24 documents nobody here wrote (man pages, FAQs, READMEs, HTML, PDF): one task per
    question type, in a collection of its own; gold sources are paths inside the documents folder."""
    tasks: dict[str, Task] = {}
    docs = THIRDPARTY_DIR / "docs"
    for q in load_gold(THIRDPARTY_DIR / "questions.jsonl", split=split):
        tasks.setdefault(q.task, Task(q.task, "eval-thirdparty", docs)).questions.append(q)
    return [tasks[name] for name in sorted(tasks)]


# -- XQuAD -----------------------------------------------------------------------------------------


def _xquad(lang: str) -> list[dict[str, Any]]:
    path = XQUAD_DIR / f"xquad.{lang}.json"
    try:
        data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from exc
    return data


def paragraph_name(lang: str, article: int, paragraph: int) -> str:
    return f"xquad-{lang}-{article:02d}-{paragraph:02d}.txt"


def materialise_xquad(root: Path) -> dict[str, Path]:
    """Write each paragraph as one document: folders ``en``, ``vi`` and ``mixed`` (both languages).

    Files are rewritten only when their text differs, so re-running ingests nothing new.
    """
    folders = {name: root / name for name in ("en", "vi", "mixed")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "vi"):
        for a, article in enumerate(_xquad(lang)):
            for p, para in enumerate(article["paragraphs"]):
                name = paragraph_name(lang, a, p)
                text = unicodedata.normalize("NFC", str(para["context"]))
                for folder in (folders[lang], folders["mixed"]):
                    target = folder / name
                    if not target.exists() or target.read_text(encoding="utf-8") != text:
                        target.write_text(text, encoding="utf-8")
    return folders


def xquad_suite(root: Path, tasks: Sequence[str] = XQUAD_TASKS, limit: int | None = None) -> list[Task]:
    """XQuAD tasks "question language - corpus language"; the mixed corpus holds both languages, and
    there both parallel paragraphs (English and Vietnamese) count as relevant."""
    unknown = set(tasks) - set(XQUAD_TASKS)
    if unknown:
        raise DatasetError(f"unknown XQuAD tasks {sorted(unknown)}; choose from {', '.join(XQUAD_TASKS)}")
    folders = materialise_xquad(root)
    per_lang: dict[str, list[tuple[str, str, tuple[str, ...], int, int]]] = {}
    for lang in ("en", "vi"):
        rows = []
        for a, article in enumerate(_xquad(lang)):
            for p, para in enumerate(article["paragraphs"]):
                for qa in para["qas"]:
                    answers = tuple(dict.fromkeys(unicodedata.normalize("NFC", x["text"]) for x in qa["answers"]))
                    rows.append((qa["id"], unicodedata.normalize("NFC", qa["question"]), answers, a, p))
        per_lang[lang] = rows[:limit] if limit else rows
    answers_by_id = {lang: {row[0]: row[2] for row in rows} for lang, rows in per_lang.items()}
    out = []
    for name in tasks:
        first, second = name.split("-")
        q_lang, corpus = (second, "mixed") if first == "mixed" else (first, second)
        doc_lang = q_lang if corpus == "mixed" else corpus
        task = Task(name, f"eval-xquad-{corpus}", folders[corpus])
        for qid, text, answers, a, p in per_lang[q_lang]:
            gold = {paragraph_name(doc_lang, a, p)}
            if corpus == "mixed":
                gold.add(paragraph_name("vi" if doc_lang == "en" else "en", a, p))
            # The reference answers are in the corpus language (the parallel question's answers).
            refs = answers if doc_lang == q_lang else answers_by_id[doc_lang].get(qid, answers)
            task.questions.append(Question(f"{name}:{qid}", text, q_lang, name, refs, frozenset(gold)))
        out.append(task)
    return out
