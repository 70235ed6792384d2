"""Runs a suite through the public service: ``retrieve()`` for retrieval metrics, ``ask()`` for answers,
citations and refusals, exactly as users call them. One row per question and retrieval mode."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from evals import metrics as m
from evals.datasets import Question, Task
from evals.judge import judge
from ingest import detect_language
from rag.llm import LLMError
from rag.options import LLMChoice
from rag.service import RagService, bundled_corpus
from rag.settings import RetrievalMode, Settings
from rag.types import Citation, Passage
from textproc.sentences import sentence_spans

RETRIEVAL_DEPTH = 10
# A sentence counts as supported by its cited passages when half its content words are there, or when
# its embedding is this close to one of them (catches paraphrases; extractive quotes pass lexically).
EMBEDDING_SUPPORT = 0.75


@dataclass(frozen=True)
class RunConfig:
    modes: tuple[RetrievalMode, ...] = ("hybrid",)
    llm: LLMChoice = "none"
    judge: bool = False
    show_progress: bool = True


def prepare(service: RagService, tasks: Sequence[Task], show_progress: bool) -> dict[str, dict[str, Any]]:
    """Ingest every collection the tasks need (unchanged documents are skipped), holding nothing else:
    a second checkout run with the same RAG_HOME would otherwise add its copy of the same documents
    beside the first (sources are keyed by path), and every figure would shift."""
    reports = {}
    for collection, documents in {t.collection: t.documents for t in tasks}.items():
        paths = [documents] if documents is not None else None
        report = service.ingest(paths, collection=collection, show_progress=show_progress)
        if report.failed:
            raise RuntimeError(f"ingest of {collection!r} failed for {sorted(report.failed)}")
        root = (documents or bundled_corpus()).resolve()
        for info in service.sources(collection):
            if not Path(info.path).resolve().is_relative_to(root):
                service.delete_source(info.path, collection)
                report.removed.append(info.source)
        reports[collection] = report.to_dict()
    return reports


def run(settings: Settings, tasks: Sequence[Task], config: RunConfig) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    base = RagService(settings)
    prepare(base, tasks, config.show_progress)
    judge_chat = None
    if config.judge:
        judge_chat = base.llm("auto" if settings.answer.llm.backend == "none" else settings.answer.llm.backend)
        try:
            if judge_chat is None:
                raise LLMError("no LLM is configured")
            judge_chat.check()
        except LLMError as exc:
            print(f"warning: no judge metrics ({exc})", file=sys.stderr)
            judge_chat = None
    for mode in config.modes:
        service = RagService(settings.updated(retrieval_mode=mode))
        service._stores = base._stores  # share the open collections between modes
        support = _support(service)
        total = sum(len(t.questions) for t in tasks)
        with tqdm(total=total, desc=f"Evaluating ({mode})", unit="q", disable=not config.show_progress) as bar:
            for task in tasks:
                for question in task.questions:
                    row = evaluate(service, task, question, mode, config.llm, support)
                    if judge_chat is not None and not row["refused"]:
                        texts = [c["text"] for c in row.pop("_cited_texts")]
                        row["metrics"].update(
                            judge(judge_chat, question.question, row["answer"], texts, question.answers)
                        )
                    row.pop("_cited_texts", None)
                    rows.append(row)
                    bar.update(1)
    return rows


def evaluate(
    service: RagService,
    task: Task,
    q: Question,
    mode: str,
    llm: LLMChoice,
    support: m.Support,
) -> dict[str, Any]:
    # ask() first, so that its timings are those of a cold question (retrieve() then hits the
    # query-embedding cache, and its own time is not reported).
    answer = service.ask(q.question, collection=task.collection, llm=llm)
    passages = service.retrieve(q.question, top_k=RETRIEVAL_DEPTH, collection=task.collection)
    root = task.documents or bundled_corpus()
    retrieved = m.dedupe([_gold_name(p, root) for p in passages])

    scores: dict[str, float | None] = {}
    if q.answerable:
        for k in (1, 3, 5, 10):
            scores[f"hit@{k}"] = m.hit_at_k(retrieved, q.sources, k)
        scores["mrr@10"] = m.mrr_at_k(retrieved, q.sources, 10)
        scores["ndcg@10"] = m.ndcg_at_k(retrieved, q.sources, 10)
        scores["recall@5"] = m.recall_at_k(retrieved, q.sources, 5)
        scores["recall@10"] = m.recall_at_k(retrieved, q.sources, 10)
        scores["answer_contains"] = m.answer_contains(answer.text, q.answers) if q.answers else None
        scores["token_f1"] = m.token_f1(answer.text, q.answers) if q.answers else None
        scores["in_question_language"] = (
            float(detect_language(m.answer_lead(answer.text)) == q.lang)
            if not answer.refused and q.lang in ("en", "vi")
            else None
        )
        scores["baseline_first_sentence_contains"] = (
            m.answer_contains(_first_sentence(passages[0].text), q.answers) if passages and q.answers else None
        )
    cited = [_gold_name(c, root) for c in answer.citations]
    # A refused answerable question cites nothing, so its gold source counts as not cited.
    scores["gold_source_cited"] = m.gold_source_cited(cited, q.sources)
    if llm != "none":
        scores["llm_answered"] = float(answer.mode == "llm")
        scores["fell_back"] = float(answer.mode == "extractive" and any("extractive" in w for w in answer.warnings))
        checked = answer.verification
        scores["llm_sentences_verified"] = sum(c.supported for c in checked) / len(checked) if checked else None
    markers = [c.n for c in answer.citations]
    scores["citation_validity"] = m.citation_validity(markers + [0] * answer.invalid_markers, len(answer.citations))
    if answer.refused:
        scores["citation_recall"] = scores["citation_precision"] = None
    else:
        texts = [c.text for c in sorted(answer.citations, key=lambda c: c.n)]
        recall, precision = m.citation_recall_precision(m.answer_sentences(answer.text), texts, support)
        scores["citation_recall"], scores["citation_precision"] = recall, precision

    return {
        "id": q.id,
        "task": task.name,
        "mode": mode,
        "lang": q.lang,
        "question": q.question,
        "answerable": q.answerable,
        "gold_sources": sorted(q.sources),
        "references": list(q.answers),
        "retrieved": retrieved,
        "answer": answer.text,
        "answer_mode": answer.mode,
        "refused": answer.refused,
        "evidence": answer.evidence,
        "signals": answer.signals,
        "citations": [{"n": c.n, "source": c.source, "supported": c.supported} for c in answer.citations],
        "_cited_texts": [{"text": c.text} for c in answer.citations],
        "warnings": answer.warnings,
        "metrics": scores,
        "latency_ms": {
            "retrieve": round(answer.timings.get("retrieve_ms", 0.0), 2),
            "generate": round(answer.timings.get("generate_ms", 0.0), 2),
            "ask": round(answer.timings.get("total_ms", 0.0), 2),
            "first_token": round(answer.timings.get("first_token_ms", 0.0), 2),
        },
        "model": answer.model,
        "verification": [{**c.model_dump(), "passage": c.checked_against} for c in answer.verification],
    }


def _gold_name(passage: Passage | Citation, root: Path) -> str:
    """A passage's document as the gold files name it: its path inside the task's documents folder."""
    try:
        return Path(passage.path).relative_to(root.resolve()).as_posix()
    except ValueError:
        try:
            return Path(passage.path).relative_to(root).as_posix()
        except ValueError:
            return passage.source


def _first_sentence(text: str) -> str:
    spans = sentence_spans(text)
    return text[spans[0][0] : spans[0][1]] if spans else text


def _support(service: RagService) -> m.Support:
    embedder = service.embedder

    @lru_cache(maxsize=4096)
    def vector(text: str) -> np.ndarray:
        return embedder.embed_query(text)

    def supports(sentence: str, passages: Sequence[str]) -> bool:
        if m.lexical_support(sentence, passages):
            return True
        if not passages:
            return False
        s = vector(sentence)
        return max(float(np.dot(s, vector(p))) for p in passages) >= EMBEDDING_SUPPORT

    return supports
