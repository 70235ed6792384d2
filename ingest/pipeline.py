"""The ingest job: find files, skip the unchanged ones by content hash, embed the rest, publish.

A file counts as unchanged only when every chunk of its current version is stored; a file whose
ingest was interrupted is therefore embedded again on the next run, and leftovers of older versions
are removed, so reruns converge to exactly one copy of each file.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ingest.chunking import Chunk, Chunker
from ingest.cleaning import clean_text
from ingest.embedding import Embedder
from ingest.language import detect_language
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_document
from ingest.metadata import METADATA_FILE, read_folder_metadata
from ingest.reflow import REFLOW_VERSION, reflow
from ingest.report import IngestReport
from vectorstore import ChunkRecord, ChunkStore, SourceState
from vectorstore.names import is_path_key, shortest_unique_names


@dataclass(frozen=True)
class IngestOptions:
    chunk_size: int
    chunk_overlap: int
    max_file_bytes: int
    show_progress: bool = True


@dataclass(frozen=True)
class SourceFile:
    """A file found on disk: its key in the store (its absolute path, so that same-named files of
    different folders coexist) and its name inside the folder it was found in (for reports)."""

    source: str
    name: str
    path: Path
    metadata: dict[str, str]

    @classmethod
    def at(cls, path: Path, name: str, metadata: dict[str, str]) -> SourceFile:
        return cls(Path(os.path.abspath(path)).as_posix(), name, path, metadata)


@dataclass
class _Prepared:
    file: SourceFile
    content_hash: str
    language: str
    title: str
    chunks: list[Chunk]
    updating: bool


def discover(paths: Iterable[Path]) -> tuple[list[SourceFile], dict[str, str]]:
    """Files under the given paths; a folder's files are named by their path inside it."""
    found: dict[str, SourceFile] = {}
    failed: dict[str, str] = {}
    for root in paths:
        root = Path(root).expanduser()
        if not root.exists():
            failed[str(root)] = "no such file or folder"
            continue
        if root.is_file():
            meta = read_folder_metadata(root.parent).get(root.name, {})
            file = SourceFile.at(root, root.name, meta)
            found.setdefault(file.source, file)
            continue
        if not root.is_dir():
            failed[str(root)] = _not_a_file(root)
            continue
        folder_meta = read_folder_metadata(root)
        for path in _walk(root, failed):
            rel = path.relative_to(root).as_posix()
            if rel == METADATA_FILE:
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                failed[rel] = f"unsupported file type {path.suffix or '(none)'}"
                continue
            file = SourceFile.at(path, rel, folder_meta.get(rel, {}))
            found.setdefault(file.source, file)
    return list(found.values()), failed


def _walk(root: Path, failed: dict[str, str]) -> Iterator[Path]:
    """Regular files under root, each folder visited once (symlinked folders that loop are reported)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            stat = folder.stat()
            if (stat.st_dev, stat.st_ino) in seen:
                failed[str(folder)] = "symlink loop, skipped"
                continue
            seen.add((stat.st_dev, stat.st_ino))
            entries = sorted(folder.iterdir())
        except OSError as exc:
            failed[str(folder)] = f"cannot list folder: {exc.strerror or exc}"
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                stack.append(entry)
            elif entry.is_file():
                yield entry
            else:
                failed[entry.relative_to(root).as_posix()] = _not_a_file(entry)


def _not_a_file(path: Path) -> str:
    """Why a path that is neither a regular file nor a folder is skipped (never opened: a FIFO would block)."""
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except RuntimeError:
            return "symlink loop, skipped"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "symlink loop, skipped"
            return "broken symlink (its target does not exist)"
    return "not a regular file (a FIFO, socket or device), skipped"


def run_ingest(
    paths: Iterable[Path],
    store: ChunkStore,
    embedder: Embedder,
    options: IngestOptions,
    *,
    prune: bool = False,
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport(collection=store.name)
    files, report.failed = discover(paths)
    states = store.source_states()
    pending, changed = _prepare(files, states, store, embedder, options, report)
    changed = _embed(pending, store, embedder, options, report) or changed
    if prune:
        gone = _gone(states, files, report, paths)
        if gone:
            store.delete_sources(gone)
            shown = shortest_unique_names(states)
            report.removed.extend(shown[source] for source in gone)
            changed = True

    # A pending store holds writes of an ingest that was killed before it published them.
    if changed or store.pending or (store.exists and store.lexical_index() is None):
        store.commit()
    report.seconds = time.perf_counter() - started
    return report


def _prepare(
    files: list[SourceFile],
    states: dict[str, SourceState],
    store: ChunkStore,
    embedder: Embedder,
    options: IngestOptions,
    report: IngestReport,
) -> tuple[list[_Prepared], bool]:
    """Read, clean and chunk every new or changed file (unchanged ones are skipped); whether the store
    changed (an interrupted update's leftovers removed)."""
    chunker: Chunker | None = None
    fingerprint = f"{embedder.model_name}|{options.chunk_size}|{options.chunk_overlap}|reflow{REFLOW_VERSION}"
    changed = False
    pending: list[_Prepared] = []
    first_of: dict[bytes, str] = {}  # raw content digest -> the file ingested for it
    by_hash = {state.content_hash: key for key, state in states.items()}
    reading = tqdm(
        _stored_first(files, states), desc="Reading", unit="file", disable=not options.show_progress or len(files) < 20
    )
    for file in reading:
        try:
            data = _read(file.path, options.max_file_bytes)
        except LoadError as exc:
            report.failed[file.name] = str(exc)
            continue
        digest = hashlib.sha256(data).digest()
        if digest in first_of and data.strip():
            report.failed[file.name] = f"same content as {first_of[digest]!r}, not ingested twice"
            continue
        first_of[digest] = file.name
        # Settings and metadata are part of a version: changing either re-ingests the file.
        version = f"{fingerprint}|{sorted(file.metadata.items())}".encode()
        content_hash = hashlib.sha256(version + b"\0" + data).hexdigest()
        state = (
            states.get(file.source)
            or _migrated(store, states, file)
            or _moved(store, states, by_hash, file, content_hash)
        )
        if state is not None and state.content_hash == content_hash and state.stored_chunks == state.n_chunks:
            if state.stale_ids:  # an interrupted update left the old version behind
                store.delete_ids(state.stale_ids)
                changed = True
            report.skipped.append(file.name)
            continue
        try:
            document = load_document(file.path, data)
            text = reflow(clean_text(document.text))
        except LoadError as exc:
            report.failed[file.name] = str(exc)
            continue
        if not text:
            report.failed[file.name] = "empty document (no text after cleaning)"
            continue
        chunker = chunker or Chunker(options.chunk_size, options.chunk_overlap, embedder.tokenize)
        chunks = chunker.split(text)
        language = file.metadata.get("language") or detect_language(text)
        title = file.metadata.get("title") or document.title
        if document.warnings:
            report.warnings[file.name] = document.warnings
        pending.append(_Prepared(file, content_hash, language, title, chunks, state is not None))
    return pending, changed


def _embed(
    pending: list[_Prepared], store: ChunkStore, embedder: Embedder, options: IngestOptions, report: IngestReport
) -> bool:
    """Embed and store the prepared files; whether anything was written."""
    total_chunks = sum(len(p.chunks) for p in pending)
    with tqdm(
        total=total_chunks, desc="Embedding", unit="chunk", disable=not options.show_progress or total_chunks == 0
    ) as bar:
        # Files with chunks of like length embed together: the encoder pads each batch to its
        # longest text, and groups spanning every length padded 10 % of a folder's encoding away.
        pending.sort(key=lambda p: sum(len(c.text) for c in p.chunks) / max(1, len(p.chunks)))
        for group in _groups(pending, min_chunks=max(64, embedder.batch_size * 4)):
            texts = [c.text for p in group for c in p.chunks]
            vectors = embedder.embed(texts)
            offsets = [0, *itertools.accumulate(len(p.chunks) for p in group)]
            # One store write per group, not per file: each write call has a fixed cost (see replace_sources).
            store.replace_sources(
                [(_records(p), vectors[lo:hi]) for p, lo, hi in zip(group, offsets, offsets[1:], strict=False)]
            )
            for prepared in group:
                (report.updated if prepared.updating else report.added).append(prepared.file.name)
                report.chunks += len(prepared.chunks)
            bar.update(len(texts))
    return bool(pending)


def _gone(
    states: dict[str, SourceState], files: list[SourceFile], report: IngestReport, roots: Iterable[Path]
) -> list[str]:
    """Stored sources whose file no longer exists, or that an ingested folder no longer holds as a
    document. Sources stored by name only (older versions) are gone unless this run found them."""
    present = {f.source for f in files}
    folders = [Path(os.path.abspath(r)).as_posix().rstrip("/") + "/" for r in roots if Path(r).is_dir()]
    failed = set(report.failed)
    gone = []
    for source in states:
        if source in present:
            continue
        if not is_path_key(source):
            missing = source not in failed
        else:
            missing = not os.path.exists(source) or any(source.startswith(folder) for folder in folders)
            missing = missing and not any(source.endswith("/" + name) for name in failed)
        if missing:
            gone.append(source)
    return sorted(gone)


def _migrated(store: ChunkStore, states: dict[str, SourceState], file: SourceFile) -> SourceState | None:
    """A source stored by an older version under its bare name takes its path as key, without re-embedding."""
    old = states.get(file.name)
    if old is None or is_path_key(file.name):
        return None
    store.rename_source(file.name, file.source)
    del states[file.name]
    old.source = file.source
    states[file.source] = old
    return old


def _moved(
    store: ChunkStore, states: dict[str, SourceState], by_hash: dict[str, str], file: SourceFile, content_hash: str
) -> SourceState | None:
    """A file moved (or its folder renamed) since it was ingested keeps its chunks and vectors: the
    stored source of the same content and settings whose file is gone takes the new path as key.
    Without this, the new path would be embedded again and the old one answer beside it until pruned.
    ``by_hash``: stored keys by content hash."""
    key = by_hash.get(content_hash)
    if key is None or key not in states or not is_path_key(key) or os.path.exists(key):
        return None
    store.rename_source(key, file.source)
    old = states.pop(key)
    old.source = file.source
    states[file.source] = old
    by_hash[content_hash] = file.source
    return old


def _read(path: Path, limit: int) -> bytes:
    """The file's bytes, refusing oversize files before reading them into memory."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise LoadError(f"{size / 1e6:g} MB is over the {limit / 1e6:g} MB limit (RAG_MAX_FILE_MB)")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except PermissionError as exc:
        raise LoadError("permission denied") from exc
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > limit:  # it grew after the size check
        raise LoadError(f"over the {limit / 1e6:g} MB limit (RAG_MAX_FILE_MB)")
    return data


def _stored_first(files: list[SourceFile], states: dict[str, SourceState]) -> list[SourceFile]:
    """Files already stored come first, so that of two files with the same content the stored one stays."""
    return sorted(files, key=lambda f: (f.source not in states and f.name not in states, f.name))


def _groups(items: list[_Prepared], min_chunks: int) -> Iterator[list[_Prepared]]:
    """Whole files in batches big enough to keep the encoder busy."""
    group: list[_Prepared] = []
    size = 0
    for item in items:
        group.append(item)
        size += len(item.chunks)
        if size >= min_chunks:
            yield group
            group, size = [], 0
    if group:
        yield group


def _records(p: _Prepared) -> list[ChunkRecord]:
    extra = {k: v for k, v in p.file.metadata.items() if k in {"outlet", "date"}}
    # The file's name keeps ids readable; a digest of its path keeps same-named files apart.
    short = hashlib.sha1(p.file.source.encode()).hexdigest()[:6] + p.content_hash[:12]
    return [
        ChunkRecord(
            chunk_id=f"{p.file.name}#{short}:{i}",
            source=p.file.source,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            chunk_index=i,
            n_chunks=len(p.chunks),
            content_hash=p.content_hash,
            language=p.language,
            title=p.title,
            extra=extra,
            sentences=chunk.sentences,
        )
        for i, chunk in enumerate(p.chunks)
    ]
