"""Target 5: 100k chunks in one collection, embedded Chroma and a Chroma server.

The store is filled with synthetic text and random unit vectors (embedding 100k chunks would take
hours here and says nothing about the store). Building and querying run in child processes, so the
peak RSS reported is that of a process that opens the index and answers retrievals, nothing else.
Child use: ``python3 -m bench.scale build|query HOME N [CHROMA_URL]`` prints one JSON line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.common import (
    DEAD_OLLAMA,
    QUIET_ENV,
    Context,
    Result,
    chroma_server,
    p50_ms,
    peak_rss_mb,
    rss_of,
    timed,
    xquad_questions,
)

COLLECTION = "bench-scale"
_PER_SOURCE = 100


def _words(rng: np.random.Generator, questions: list[str]) -> list[str]:
    """A Zipf-like vocabulary: real words from the questions plus synthetic ones."""
    real = sorted({w.strip("?,.'\"").lower() for q in questions for w in q.split() if w.isalpha()})
    fake = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=rng.integers(3, 10))) for _ in range(20_000)]
    return real + fake


def build(home: Path, n: int, url: str | None) -> dict[str, float]:
    from vectorstore.records import ChunkRecord
    from vectorstore.store import open_store

    rng = np.random.default_rng(0)
    vocab = np.array(_words(rng, xquad_questions()), dtype=object)
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    store = open_store(home, COLLECTION, url)

    def fill() -> None:
        batch: list[tuple[list[ChunkRecord], np.ndarray]] = []
        for s in range(n // _PER_SOURCE):
            source = f"synthetic/{s:05d}.txt"
            words = rng.choice(vocab, size=(_PER_SOURCE, 60), p=weights)
            records = [
                ChunkRecord(f"{source}#{s:012d}:{i}", source, " ".join(row), 0, 0, i, _PER_SOURCE, f"{s:064d}", "en")
                for i, row in enumerate(words)
            ]
            vectors = rng.standard_normal((_PER_SOURCE, 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            batch.append((records, vectors))
            if len(batch) * _PER_SOURCE >= 2000:
                store.replace_sources(batch)
                batch = []
        store.replace_sources(batch)

    write = timed(fill)
    commit = timed(store.commit)
    from rag.settings import Settings

    store.set_info("embed_model", Settings().embedding.model)  # the vectors are random: any 384-d model reads them
    return {"write_s": write, "bm25_s": commit, "count": store.count()}


def query(home: Path, n_queries: int, url: str | None) -> dict[str, float]:
    from rag.service import RagService
    from rag.settings import Settings

    service = RagService(
        Settings(home=home, collection=COLLECTION, chroma_url=url, ollama_host=DEAD_OLLAMA, llm="none")
    )
    questions = xquad_questions()[: n_queries + 3]
    open_s = timed(lambda: service.retrieve(questions[0]))  # opens Chroma and loads the BM25 index
    for q in questions[1:3]:
        service.retrieve(q)
    return {"p50_ms": p50_ms(lambda q: service.retrieve(q), questions[3:]), "rss_mb": peak_rss_mb(), "open_s": open_s}


def _child(*args: str) -> dict[str, float]:
    env = {**os.environ, **QUIET_ENV}
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale", *args], env=env, check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def _built(ctx: Context) -> tuple[Path, dict[str, float]]:
    """The synthetic collection, built once per size and kept in the cache folder across bench runs
    (building 100k chunks takes minutes; the targets are about reading it)."""
    import chromadb

    from vectorstore.lexical import FORMAT

    home = ctx.scale_cache / f"scale-{ctx.scale}-chroma{chromadb.__version__}-bm25v{FORMAT}"
    stamp = home / "built.json"
    if not stamp.is_file():
        shutil.rmtree(home, ignore_errors=True)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps(_child("build", str(home), str(ctx.scale))))
    built: dict[str, float] = json.loads(stamp.read_text())
    return home, built


def scale(ctx: Context) -> list[Result]:
    home, built = _built(ctx)
    build_note = f"built once in {built['write_s']:.0f} s of writes + {built['bm25_s']:.0f} s of BM25"
    results = []
    for mode in ("embedded", "server"):
        if mode == "embedded":
            got = _child("query", str(home), str(ctx.queries))
            extra = ""
        else:
            # The server serves the very folder the embedded client wrote; the BM25 index is the same
            # data, so it is copied to where a client of this URL looks for it instead of rebuilt.
            with chroma_server(home / "chroma") as (url, pid):
                digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:10]
                lexical = home / "lexical"
                shutil.rmtree(lexical / f"server-{digest}", ignore_errors=True)
                shutil.copytree(lexical / "embedded", lexical / f"server-{digest}")
                got = _child("query", str(home), str(ctx.queries), url)
                extra = f"; server RSS {rss_of(pid):.0f} MB"
                shutil.rmtree(lexical / f"server-{digest}", ignore_errors=True)
        where = f"{int(built['count'])} chunks, {mode}"
        results.append(
            Result(
                f"5. retrieve() p50 at scale ({mode})",
                got["p50_ms"],
                50.0,
                unit="ms",
                detail=f"{where}; first retrieval (opening) {got['open_s']:.1f} s; {build_note}",
            )
        )
        results.append(Result(f"5. peak RSS at scale ({mode})", got["rss_mb"], 2048.0, unit="MB", detail=where + extra))
    return results


def main(argv: list[str]) -> None:
    command, home, number = argv[0], Path(argv[1]), int(argv[2])
    url = argv[3] if len(argv) > 3 else None
    result = build(home, number, url) if command == "build" else query(home, number, url)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
