"""From files to stored chunks: load, clean, detect language, chunk, embed, and skip what is unchanged."""

from ingest.embedding import Embedder
from ingest.language import detect_language
from ingest.pipeline import IngestOptions, run_ingest
from ingest.report import IngestReport

__all__ = ["Embedder", "IngestOptions", "IngestReport", "detect_language", "run_ingest"]
