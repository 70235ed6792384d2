"""Bytes to text: UTF-8 or UTF-16, nothing guessed. Text in a legacy Vietnamese encoding is refused with
a diagnosis (which encoding it looks like, how to convert it), because decoding it wrongly would store
mojibake that no question can match, and guessing right is not reliable enough to do silently."""

from __future__ import annotations

import re

# Letters only Vietnamese uses among Latin scripts (after NFC), less â, ê and ô: Windows-1252 has those,
# so VNI text read as Windows-1252 is full of them.
_VIETNAMESE = re.compile("[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂĐƠƯ]")
# VNI-Windows writes a vowel as the plain letter plus a mark byte ("Vieät" for "Việt", "ñ" for "đ").
# Only the mark bytes no Vietnamese letter uses, so that real Vietnamese ("tiên", "hoàn") never matches.
_VNI_PAIR = re.compile("[aeiouyôAEIOUYÔ][ùøûõïåäëüöÙØÛÕÏÅÄËÜÖ]|[ñÑ]")
# TCVN3 (ABC) puts Vietnamese letters at 0xA1-0xFE; read as Windows-1252 most of them are symbols.
_TCVN3_SYMBOL = re.compile("[\u00a1-\u00bf\u00d7\u00f7]")
_WORD = re.compile(r"\S+")


class DecodeError(ValueError):
    """The bytes are not text this system reads; the message says what they look like."""


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 (BOM, or plain ASCII-range text with NULs between)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", "invalid UTF-16 text")
    head = data[:4096]
    if b"\x00" in head:
        utf16 = _bomless_utf16(head)
        text = _decode(data, utf16, f"invalid {utf16.upper()} text") if utf16 else ""
        sample = text[:2048]
        controls = sum(1 for c in sample if c < " " and c not in "\t\n\r")
        if not sample or controls > 0.05 * len(sample):
            raise DecodeError("binary content (NUL bytes), not a text document")
        return text
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            _legacy_diagnosis(data)
            or f"not valid UTF-8 (byte {exc.start}); convert it, e.g. `iconv -f LATIN1 -t UTF-8` for Western text"
        ) from exc
    if _share(text, _VNI_PAIR) >= 0.2 and _share(text, _VIETNAMESE) < 0.05:
        raise DecodeError(
            "looks like Vietnamese typed in the VNI encoding (e.g. 'Vieät' for 'Việt'); "
            "convert it to Unicode first (e.g. UniKey's converter, VNI Windows -> Unicode)"
        )
    return text


def _decode(data: bytes, codec: str, message: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DecodeError(message) from exc


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte, on one side only."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 2:
        return None
    if odd.count(0) >= 0.5 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.5 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _legacy_diagnosis(data: bytes) -> str | None:
    """Which legacy Vietnamese encoding the (non-UTF-8) bytes look like, as an actionable message."""
    import unicodedata

    cp1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    if _share(cp1258, _VIETNAMESE) >= 0.2:
        return "looks like Vietnamese in Windows-1258; convert it: `iconv -f CP1258 -t UTF-8 FILE > FILE.utf8`"
    cp1252 = data.decode("cp1252", errors="replace")
    if _share(cp1252, _VNI_PAIR) >= 0.2 and _share(cp1252, _VIETNAMESE) < 0.05:
        return (
            "looks like Vietnamese in the VNI encoding; convert it to Unicode first "
            "(e.g. UniKey's converter, VNI Windows -> Unicode)"
        )
    if _share(cp1252, _TCVN3_SYMBOL) >= 0.2:
        return (
            "looks like Vietnamese in the TCVN3 (ABC) encoding; convert it to Unicode first "
            "(e.g. UniKey's converter, TCVN3 -> Unicode)"
        )
    return None


def _share(text: str, pattern: re.Pattern[str]) -> float:
    """The share of the words (of the first few thousand) in which the pattern occurs; 0 for fewer
    than ten words, too few to tell an encoding from a name or a quotation."""
    words = _WORD.findall(text[:20_000])
    return sum(1 for w in words if pattern.search(w)) / len(words) if len(words) >= 10 else 0.0
