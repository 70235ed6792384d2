"""Crash-safe ingest: `rag ingest` killed with SIGKILL at random points of a 200-file folder, then
rerun, ends with each file stored exactly once, as a clean ingest stores it, and BM25 in step with
Chroma. Questions keep being answered while an ingest runs.

The kills are real (``kill -9`` of a real ``rag ingest`` process). Where they land is random (seeded):
each one waits for the first batch of chunks to be written, then a random extra delay, so it falls
between batch writes, inside a batch's embedding, or during the final commit. Each kill round prints
what it left behind (``-s`` shows it), which the README's figures come from.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import DEAD_OLLAMA, NO_LOCAL_MODEL, make_settings

from rag.service import RagService, bundled_corpus
from vectorstore import ChunkStore, open_store

N_FILES = 200
WORDS = "river mountain harbour lantern orchard meadow glacier canyon market bridge festival temple island forest"
# Small chunks (some files make two) and an embedding bill that fits a CI run. The killed processes
# also embed in small batches, so that they write every 64 chunks (several write points per run);
# the batch size is no part of a file's version, so in-process runs keep the default and share the model.
CHUNKING = {"chunk_size": 32, "chunk_overlap": 0}
CRASH_SETTINGS = {**CHUNKING, "embed_batch_size": 4}


def _write_corpus(folder: Path, seed: int, names: range = range(N_FILES)) -> None:
    rng = random.Random(seed)
    words = WORDS.split()
    folder.mkdir(parents=True, exist_ok=True)
    for i in names:
        sentences = rng.choice([1, 1, 1, 3])
        body = " ".join(
            f"The {rng.choice(words)} {i} holds {rng.randint(1, 9999)} {rng.choice(words)}s." for _ in range(sentences)
        )
        (folder / f"doc{i:03d}.txt").write_text(f"Document {i} v{seed}\n\n{body}\n", encoding="utf-8")


def _env(home: Path, settings: dict[str, int] = CRASH_SETTINGS) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update({f"RAG_{k.upper()}": str(v) for k, v in settings.items()})
    env.update(
        {"RAG_HOME": str(home), "OLLAMA_HOST": DEAD_OLLAMA, "HF_HUB_OFFLINE": "1", "RAG_LLM_MODEL": NO_LOCAL_MODEL}
    )
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    return env


def _kill_mid_ingest(home: Path, docs: Path, rng: random.Random) -> dict[str, object]:
    """Start `rag ingest`, wait for its first written batch, wait a random while more, SIGKILL it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(docs)],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    first_batch = threading.Event()
    output: list[bytes] = []

    def watch() -> None:
        assert proc.stderr is not None
        seen = b""
        while chunk := proc.stderr.read1(4096):  # type: ignore[attr-defined]
            output.append(chunk)
            seen = (seen + chunk)[-400:]
            # tqdm's embedding bar moves only after a batch has been written to the store
            if b"Embedding:" in seen and b"| 0/" not in seen.split(b"Embedding:")[-1]:
                first_batch.set()
        first_batch.set()  # the process ended (a fast machine may finish before any kill): stop waiting

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    # Generous: on a loaded CI machine the model load alone can take a minute or more.
    if not first_batch.wait(480):
        proc.kill()
        proc.wait(60)
        tail = b"".join(output)[-1500:].decode("utf-8", "replace")
        raise AssertionError(f"rag ingest wrote nothing in 480 s (exit code {proc.returncode}); stderr tail:\n{tail}")
    delay = rng.uniform(0.0, 0.3)
    time.sleep(delay)
    alive = proc.poll() is None
    started = time.perf_counter()
    proc.send_signal(signal.SIGKILL)
    proc.wait(60)
    watcher.join(10)
    return {
        "delay_s": round(delay, 2),
        "killed": alive,
        "returncode": proc.returncode,
        "reap_ms": round((time.perf_counter() - started) * 1000, 1),
    }


_INSPECT = """
import json, sys
from pathlib import Path
from vectorstore import open_store
store = open_store(Path(sys.argv[1]), "default")
states = store.source_states()
print(json.dumps({
    "chunks": store.count(),
    "complete_files": sum(s.complete for s in states.values()),
    "partial_files": sum(not s.complete for s in states.values()),
    "pending": store.pending,
}))
"""


def _inspect(home: Path) -> dict[str, object]:
    """What a kill left behind, read by a process of its own (the store opens after the crash)."""
    done = subprocess.run(
        [sys.executable, "-c", _INSPECT, str(home)], env=_env(home), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _snapshot(store: ChunkStore) -> dict[str, list[tuple[str, str, int, int, int]]]:
    """Per source: (chunk id, text, start, end, index) of every stored chunk."""
    out: dict[str, list[tuple[str, str, int, int, int]]] = {}
    for r in store.get_chunks(store.chunk_ids()):
        out.setdefault(r.source, []).append((r.chunk_id, r.text, r.start, r.end, r.chunk_index))
    return {k: sorted(v) for k, v in out.items()}


@pytest.mark.timeout(1500)  # three kills and reruns of a real `rag ingest`; slow on a loaded machine
def test_ingest_killed_at_random_points_converges_to_a_clean_ingest(tmp_path: Path) -> None:
    rng = random.Random(20260115)
    docs, home = tmp_path / "docs", tmp_path / "home"
    _write_corpus(docs, seed=1)
    rounds: list[dict[str, object]] = []

    # Two kills of the first ingest (the second run resumes the first), then, after 40 files change,
    # one kill of the update, which leaves old and new versions side by side.
    for label in ("first ingest", "resumed ingest"):
        kill = _kill_mid_ingest(home, docs, rng)
        rounds.append({"round": label, **kill, **_inspect(home)})
    _write_corpus(docs, seed=2, names=range(0, N_FILES, 5))
    kill = _kill_mid_ingest(home, docs, rng)
    rounds.append({"round": "update of 40 files", **kill, **_inspect(home)})
    for r in rounds:
        print("crash round:", json.dumps(r))
    # Every round was killed mid-ingest, or (on a fast machine) finished before its kill; at least one
    # kill must have landed for the test to mean anything.
    assert all(r["returncode"] in (-signal.SIGKILL, 0) for r in rounds), rounds
    assert any(r["killed"] and r["returncode"] == -signal.SIGKILL for r in rounds), rounds

    service = RagService(make_settings(home, **CHUNKING))
    report = service.ingest([docs])
    print("rerun:", report.summary())
    assert report.ok and report.removed == []
    assert len(report.added) + len(report.updated) + len(report.skipped) == N_FILES

    clean = RagService(make_settings(tmp_path / "clean", **CHUNKING))
    clean.ingest([docs])
    got, want = _snapshot(service.store()), _snapshot(clean.store())
    assert sorted(got) == sorted(want) == [(docs / f"doc{i:03d}.txt").as_posix() for i in range(N_FILES)]  # each once
    assert got == want  # the same chunks, ids, texts and offsets as a clean ingest: no orphans, no repeats

    store = service.store()
    states = store.source_states()
    assert all(s.complete for s in states.values())
    assert store.count() == sum(s.n_chunks for s in states.values())
    assert not store.pending
    index = store.lexical_index()
    assert index is not None and sorted(index.chunk_ids) == sorted(i for v in got.values() for i, *_ in v)
    # What another process loads from disk agrees too.
    reopened = open_store(home, "default")
    assert reopened.lexical_index() is not None
    assert sorted(reopened.lexical_index().chunk_ids) == sorted(index.chunk_ids)  # type: ignore[union-attr]
    (top,) = service.retrieve("Document 7 v1", top_k=1, mode="bm25")
    assert top.source == "doc007.txt"


def test_writes_without_a_commit_are_published_by_the_next_ingest(fresh_service: RagService, tmp_path: Path) -> None:
    """A kill after the last write but before the commit: every file is complete, yet unpublished."""
    docs = tmp_path / "docs"
    _write_corpus(docs, seed=1, names=range(3))
    fresh_service.ingest([docs])
    store = fresh_service.store()
    before = store.lexical_index()
    assert before is not None and not store.pending

    # What the killed run wrote: a new file's chunks, stored with no commit after them.
    _write_corpus(docs, seed=9, names=range(3, 4))
    other = RagService(make_settings(tmp_path / "other"))
    other.ingest([docs / "doc003.txt"])
    written = other.store().get_chunks_with_vectors(other.store().chunk_ids())
    records = [r for r, _ in written]
    store.replace_source(records, np.stack([v for _, v in written]))

    assert store.pending
    # Readers meanwhile search what Chroma holds now, not the stale published index.
    index = store.lexical_index()
    assert index is not None and len(index) == store.count() == len(before) + len(records)
    report = fresh_service.ingest([docs])

    assert sorted(report.skipped) == [f"doc{i:03d}.txt" for i in range(4)]  # nothing left to embed...
    assert not store.pending  # ...yet the writes were published
    reopened = open_store(fresh_service.settings.home, "default")
    assert reopened.revision() == store.revision()
    loaded = reopened.lexical_index()
    assert loaded is not None and sorted(loaded.chunk_ids) == sorted(index.chunk_ids)


QUESTION = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
CHAIR = "001_c991d5dd9dcdba35.txt"


@pytest.fixture(scope="module")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home of this module's own holding one bundled document: the tests below add files to it."""
    home = tmp_path_factory.mktemp("concurrent-home")
    report = RagService(make_settings(home)).ingest([bundled_corpus() / CHAIR])
    assert report.added == [CHAIR]
    return home


def _assert_answers_the_chair_question(service: RagService) -> None:
    answer = service.ask(QUESTION, llm="none")
    assert not answer.refused and "Nguyễn Mạnh Hùng" in answer.text
    assert CHAIR in {c.source for c in answer.citations}


def test_questions_are_answered_while_an_ingest_runs_in_another_thread(corpus_home: Path, tmp_path: Path) -> None:
    service = RagService(make_settings(corpus_home))
    docs = tmp_path / "docs"
    _write_corpus(docs, seed=3, names=range(N_FILES))  # several batches: writes start well before the end
    reports = []
    worker = threading.Thread(target=lambda: reports.append(service.ingest([docs])))
    worker.start()
    store = service.store()
    while worker.is_alive() and not store.pending:  # until the ingest has begun writing
        time.sleep(0.05)
    answered_during = 0
    while worker.is_alive():
        _assert_answers_the_chair_question(service)
        answered_during += worker.is_alive()
    worker.join()

    assert answered_during >= 1, "no question was answered while the ingest ran"
    (report,) = reports
    assert report.ok and len(report.added) + len(report.updated) == N_FILES
    _assert_answers_the_chair_question(service)
    assert {p.source for p in service.retrieve("Document 42 v3", top_k=3, mode="bm25")} >= {"doc042.txt"}


def test_questions_are_answered_while_another_process_ingests(corpus_home: Path, tmp_path: Path) -> None:
    """Embedded Chroma is one process's store: another process's new chunks reach this one's BM25 at
    once but its vector index only when it reopens the store. Answers must keep coming regardless."""
    service = RagService(make_settings(corpus_home))
    docs = tmp_path / "docs"
    _write_corpus(docs, seed=4, names=range(40))
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(docs), "--json"],
        env=_env(corpus_home, {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    answered_during = 0
    while proc.poll() is None:
        _assert_answers_the_chair_question(service)
        answered_during += proc.poll() is None
        time.sleep(0.2)  # leave the writer some of the CPU
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 0, err.decode()
    assert answered_during >= 1
    report = json.loads(out)
    assert len(report["added"]) + len(report["updated"]) == 40 and report["failed"] == {}
    _assert_answers_the_chair_question(service)
    # Questions that hit the other process's new or deleted chunks (BM25 sees the change, this process's
    # vector index does not) are answered too, not failed.
    for question in ("Document 12 v4", "What does the river 12 hold?"):
        service.retrieve(question, top_k=5)
        service.ask(question, llm="none")
    assert not service.store().pending
