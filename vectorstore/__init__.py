"""Storage of chunks: Chroma for vectors, a BM25 index for words, kept in step by a shared revision.

Knows nothing of answering or of how chunks are made.
"""

from vectorstore.records import ChunkRecord, SourceState
from vectorstore.store import ChunkStore, StoreError, open_store

__all__ = ["ChunkRecord", "ChunkStore", "SourceState", "StoreError", "open_store"]
