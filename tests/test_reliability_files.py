"""Bad files in a folder: each is reported with its reason, the rest is ingested, and `rag ingest`
exits non-zero. Real files on disk: symlinks, a FIFO, legacy Vietnamese encodings, duplicates."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from conftest import DEAD_OLLAMA, NO_LOCAL_MODEL, make_settings

from ingest.encoding import DecodeError, decode_text
from rag.cli import EXIT_PARTIAL, main
from rag.service import RagService
from rag.settings import Settings

VIETNAMESE = "Việt Nam là một quốc gia ở Đông Nam Á. Thủ đô của Việt Nam là Hà Nội, thành phố lớn thứ hai."
# The same sentence as VNI-Windows writes it (plain letters plus mark bytes), and a TCVN3 (ABC) text
# built from the letters whose TCVN3 bytes are certain: à B5, á B8, ă A8, â A9, đ AE, ê AA, ô AB, ơ AC, ư AD.
VNI = "Vieät Nam laø moät quoác gia ôû Ñoâng Nam AÙ. Thuû ñoâ cuûa Vieät Nam laø Haø Noäi."
TCVN3 = b"b\xb5 \xaei \xaet\xb8 c\xb8, c\xab \xa8n c\xacm t\xad gia, \xaa\xaam \xaa\xaam b\xb5 \xaei."
GERMAN_FRENCH = "Müller ist schön müde. Noël était naïve: où est la forêt? Die Brücke über den Fluß ist alt."
GOOD = {
    "good.txt": "Owl notes\n\nThe barn owl hunts voles at dusk in the meadow.",
    "vi.txt": VIETNAMESE,
}


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes: it has ê, ơ, ư, ă, â, ô, đ precomposed but the tones as combining marks."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = next(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


def _folder(root: Path) -> Path:
    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    for name, text in GOOD.items():
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (docs / "latin1.txt").write_bytes("café crème brûlée, s'il vous plaît".encode("latin-1"))
    (docs / "utf16le.txt").write_bytes("Utf sixteen notes\n\nThe narwhal tusk is a long tooth.".encode("utf-16-le"))
    (docs / "utf16be.md").write_bytes("# Big endian\n\nThe walrus naps on the ice floe.".encode("utf-16-be"))
    (docs / "cp1258.txt").write_bytes(cp1258(VIETNAMESE))
    (docs / "vni.txt").write_bytes(VNI.encode("cp1252"))
    (docs / "vni-as-utf8.txt").write_text(VNI, encoding="utf-8")
    (docs / "tcvn3.txt").write_bytes(TCVN3)
    (docs / "big.txt").write_text("The heron stands in the reeds. " * 400, encoding="utf-8")  # ~12 KB
    (docs / "notes.docx").write_bytes(b"PK\x03\x04 not read")
    (docs / "second-copy.txt").write_text(GOOD["good.txt"], encoding="utf-8")
    (docs / "sub" / "loop").symlink_to(docs, target_is_directory=True)
    (docs / "self.txt").symlink_to(docs / "self.txt")
    (docs / "dangling.txt").symlink_to(docs / "nowhere.txt")
    os.mkfifo(docs / "fifo.txt")
    return docs


EXPECTED = {
    "empty.txt": "empty document",
    "binary.txt": "binary content",
    "latin1.txt": "not valid UTF-8",
    "cp1258.txt": "Windows-1258; convert it: `iconv -f CP1258",
    "vni.txt": "VNI encoding",
    "vni-as-utf8.txt": "VNI encoding",
    "tcvn3.txt": "TCVN3 (ABC) encoding",
    "big.txt": "over the 0.01 MB limit (RAG_MAX_FILE_MB)",
    "notes.docx": "unsupported file type .docx",
    "second-copy.txt": "same content as 'good.txt'",
    "self.txt": "symlink loop",
    "dangling.txt": "broken symlink",
    "fifo.txt": "not a regular file",
}


def test_each_bad_file_is_reported_with_its_reason_and_the_rest_is_ingested(tmp_path: Path) -> None:
    docs = _folder(tmp_path)
    service = RagService(_settings(tmp_path / "home"))

    report = service.ingest([docs])

    loop = f"{docs / 'sub' / 'loop'}"
    assert sorted(report.added) == ["good.txt", "utf16be.md", "utf16le.txt", "vi.txt"]
    assert set(report.failed) == {*EXPECTED, loop}
    for name, reason in EXPECTED.items():
        assert reason in report.failed[name], (name, report.failed[name])
    assert report.failed[loop] == "symlink loop, skipped"
    texts = " ".join(r.text for r in service.store().get_chunks(service.store().chunk_ids()))
    assert "narwhal tusk" in texts and "walrus naps" in texts and "Hà Nội" in texts
    assert service.ask("What does the barn owl hunt?", llm="none").citations[0].source == "good.txt"

    again = service.ingest([docs])  # a rerun reports the same and keeps the first copy
    assert sorted(again.skipped) == sorted(report.added) and again.failed == report.failed


def test_rag_ingest_lists_the_failures_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = _folder(tmp_path)
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RAG_MAX_FILE_MB", "0.01")
    monkeypatch.setenv("OLLAMA_HOST", DEAD_OLLAMA)
    monkeypatch.setenv("RAG_LLM_MODEL", NO_LOCAL_MODEL)

    code = main(["ingest", str(docs)])

    out, err = capsys.readouterr()
    assert code == EXIT_PARTIAL == 1
    assert out.startswith("4 added, 0 updated, 0 skipped, 0 removed, 14 failed; ")
    failures = [line for line in err.splitlines() if line.startswith("failed: ")]
    assert len(failures) == 14 and "Traceback" not in err
    assert "failed: cp1258.txt: looks like Vietnamese in Windows-1258" in err


def test_duplicate_already_stored_under_its_own_name_keeps_that_name(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "b.txt").write_text(GOOD["good.txt"], encoding="utf-8")
    service = RagService(_settings(tmp_path / "home"))
    service.ingest([docs])
    (docs / "a.txt").write_text(GOOD["good.txt"], encoding="utf-8")  # a copy that sorts first

    report = service.ingest([docs])

    assert report.skipped == ["b.txt"] and report.added == []
    assert "same content as 'b.txt'" in report.failed["a.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions (tests run as root here)")
def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD["good.txt"], encoding="utf-8")
    secret = docs / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    secret.chmod(0)
    report = RagService(_settings(tmp_path / "home")).ingest([docs])
    assert report.added == ["good.txt"] and report.failed == {"secret.txt": "permission denied"}


def test_a_fifo_given_by_name_is_reported_not_opened(tmp_path: Path) -> None:
    """Opening a FIFO would block the ingest forever; it is refused by its type, unread."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    report = RagService(_settings(tmp_path / "home")).ingest([fifo])
    assert report.failed == {str(fifo): "not a regular file (a FIFO, socket or device), skipped"}


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("ASCII only".encode("utf-16-le"), "ASCII only"),
        ("Tiếng Việt có dấu, and English".encode("utf-16-be"), "Tiếng Việt có dấu, and English"),
        ("\ufeffBOM then text".encode(), "BOM then text"),
        ("Hà Nội — tiên, hoàn, xuân, nguyên, khuê".encode(), "Hà Nội — tiên, hoàn, xuân, nguyên, khuê"),
        (GERMAN_FRENCH.encode(), GERMAN_FRENCH),
    ],
)
def test_decode_reads_unicode_text(data: bytes, text: str) -> None:
    assert decode_text(data) == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (cp1258(VIETNAMESE), "Windows-1258"),
        (VNI.encode("cp1252"), "VNI"),
        (TCVN3, "TCVN3"),
        (b"\x00\x01\x02\x03" * 100, "binary"),
        ("café crème".encode("latin-1"), "not valid UTF-8 (byte 3)"),
    ],
)
def test_decode_refuses_with_a_diagnosis(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decode_text(data)


def _settings(home: Path) -> Settings:
    return make_settings(home, max_file_mb=0.01)
