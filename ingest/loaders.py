"""Reading a file's text and title by its format. Each failure is a LoadError whose message a user can act
on; what a parsing library has to say about a file it could still read goes into the document's warnings
(and from there the ingest report), never onto the terminal."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.encoding import DecodeError, decode_text
from ingest.furniture import joined_pages, without_man_furniture, without_running_lines
from ingest.titles import markdown_title, text_title

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})
_MARKDOWN = frozenset({".md", ".markdown"})
_HTML = frozenset({".html", ".htm"})


class LoadError(Exception):
    """This file cannot be read as a document; the message says why."""


@dataclass
class LoadedDocument:
    text: str
    title: str = ""
    warnings: list[str] = field(default_factory=list)


def load_document(path: Path, data: bytes | None = None) -> LoadedDocument:
    """The text and title of the file at path, from ``data`` when the caller has read its bytes already."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type {suffix or '(none)'}; use .txt, .md, .html or .pdf")
    if data is None:
        try:
            data = path.read_bytes()
        except PermissionError as exc:
            raise LoadError("permission denied") from exc
        except OSError as exc:
            raise LoadError(f"cannot read: {exc.strerror or exc}") from exc
    if suffix == ".pdf":
        return _pdf_document(data)
    try:
        text = decode_text(data)
    except DecodeError as exc:
        raise LoadError(str(exc)) from exc
    if suffix in _HTML:
        return _html_document(text)
    if suffix in _MARKDOWN:
        return LoadedDocument(text, markdown_title(text) or text_title(text))
    text = without_man_furniture(text)  # titled by its NAME line all the same
    return LoadedDocument(text, text_title(text))


def load_text(path: Path, data: bytes | None = None) -> str:
    """The text alone (tests and tools that need no title)."""
    return load_document(path, data).text


def _html_document(markup: str) -> LoadedDocument:
    from bs4 import BeautifulSoup
    from inscriptis import get_text

    with _captured(()) as notes:
        soup = BeautifulSoup(markup, "html.parser")
        title = soup.title.get_text(" ", strip=True) if soup.title else ""
        for tag in soup(["script", "style", "noscript", "template", "head"]):
            tag.decompose()
        # inscriptis lays the page out as a browser would: inline elements (<code>, <a>) stay inside
        # their sentence, blocks and <br> break lines, <pre> keeps its own.
        body = get_text(str(soup)).strip()
    if not title:
        heading = soup.find(["h1", "h2"])
        title = heading.get_text(" ", strip=True) if heading else text_title(body)
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    return LoadedDocument(text, title, notes)


# pypdf reports recoverable damage through its logger and the warnings module; both are process-wide,
# so PDFs are read one at a time while they are captured (ingest is serialised per store anyway).
_PDF_LOCK = threading.Lock()


def _pdf_document(data: bytes) -> LoadedDocument:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with _PDF_LOCK, _captured(("pypdf",)) as notes:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise LoadError("encrypted PDF; decrypt it first")
            pages = [page.extract_text() or "" for page in reader.pages]
            meta_title = str(reader.metadata.get("/Title") or "").strip() if reader.metadata else ""
        except LoadError:
            raise
        except (PdfReadError, ValueError, KeyError, OSError) as exc:
            raise LoadError(f"unreadable PDF: {exc}") from exc
    text = joined_pages(without_running_lines(pages))
    if not text:
        raise LoadError("PDF has no extractable text (scanned images need OCR first)")
    title = meta_title if _meaningful_pdf_title(meta_title) else text_title(text)
    return LoadedDocument(text, title, notes)


def _meaningful_pdf_title(title: str) -> bool:
    """Tools fill /Title with a placeholder or a file name when the author gave none."""
    lowered = title.lower()
    placeholders = ("untitled", "microsoft word", "enscript output", "stdin", "-")
    return (
        bool(title) and lowered not in placeholders and not lowered.endswith((".txt", ".ps", ".pdf", ".doc", ".docx"))
    )


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@contextmanager
def _captured(loggers: tuple[str, ...]) -> Iterator[list[str]]:
    """Messages of these loggers and of the warnings module, collected instead of printed."""
    notes: list[str] = []
    handler = _ListHandler(notes)
    saved = []
    for name in loggers:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate))
        logger.addHandler(handler)
        logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield notes
        notes.extend(str(w.message) for w in caught)
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
    unique = list(dict.fromkeys(n.strip() for n in notes if n.strip()))
    notes[:] = unique
