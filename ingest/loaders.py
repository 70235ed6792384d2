"""Reading a file's text by its format. Each failure is a LoadError whose message a user can act on."""

from __future__ import annotations

from pathlib import Path

from ingest.encoding import DecodeError, decode_text

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})


class LoadError(Exception):
    """This file cannot be read as a document; the message says why."""


def load_text(path: Path, data: bytes | None = None) -> str:
    """The text of the file at path, from ``data`` when the caller has read its bytes already."""
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
        return _pdf_text(path, data)
    try:
        text = decode_text(data)
    except DecodeError as exc:
        raise LoadError(str(exc)) from exc
    if suffix in {".html", ".htm"}:
        return _html_text(text)
    return text


def _html_text(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    body = soup.get_text("\n", strip=True)
    return f"{title}\n\n{body}" if title and not body.startswith(title) else body


def _pdf_text(path: Path, data: bytes) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("encrypted PDF; decrypt it first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise LoadError(f"unreadable PDF: {exc}") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise LoadError("PDF has no extractable text (scanned images need OCR first)")
    return text
