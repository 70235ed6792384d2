"""The text layer under ingestion, the stores and answering: tokens, terms and sentences, defined
once so that BM25, retrieval's sentence scores and the answer's checks count words the same way.

Imports nothing of the project: ``ingest``, ``vectorstore`` and ``rag`` all build on it.
"""
