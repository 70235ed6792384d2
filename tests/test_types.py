"""The stored chunk apart from its score, and citations that hold a passage but serialise flat."""

from __future__ import annotations

import json

from rag.types import Answer, Chunk, Citation, Passage, ScoredChunk

PASSAGE = Passage(
    source="a.txt", chunk_id="a#0", text="Hanoi hosted it.", score=0.5, start=0, end=16, language="en", rank=1
)


def test_a_passage_is_a_scored_chunk_and_a_chunk_has_no_score() -> None:
    assert ScoredChunk is Passage and isinstance(PASSAGE, Chunk)
    assert "score" not in Chunk.model_fields and "score" in Passage.model_fields


def test_a_citation_holds_its_passage_and_reads_through_to_it() -> None:
    citation = Citation(n=2, passage=PASSAGE, highlights=[(0, 5)])
    assert citation.passage is PASSAGE
    assert (citation.source, citation.text, citation.score, citation.rank) == ("a.txt", "Hanoi hosted it.", 0.5, 1)
    assert citation.sentence_spans() == PASSAGE.sentence_spans()


def test_citations_serialise_flat_as_before_and_read_back() -> None:
    answer = Answer(question="Where?", text="Hanoi hosted it. [1]", citations=[Citation(n=1, passage=PASSAGE)])
    data = json.loads(answer.model_dump_json())
    flat = data["citations"][0]
    assert "passage" not in flat and flat["source"] == "a.txt" and flat["n"] == 1 and flat["score"] == 0.5
    assert Answer.model_validate(data).citations[0].passage == PASSAGE
