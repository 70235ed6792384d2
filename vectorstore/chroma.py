"""Chroma, embedded under the home folder or as a client of a Chroma server, with telemetry off.

Collections are created with no embedding function: vectors always come from our own embedder, so
Chroma's default model (which would be downloaded) is never touched.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection


class StoreError(RuntimeError):
    """The vector store cannot be reached or used; the message says what to do."""


def open_client(path: Path, url: str | None = None) -> ClientAPI:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise StoreError(f"RAG_CHROMA_URL={url!r} is not a URL like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises bare ValueError/ConnectionError variants
            raise StoreError(
                f"cannot reach the Chroma server at {url} ({exc}); start it with "
                "`chroma run --host 127.0.0.1 --port 8000` or unset RAG_CHROMA_URL"
            ) from exc
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def chroma_collection_name(name: str) -> str:
    """Chroma wants 3-512 characters of [a-zA-Z0-9._-]; users may pick any name, so map it."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    safe = safe.strip("._-") or "collection"
    if len(safe) < 3:
        safe = f"{safe}___"[:3]
    if safe != name:
        safe = f"{safe}-{hash_name(name) % 10**8:08d}"
    return safe[:512]


def hash_name(name: str) -> int:
    import zlib

    return zlib.crc32(name.encode("utf-8"))


def get_collection(client: ClientAPI, name: str, create: bool) -> Collection | None:
    chroma_name = chroma_collection_name(name)
    try:
        if create:
            return client.get_or_create_collection(
                chroma_name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"rag_name": name, "revision": ""},
            )
        return client.get_collection(chroma_name, embedding_function=None)
    except Exception as exc:
        if not create and _is_not_found(exc):
            return None
        raise StoreError(f"cannot open collection {name!r}: {exc}") from exc


def list_collection_names(client: ClientAPI) -> list[str]:
    names = []
    for col in client.list_collections():
        meta: dict[str, Any] = getattr(col, "metadata", None) or {}
        names.append(str(meta.get("rag_name") or col.name))
    return sorted(names)


def _is_not_found(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text or "does not exist" in text or "not found" in text
