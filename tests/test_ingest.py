"""Ingest with real embeddings and real embedded Chroma: incremental runs by content hash, pruning,
problem files, metadata, language detection, chunk offsets, and recovery from an interrupted update."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from chromadb import Metadata, Where
from conftest import make_settings

from ingest import detect_language
from ingest.cleaning import clean_text
from ingest.loaders import load_text
from rag.service import RagService
from vectorstore import ChunkRecord, ChunkStore
from vectorstore.chroma import get_collection

ALPHA = "Alpha field notes\n\nThe alpaca herd grazes in the Andes mountains every summer.\n"
BRAVO = "# Bravo log\n\nThe lighthouse keeper on the rocky island logs every passing ship.\n"
CHARLIE = (
    "<html><head><style>.q { color: fuchsia }</style>"
    "<script>var hidden = 'zebracode';</script></head>"
    "<body><h1>Charlie page</h1><p>Charlie describes the old windmill beside the canal.</p>"
    "<script>document.write('quokkascript')</script><noscript>platypusnoscript</noscript></body></html>"
)
VIETNAMESE = (
    "Hội nghị Bộ trưởng Số ASEAN\n\n"
    "Các bộ trưởng phụ trách kỹ thuật số của ASEAN đã nhóm họp tại Hà Nội để bàn về chuyển đổi số, "
    "trí tuệ nhân tạo và hợp tác khu vực trong những năm tới."
)


def _long_text(topic: str, paragraphs: int) -> str:
    """Enough sentences for several chunks; every sentence names the topic and its position."""
    body = "\n\n".join(
        " ".join(f"The {topic} report, part {p} line {i}, records fact {p * 100 + i} about {topic}." for i in range(12))
        for p in range(paragraphs)
    )
    return f"{topic.title()} report\n\n{body}\n"


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def _key(store: ChunkStore, name: str) -> str:
    """The store's key (the file's absolute path) of the one source whose path ends with ``name``."""
    (key,) = [k for k in store.source_states() if k.endswith("/" + name)] or [name]
    return key


def _stored(store: ChunkStore, source: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(id, metadata) of what Chroma itself holds, optionally for one source (by its file name)."""
    collection = get_collection(store.client, store.name, create=False)
    assert collection is not None
    where: Where | None = {"source": _key(store, source)} if source else None
    got = collection.get(where=where, include=["metadatas"])
    return sorted(zip(got["ids"], [dict(m) for m in got["metadatas"] or []], strict=True))


def _ids(store: ChunkStore, source: str | None = None) -> list[str]:
    return [cid for cid, _ in _stored(store, source)]


def _records(store: ChunkStore, source: str) -> list[tuple[str, str, int, int]]:
    return sorted((r.chunk_id, r.text, r.start, r.end) for r in store.get_chunks(_ids(store, source)))


def _assert_lexical_in_step(store: ChunkStore) -> None:
    index = store.lexical_index()
    assert index is not None
    assert sorted(index.chunk_ids) == _ids(store)


def _minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with Helvetica text, written by hand with a correct cross-reference table."""
    stream = ("BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET").encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# -- incremental ingest -----------------------------------------------------------------------


def test_first_run_adds_every_file_and_second_run_skips_them_all(fresh_service: RagService, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": ALPHA, "b.md": BRAVO, "c.html": CHARLIE})

    first = fresh_service.ingest([docs])

    assert sorted(first.added) == ["a.txt", "b.md", "c.html"]
    assert first.updated == first.skipped == first.removed == []
    assert first.failed == {} and first.ok
    store = fresh_service.store()
    states = store.source_states()
    assert sorted(states) == [(docs / name).as_posix() for name in ("a.txt", "b.md", "c.html")]
    assert first.chunks == sum(s.n_chunks for s in states.values()) == store.count() >= 3
    assert all(s.complete for s in states.values())
    _assert_lexical_in_step(store)
    revision, ids = store.revision(), _ids(store)

    second = fresh_service.ingest([docs])

    assert sorted(second.skipped) == ["a.txt", "b.md", "c.html"]
    assert second.added == second.updated == second.removed == []
    assert second.chunks == 0
    assert store.revision() == revision  # nothing was published again
    assert _ids(store) == ids


def test_changed_file_alone_is_updated_and_matches_a_clean_ingest(fresh_service: RagService, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": _long_text("alpaca", 4), "b.txt": BRAVO})
    fresh_service.ingest([docs])
    store = fresh_service.store()
    old_ids = _ids(store, "a.txt")
    bravo_ids = _ids(store, "b.txt")
    assert len(old_ids) >= 3

    _write(docs, {"a.txt": _long_text("walrus", 2)})
    report = fresh_service.ingest([docs])

    assert report.updated == ["a.txt"]
    assert report.skipped == ["b.txt"]
    assert report.added == [] and report.removed == []
    new_ids = _ids(store, "a.txt")
    assert not set(old_ids) & set(new_ids)
    assert store.get_chunks(old_ids) == []  # every chunk of the old version is gone
    assert report.chunks == len(new_ids)
    assert _ids(store, "b.txt") == bravo_ids
    texts = " ".join(r.text for r in store.get_chunks(new_ids))
    assert "walrus" in texts and "alpaca" not in texts
    _assert_lexical_in_step(store)
    assert fresh_service.retrieve("alpaca", mode="bm25") == []

    clean = RagService(make_settings(tmp_path / "clean-home"))
    clean.ingest([docs])
    clean_store = clean.store()
    assert _records(store, "a.txt") == _records(clean_store, "a.txt")
    state = store.source_states()[_key(store, "a.txt")]
    assert state.n_chunks == state.stored_chunks == clean_store.source_states()[_key(store, "a.txt")].n_chunks
    assert state.stale_ids == []


def test_deleted_file_stays_without_prune_and_goes_with_it(fresh_service: RagService, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": ALPHA, "b.md": BRAVO})
    fresh_service.ingest([docs])
    store = fresh_service.store()
    (docs / "b.md").unlink()

    kept = fresh_service.ingest([docs])

    assert kept.removed == []
    assert kept.skipped == ["a.txt"]
    assert [s.source for s in fresh_service.sources()] == ["a.txt", "b.md"]
    assert _ids(store, "b.md")

    pruned = fresh_service.ingest([docs], prune=True)

    assert pruned.removed == ["b.md"]
    assert pruned.skipped == ["a.txt"]
    assert [s.source for s in fresh_service.sources()] == ["a.txt"]
    assert _ids(store, "b.md") == []
    _assert_lexical_in_step(store)
    assert fresh_service.retrieve("lighthouse keeper", sources=["b.md"]) == []
    assert {p.source for p in fresh_service.retrieve("lighthouse keeper")} == {"a.txt"}


def test_a_moved_folder_keeps_its_vectors_and_answers_from_its_new_place(
    fresh_service: RagService, tmp_path: Path
) -> None:
    old = _write(tmp_path / "old" / "docs", {"a.txt": ALPHA, "b.md": BRAVO})
    fresh_service.ingest([old])
    store = fresh_service.store()
    before = {name: _records(store, name) for name in ("a.txt", "b.md")}
    new = tmp_path / "new" / "docs"
    new.parent.mkdir()
    old.rename(new)

    moved = fresh_service.ingest([new])

    assert moved.added == [] and moved.chunks == 0  # nothing embedded again
    assert sorted(moved.skipped) == ["a.txt", "b.md"]
    assert [Path(s.path).parent for s in fresh_service.sources()] == [new.resolve()] * 2
    assert {name: _records(store, name) for name in ("a.txt", "b.md")} == before
    _assert_lexical_in_step(store)
    (hit,) = {p.source for p in fresh_service.retrieve("lighthouse keeper", top_k=1)}
    assert hit == "b.md" and fresh_service.retrieve("lighthouse keeper", sources=["b.md"])


def test_prune_keeps_a_file_that_still_exists_but_now_fails(fresh_service: RagService, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": ALPHA, "b.txt": BRAVO})
    fresh_service.ingest([docs])
    _write(docs, {"b.txt": "caf\xe9 cr\xe8me".encode("latin-1")})

    report = fresh_service.ingest([docs], prune=True)

    assert "b.txt" in report.failed
    assert report.removed == []
    assert [s.source for s in fresh_service.sources()] == ["a.txt", "b.txt"]


def test_sources_are_named_by_their_path_inside_the_folder(fresh_service: RagService, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": ALPHA, "sub/deeper/b.md": BRAVO, ".hidden.txt": "secret notes"})

    report = fresh_service.ingest([docs])

    assert sorted(report.added) == ["a.txt", "sub/deeper/b.md"]
    assert report.failed == {}


def test_same_name_from_two_folders_coexists_and_is_cited_apart(fresh_service: RagService, tmp_path: Path) -> None:
    one = _write(tmp_path / "one", {"README.txt": ALPHA})
    two = _write(tmp_path / "two", {"README.txt": BRAVO})

    report = fresh_service.ingest([one, two])

    assert report.added == ["README.txt", "README.txt"] and report.failed == {}
    assert [(s.source, s.path) for s in fresh_service.sources()] == [
        ("one/README.txt", (one / "README.txt").as_posix()),
        ("two/README.txt", (two / "README.txt").as_posix()),
    ]
    # Two one-line documents are weak evidence for the refusal threshold; citing is what is tested here.
    answering = RagService(make_settings(fresh_service.settings.home, refusal_threshold=0.0))
    alpaca = answering.ask("Where does the alpaca herd graze?", llm="none")
    keeper = answering.ask("Who logs every passing ship?", llm="none")
    assert [c.source for c in alpaca.citations] == ["one/README.txt"] and "Andes" in alpaca.text
    assert [c.source for c in keeper.citations] == ["two/README.txt"] and "lighthouse keeper" in keeper.text
    assert {p.source for p in fresh_service.retrieve("passing ship", sources=["two/README.txt"])} == {"two/README.txt"}

    # Changing one re-embeds it alone; deleting the other and pruning removes it alone.
    _write(one, {"README.txt": ALPHA.replace("Andes", "Alps")})
    (two / "README.txt").unlink()
    again = fresh_service.ingest([one, two], prune=True)
    assert again.updated == ["README.txt"] and again.removed == ["two/README.txt"]
    assert [s.source for s in fresh_service.sources()] == ["README.txt"]


def test_a_store_keyed_by_file_names_is_rekeyed_by_path_without_re_embedding(
    fresh_service: RagService, tmp_path: Path
) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": ALPHA, "b.md": BRAVO})
    fresh_service.ingest([docs])
    store = fresh_service.store()
    collection = get_collection(store.client, store.name, create=False)
    assert collection is not None
    # As an older version stored them: keyed by the name inside the folder.
    got = collection.get(include=["metadatas"])
    legacy: list[Metadata] = [{**dict(m), "source": Path(str(m["source"])).name} for m in got["metadatas"] or []]
    collection.update(ids=got["ids"], metadatas=legacy)
    store.commit()
    assert sorted(store.source_states()) == ["a.txt", "b.md"]
    assert [p.source for p in fresh_service.retrieve("alpaca herd", top_k=1)] == ["a.txt"]  # still answers

    report = fresh_service.ingest([docs])

    assert sorted(report.skipped) == ["a.txt", "b.md"] and report.chunks == 0
    assert sorted(store.source_states()) == [(docs / "a.txt").as_posix(), (docs / "b.md").as_posix()]
    assert sorted(_ids(store)) == sorted(got["ids"])  # the same chunks, not embedded again
    _assert_lexical_in_step(store)
    assert [p.path for p in fresh_service.retrieve("alpaca herd", top_k=1)] == [(docs / "a.txt").as_posix()]


# -- problem files ------------------------------------------------------------------------------


def test_problem_files_are_reported_with_reasons_and_the_rest_is_ingested(
    fresh_service: RagService, tmp_path: Path
) -> None:
    docs = _write(
        tmp_path / "docs",
        {
            "good.txt": ALPHA,
            "utf16.txt": ("Utf sixteen notes\n\nThe narwhal tusk is a long tooth.").encode("utf-16"),
            "notes.xyz": "not a supported format",
            "no_suffix": "no extension at all",
            "empty.txt": "  \n\n\t \ufeff\u200b \n",
            "latin1.txt": "caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1"),
            "binary.txt": b"abc\x00\x01\x02def",
            "broken.pdf": b"%PDF-1.4 this is not really a pdf",
        },
    )

    report = fresh_service.ingest([docs])

    assert sorted(report.added) == ["good.txt", "utf16.txt"]
    assert not report.ok
    failed = report.failed
    assert sorted(failed) == ["binary.txt", "broken.pdf", "empty.txt", "latin1.txt", "no_suffix", "notes.xyz"]
    assert "unsupported file type .xyz" in failed["notes.xyz"]
    assert "unsupported file type" in failed["no_suffix"]
    assert "empty document" in failed["empty.txt"]
    assert "not valid UTF-8" in failed["latin1.txt"]
    assert "binary" in failed["binary.txt"]
    assert "PDF" in failed["broken.pdf"]
    assert [s.source for s in fresh_service.sources()] == ["good.txt", "utf16.txt"]
    assert "narwhal" in " ".join(r.text for r in fresh_service.store().get_chunks(_ids(fresh_service.store())))


def test_oversize_file_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    service = RagService(make_settings(tmp_path / "home", max_file_mb=0.0001))  # 100 bytes
    docs = _write(tmp_path / "docs", {"small.txt": "Tiny note about owls.", "big.txt": _long_text("heron", 1)})

    report = service.ingest([docs])

    assert report.added == ["small.txt"]
    assert list(report.failed) == ["big.txt"]
    assert "limit" in report.failed["big.txt"] and "RAG_MAX_FILE_MB" in report.failed["big.txt"]
    assert [s.source for s in service.sources()] == ["small.txt"]


def test_missing_path_is_reported(fresh_service: RagService, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    report = fresh_service.ingest([missing])

    assert report.failed == {str(missing): "no such file or folder"}
    assert report.added == [] and report.chunks == 0


def test_pdf_text_is_extracted_and_ingested(fresh_service: RagService, tmp_path: Path) -> None:
    lines = ["Delta harbour report", "The harbour cranes lift containers at night."]
    docs = _write(tmp_path / "docs", {"d.pdf": _minimal_pdf(lines), "blank.pdf": _minimal_pdf([])})
    assert load_text(docs / "d.pdf") == "\n".join(lines)  # pypdf reads the hand-made file

    report = fresh_service.ingest([docs])

    assert report.added == ["d.pdf"]
    assert "no extractable text" in report.failed["blank.pdf"]
    (info,) = fresh_service.sources()
    assert (info.source, info.title, info.language) == ("d.pdf", "Delta harbour report", "en")
    (top,) = fresh_service.retrieve("harbour cranes containers", top_k=1)
    assert top.source == "d.pdf" and "cranes lift containers" in top.text


# -- metadata, titles, languages --------------------------------------------------------------


def test_metadata_json_titles_and_languages_are_used(fresh_service: RagService, tmp_path: Path) -> None:
    meta = {
        "_about": "free text is ignored",
        "a.txt": {"title": "Custom Alpha Title", "language": "vi", "outlet": "Daily Alpaca", "date": "2026-01-02"},
    }
    docs = _write(tmp_path / "docs", {"a.txt": ALPHA, "b.md": BRAVO, "metadata.json": json.dumps(meta)})

    report = fresh_service.ingest([docs])

    assert sorted(report.added) == ["a.txt", "b.md"]  # metadata.json is not a document
    assert report.failed == {}
    a, b = fresh_service.sources()
    assert (a.source, a.title, a.language, a.outlet, a.date) == (
        "a.txt",
        "Custom Alpha Title",
        "vi",  # metadata wins over detection (the text is English)
        "Daily Alpaca",
        "2026-01-02",
    )
    assert (b.source, b.language, b.outlet, b.date) == ("b.md", "en", None, None)
    assert b.title.lstrip("# ") == "Bravo log"  # the first line (with or without its Markdown "#")
    # The metadata language reaches the stored chunks, so language filters use it.
    assert {p.source for p in fresh_service.retrieve("alpaca herd", languages=["vi"])} == {"a.txt"}


@pytest.mark.parametrize("metadata", [None, "{ this is not json", "[1, 2, 3]"])
def test_folder_without_usable_metadata_uses_first_line_and_detected_language(
    fresh_service: RagService, tmp_path: Path, metadata: str | None
) -> None:
    files: dict[str, str | bytes] = {"en.txt": "\n\n   \n" + ALPHA, "vi.txt": VIETNAMESE}
    if metadata is not None:
        files["metadata.json"] = metadata
    docs = _write(tmp_path / "docs", files)

    report = fresh_service.ingest([docs])

    assert sorted(report.added) == ["en.txt", "vi.txt"]
    infos = {i.source: i for i in fresh_service.sources()}
    assert (infos["en.txt"].title, infos["en.txt"].language) == ("Alpha field notes", "en")
    assert (infos["vi.txt"].title, infos["vi.txt"].language) == ("Hội nghị Bộ trưởng Số ASEAN", "vi")
    assert infos["en.txt"].outlet is None


def test_language_detection_agrees_with_the_bundled_metadata(corpus_dir: Path) -> None:
    meta = json.loads((corpus_dir / "metadata.json").read_text(encoding="utf-8"))
    files = sorted(corpus_dir.glob("*.txt"))
    assert len(files) == 5
    for path in files:
        assert detect_language(clean_text(load_text(path))) == meta[path.name]["language"], path.name


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Các bộ trưởng đã nhóm họp tại Hà Nội.", "vi"),
        ("The ministers met in Hanoi to discuss digital trade.", "en"),
        ("12345 !!!", "und"),
        ("Who sang the national anthem?", "en"),  # "sang ..." reads as Tagalog nearly as well
        ("When was Marconi's radio demonstration?", "en"),
        ("Qui a présidé la réunion des ministres?", "fr"),
        ("Wer hat das Treffen geleitet?", "de"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_html_script_style_and_noscript_are_not_ingested(fresh_service: RagService, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"c.html": CHARLIE})

    fresh_service.ingest([docs])

    store = fresh_service.store()
    text = " ".join(r.text for r in store.get_chunks(_ids(store)))
    assert "windmill beside the canal" in text
    assert "Charlie page" in text
    for hidden in ("zebracode", "quokkascript", "platypusnoscript", "fuchsia", "document.write"):
        assert hidden not in text
        assert fresh_service.retrieve(hidden, mode="bm25") == []
    assert fresh_service.sources()[0].title == "Charlie page"


# -- chunk offsets ------------------------------------------------------------------------------


def test_chunk_offsets_point_into_the_cleaned_source_text(corpus_service: RagService, corpus_dir: Path) -> None:
    store = corpus_service.store()
    states = store.source_states()
    assert len(states) == 5
    records: dict[str, list[ChunkRecord]] = {}
    for record in store.get_chunks(_ids(store)):
        records.setdefault(record.source, []).append(record)
    assert sorted(records) == sorted(states)

    for source, chunks in records.items():
        text = clean_text(load_text(corpus_dir / source))
        state = states[source]
        assert state.complete
        assert sorted(c.chunk_index for c in chunks) == list(range(state.n_chunks))
        covered = [False] * len(text)
        for chunk in chunks:
            assert text[chunk.start : chunk.end] == chunk.text, (source, chunk.chunk_index)
            assert chunk.n_chunks == state.n_chunks
            covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
        lost = "".join(ch for ch, seen in zip(text, covered, strict=True) if not seen and not ch.isspace())
        assert lost == "", f"{source}: text in no chunk: {lost[:80]!r}"
        # Chunks fit what the embedding model reads.
        assert (
            max(len(corpus_service.embedder.tokenize(c.text)) for c in chunks)
            <= corpus_service.settings.ingest.chunk_size
        )


def test_retrieved_passage_offsets_point_into_the_source(corpus_service: RagService, corpus_dir: Path) -> None:
    for question in ("Hanoi Declaration on digital cooperation", "Bà Lê Thị Việt Lâm"):
        for passage in corpus_service.retrieve(question, top_k=10):
            text = clean_text(load_text(corpus_dir / passage.source))
            assert text[passage.start : passage.end] == passage.text


# -- an ingest killed between writing a new version and deleting the old one -------------------


@pytest.mark.parametrize("written", ["all", "some"], ids=["new-version-complete", "new-version-partial"])
def test_interrupted_update_converges_to_exactly_one_version(
    fresh_service: RagService, tmp_path: Path, written: str
) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": _long_text("alpaca", 4), "b.txt": BRAVO})
    fresh_service.ingest([docs])
    store = fresh_service.store()
    old_ids = _ids(store, "a.txt")

    # The file changes; the new version's chunks (as a clean ingest makes them) reach Chroma, but the
    # process dies before the old version is deleted.
    _write(docs, {"a.txt": _long_text("walrus", 2)})
    clean = RagService(make_settings(tmp_path / "clean-home"))
    clean.ingest([docs / "a.txt"])
    new = clean.store().get_chunks_with_vectors(_ids(clean.store(), "a.txt"))
    new_ids = sorted(r.chunk_id for r, _ in new)
    assert len(new_ids) >= 2 and not set(new_ids) & set(old_ids)
    if written == "some":
        new = new[:1]
    collection = get_collection(store.client, store.name, create=True)
    assert collection is not None
    collection.upsert(
        ids=[r.chunk_id for r, _ in new],
        embeddings=[v.tolist() for _, v in new],
        documents=[r.text for r, _ in new],
        metadatas=[{**r.metadata(), "written_at": time.time()} for r, _ in new],
    )
    assert sorted(store.source_states()[_key(store, "a.txt")].stale_ids) == old_ids  # both versions are stored

    report = fresh_service.ingest([docs])

    if written == "all":
        assert report.skipped == ["a.txt", "b.txt"] and report.chunks == 0
    else:
        assert report.updated == ["a.txt"] and report.chunks == len(new_ids)
    stored = _stored(store, "a.txt")
    assert [cid for cid, _ in stored] == new_ids
    assert len({meta["content_hash"] for _, meta in stored}) == 1
    state = store.source_states()[_key(store, "a.txt")]
    assert state.complete and state.stored_chunks == len(new_ids)
    assert _records(store, "a.txt") == _records(clean.store(), "a.txt")
    _assert_lexical_in_step(store)
    assert fresh_service.retrieve("alpaca", mode="bm25") == []

    again = fresh_service.ingest([docs])
    assert sorted(again.skipped) == ["a.txt", "b.txt"] and again.chunks == 0


def test_leftover_records_of_an_unknown_version_are_replaced(fresh_service: RagService, tmp_path: Path) -> None:
    """Records of another version, newer than what is stored, while the file on disk did not change."""
    docs = _write(tmp_path / "docs", {"a.txt": _long_text("alpaca", 3)})
    fresh_service.ingest([docs])
    store = fresh_service.store()
    good = _records(store, "a.txt")
    (_record, vector), *_ = store.get_chunks_with_vectors(_ids(store, "a.txt"))
    ghost = ChunkRecord(
        chunk_id="a.txt#ffffffffffff:0",
        source=_key(store, "a.txt"),
        text="ghost text from a version that never finished",
        start=0,
        end=46,
        chunk_index=0,
        n_chunks=4,
        content_hash="f" * 64,
        language="en",
        title="Ghost",
    )
    collection = get_collection(store.client, store.name, create=True)
    assert collection is not None
    collection.upsert(
        ids=[ghost.chunk_id],
        embeddings=[vector.tolist()],
        documents=[ghost.text],
        metadatas=[{**ghost.metadata(), "written_at": time.time() + 60}],
    )

    report = fresh_service.ingest([docs])

    assert report.updated == ["a.txt"]
    assert _records(store, "a.txt") == good
    assert fresh_service.sources()[0].title == "Alpaca report"
    _assert_lexical_in_step(store)


@pytest.mark.parametrize(
    "sentences",
    [
        ["The ministry amends the Government's Decree No. 76/2018/ND-CP on transfer.", "It asked for feedback."],
        ["Article 3 of Resolution No. 57-NQ/TW defines funds.", "See Fig. 2 for details."],
        ["Hội thảo tại TP. Hồ Chí Minh do PGS.TS. Nguyễn Văn An chủ trì.", "Bà Lâm cho biết thêm."],
    ],
)
def test_abbreviations_before_numbers_and_names_do_not_end_sentences(sentences: list[str]) -> None:
    from textproc.sentences import sentence_spans

    text = " ".join(sentences)
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


def test_chunks_stored_with_older_sentence_boundaries_are_split_anew_when_read() -> None:
    from vectorstore.records import SENTENCES_KEY

    text = "Decree No. 76/2018/ND-CP was amended. It took effect."
    record = ChunkRecord("c", "d.txt", text, 0, len(text), 0, 1, "h", "en", sentences=((0, 10), (11, 37), (38, 53)))
    meta = record.metadata()
    assert SENTENCES_KEY in meta and "sentences" not in meta
    old = {k: v for k, v in meta.items() if k != SENTENCES_KEY} | {"sentences": "0-10,11-37,38-53"}
    assert ChunkRecord.from_stored("c", text, old).sentences is None  # the reader splits it with today's splitter
    assert ChunkRecord.from_stored("c", text, meta).sentences == ((0, 10), (11, 37), (38, 53))
