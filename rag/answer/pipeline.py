"""From a question to a cited answer, as a stream of events; ``ask()`` is the same stream drained.

One code path serves the web chat (which shows each event as it comes) and scripts (which want the
final answer), so streaming and non-streaming answers can never drift apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from ingest import detect_language
from ingest.cleaning import clean_text
from rag.answer.extractive import Candidate, SentenceSimilarity, candidates, choose
from rag.answer.llm_reader import LLMReader, NothingVerified
from rag.answer.prompts import condense_messages
from rag.answer.reader import Draft, ExtractiveReader, Reader, Reading, read
from rag.answer.refusal import RefusalModel, refusal_text, refuses, signals
from rag.llm import ChatModel, LLMError
from rag.types import Answer, AnswerEvent, Passage
from textproc.query_terms import QueryTerms
from textproc.terms import content_terms

ANSWER_LANGUAGES = {"en", "vi"}


@dataclass
class AnswerRequest:
    question: str
    top_k: int
    # The learned refusal and the probability of an answer below which it refuses.
    refusal: RefusalModel
    refusal_threshold: float
    # Evidence below which a question may be refused at all (see refusal.refuses; RAG_REFUSAL_EVIDENCE).
    refusal_evidence: float
    # The LLM reader (None: extractive answers only); the extractive reader's draft is shown first and
    # stays the answer when the LLM's does not hold up.
    llm: LLMReader | None = None
    llm_required: bool = False
    extractive: Reader = field(default_factory=ExtractiveReader)
    history: Sequence[dict[str, str]] = ()
    warnings: list[str] = field(default_factory=list)


Retriever = Callable[[str, int], list[Passage]]

# Passages whose sentences are scored for an answer. Retrieval ranks whole chunks, and a sentence that
# answers (or a sentence in the other language that shares the question's names and numbers) can sit
# in a chunk ranked just below top_k; the answer still hands over and cites only top_k passages.
ANSWER_POOL = 15
# Of the pool, this share is kept for the best passages in other languages than the question's (with a
# multilingual model; see FusionParams.cross_reserve): more than in result lists, because they only
# add candidate sentences here, and the one that holds the answer is often not the other language's
# best passage by rank (gold and hand-checked questions asked in Vietnamese of the English documents,
# e.g. "Ai chủ trì Hội nghị Bộ trưởng Số ASEAN lần thứ 6?": answered at 50 % of 15, refused at 30 %).
POOL_CROSS_RESERVE = 0.5


# Far above any real question (the embedding model reads ~256 tokens of it), far below what would make
# BM25, the prompt and the log slow or huge.
MAX_QUESTION_CHARS = 2000


def validate_question(question: object) -> str:
    """The question, cleaned like documents are (NFC, no control or invisible characters), or ValueError."""
    if not isinstance(question, str):
        raise ValueError("the question must be text")
    if len(question) > 10 * MAX_QUESTION_CHARS:  # do not even clean a pasted document
        raise ValueError(_too_long(len(question)))
    cleaned = clean_text(question)
    if not cleaned:
        raise ValueError("the question is empty: ask something about the documents")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise ValueError(_too_long(len(cleaned)))
    if not any(c.isalnum() for c in cleaned):
        raise ValueError("the question has no words, only punctuation or symbols: ask something about the documents")
    return cleaned


def _too_long(length: int) -> str:
    return f"the question is too long ({length} characters; at most {MAX_QUESTION_CHARS}): ask a shorter question"


def answer_events(
    request: AnswerRequest,
    retrieve: Retriever,
    idf: Callable[[str], float],
    collection_languages: set[str],
    similarity: Callable[[str], SentenceSimilarity] | None = None,
    near_spelling: Callable[[str], bool] | None = None,
) -> Iterator[AnswerEvent]:
    """``similarity``: for a multilingual embedding model, the question's cosines to sentences;
    ``near_spelling``: whether the collection has a word spelt nearly like a token (QueryTerms.of)."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    question = request.question
    language = detect_language(question)
    warnings = request.warnings
    llm = request.llm

    if llm is not None:
        try:
            llm.chat.check()
        except LLMError as exc:
            asked = "LLM mode was requested, but no" if request.llm_required else "No"
            warnings.append(f"{asked} LLM answered ({exc}); the answer is extractive.")
            llm = None

    query = question
    if request.history:
        query = _standalone(question, language, request.history, llm.chat if llm else None, warnings)

    t = time.perf_counter()
    pool = retrieve(query, max(request.top_k, ANSWER_POOL))
    timings["retrieve_ms"] = _ms(t)
    terms = QueryTerms.of(query, idf, language, near_spelling)
    sentence_similarity = similarity(query) if similarity is not None else None
    passages, ranked = _handed(pool, candidates(query, terms, pool, language, sentence_similarity), request.top_k)
    yield AnswerEvent(kind="passages", passages=passages)

    quoted = choose(ranked)  # what an extractive answer quotes; the evidence is theirs
    cosine = float(sentence_similarity([quoted[0].text])[0]) if sentence_similarity and quoted else None
    seen = signals(terms, ranked, quoted, passages, cosine)
    answerable = request.refusal.probability(seen)
    base = Answer(
        question=question, text="", passages=passages, language=language, evidence=round(answerable, 4), signals=seen
    )
    foreign = language not in ANSWER_LANGUAGES | collection_languages and language != "und"
    refused = refuses(answerable, request.refusal_threshold, seen, request.refusal_evidence)
    if not passages or refused or foreign:
        yield _final(_refused(base, llm.chat if llm else None), warnings, timings, started)
        return

    t = time.perf_counter()
    reading = Reading(query, language, passages, ranked)
    extractive = _answer(base, read(request.extractive, reading))
    timings["extract_ms"] = _ms(t)
    if llm is None:
        yield _final(extractive, warnings, timings, started)
        return
    # The quick answer, shown while the model reads; the verified LLM answer replaces it.
    yield AnswerEvent(kind="quick", answer=extractive)
    t = time.perf_counter()
    answer = None
    try:
        for item in llm.stream(reading):
            if isinstance(item, Draft):
                answer = _answer(base, item)
                warnings.extend(item.warnings)
                continue
            timings.setdefault("first_token_ms", _ms(t))
            if item:
                yield AnswerEvent(kind="delta", delta=item)
    except NothingVerified as exc:
        warnings.extend(exc.warnings)
        warnings.append("No sentence of the LLM's answer was backed by the passage it cites; the answer is extractive.")
        extractive = extractive.model_copy(update={"verification": exc.checks})  # what was checked, and why not
    except LLMError as exc:
        warnings.append(f"The LLM failed ({exc}); the answer is extractive.")
    timings["generate_ms"] = _ms(t)
    yield _final(answer or extractive, warnings, timings, started)


def _answer(base: Answer, draft: Draft) -> Answer:
    """A reader's draft as the public answer, on the retrieval's passages and evidence."""
    fields = ("text", "citations", "mode", "refused", "model", "backend", "invalid_markers", "verification")
    return base.model_copy(update={name: getattr(draft, name) for name in fields})


def _handed(pool: Sequence[Passage], ranked: Sequence[Candidate], top_k: int) -> tuple[list[Passage], list[Candidate]]:
    """The top_k passages of the pool, with those holding the quoted sentences in the last places
    when retrieval ranked them lower; and the ranked sentences of those passages, numbered anew."""
    top = list(range(min(top_k, len(pool))))
    quoted = list(dict.fromkeys(c.passage_index for c in choose(ranked)))
    kept_quoted = [i for i in top if i in quoted]
    below = [i for i in quoted if i not in top][: len(top) - len(kept_quoted)]
    if below:
        others = [i for i in top if i not in quoted][: len(top) - len(kept_quoted) - len(below)]
        top = sorted(kept_quoted + others) + below
    place = {i: n for n, i in enumerate(top)}
    passages = [pool[i] for i in top]
    kept = [replace(c, passage_index=place[c.passage_index]) for c in ranked if c.passage_index in place]
    return passages, kept


def _refused(base: Answer, llm: ChatModel | None) -> Answer:
    return base.model_copy(
        update={
            "text": refusal_text(base.language),
            "refused": True,
            "mode": "llm" if llm is not None else "extractive",
            "model": llm.name if llm is not None else None,
            "backend": llm.backend if llm is not None else None,
        }
    )


def _standalone(
    question: str, language: str, history: Sequence[dict[str, str]], llm: ChatModel | None, warnings: list[str]
) -> str:
    """A follow-up made self-contained: rewritten by the LLM, or (without one) joined to the last question."""
    if llm is not None:
        try:
            rewritten = llm.complete(condense_messages(question, language, history), max_tokens=64).strip()
            if rewritten:
                return rewritten.splitlines()[0]
        except LLMError as exc:
            warnings.append(f"Could not rewrite the follow-up question ({exc}).")
    previous = [t.get("content", "") for t in history if t.get("role") == "user"]
    if previous and len(content_terms(question)) < 3:
        return f"{previous[-1]} {question}"
    return question


def _final(answer: Answer, warnings: list[str], timings: dict[str, float], started: float) -> AnswerEvent:
    timings["total_ms"] = _ms(started)
    update = {"warnings": list(warnings), "timings": {k: round(v, 2) for k, v in timings.items()}}
    return AnswerEvent(kind="answer", answer=answer.model_copy(update=update))


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0
