"""The `rag` command, run in-process through ``rag.cli.main`` (one subprocess checks the real exit path).

Settings come from the environment as for a user: RAG_HOME points at a temporary home and OLLAMA_HOST
at a port where nothing listens. ``service_for`` caches services by settings, so each home gets its own.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DEAD_OLLAMA, NO_LOCAL_MODEL

from rag.cli import EXIT_ERROR, EXIT_PARTIAL, main

CHAIR_Q = "Who chaired the 6th ASEAN Digital Ministers' Meeting?"
DOC_CHAIR = "001_c991d5dd9dcdba35.txt"


def _env(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for name in [n for n in os.environ if n.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_HOME", str(home))
    monkeypatch.setenv("OLLAMA_HOST", DEAD_OLLAMA)
    monkeypatch.setenv("RAG_LLM_MODEL", NO_LOCAL_MODEL)


@pytest.fixture(scope="module")
def ingested_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, str, str]]:
    """A home filled by `rag ingest` (the bundled corpus), with that command's exit code and output."""
    home = tmp_path_factory.mktemp("cli-home")
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        _env(mp, home)
        code = main(["ingest"])
    yield home, code, out.getvalue(), err.getvalue()


@pytest.fixture
def home(ingested_home: tuple[Path, int, str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    _env(monkeypatch, ingested_home[0])
    return ingested_home[0]


def test_ingest_prints_a_one_line_summary_and_exits_0(ingested_home: tuple[Path, int, str, str]) -> None:
    _home, code, out, err = ingested_home

    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("5 added, 0 updated, 0 skipped, 0 removed, 0 failed; ")
    assert "chunks embedded" in lines[0] and "collection 'default'" in lines[0]
    assert "Traceback" not in err and "failed:" not in err


def test_second_ingest_skips_everything(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", "--json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["added"] == [] and report["updated"] == []
    assert len(report["skipped"]) == 5
    assert report["chunks"] == 0 and report["failed"] == {}


def test_ask_json_outputs_the_answer(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", CHAIR_Q, "--json"])

    captured = capsys.readouterr()
    assert code == 0
    answer = json.loads(captured.out)
    assert answer["question"] == CHAIR_Q
    assert answer["refused"] is False
    assert answer["mode"] == "extractive"
    assert "Nguyễn Mạnh Hùng" in answer["text"]
    assert DOC_CHAIR in [c["source"] for c in answer["citations"]]
    assert len(answer["passages"]) == 5
    # OLLAMA_HOST reached the settings: the dead port is named in the fallback warning.
    assert any("No LLM answered" in w and "127.0.0.1:9" in w for w in answer["warnings"])


def test_ask_options_top_k_source_and_llm(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", CHAIR_Q, "--json", "-k", "2", "--source", DOC_CHAIR, "--llm", "none"])

    answer = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(answer["passages"]) == 2
    assert {p["source"] for p in answer["passages"]} == {DOC_CHAIR}
    assert answer["warnings"] == []  # --llm none never tries Ollama


def test_ask_prints_a_readable_answer_with_sources(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", CHAIR_Q])

    out = capsys.readouterr().out
    assert code == 0
    assert "Nguyễn Mạnh Hùng" in out
    assert "Sources:" in out
    assert f"] {DOC_CHAIR} — " in out
    assert "mode: extractive (no LLM)" in out
    assert "note: No LLM answered" in out


def test_ask_off_topic_prints_the_refusal_and_closest_passages(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "What is the boiling point of mercury?"])

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("The documents do not contain the answer to this question.")
    assert "Closest passages:" in out


def test_sources_json_lists_the_five_documents(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sources", "--json"])

    infos = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [i["source"] for i in infos] == [
        "000_60f749696a507563.txt",
        "001_c991d5dd9dcdba35.txt",
        "002_4cd57f0ad6796aaa.txt",
        "003_2b888d70eccc54c8.txt",
        "004_83c7adf370e45a73.txt",
    ]
    assert [i["language"] for i in infos] == ["en", "en", "en", "vi", "en"]
    assert all(i["chunks"] >= 1 and i["title"] for i in infos)
    assert infos[0]["outlet"] == "VNA/VNS" and infos[0]["date"] == "2026-01-15"


def test_sources_of_an_empty_collection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    _env(monkeypatch, tmp_path / "empty-home")

    code = main(["sources"])

    assert code == 0
    assert "is empty" in capsys.readouterr().out


@pytest.mark.parametrize("question", ["", "   "])
def test_blank_question_is_a_one_line_error_with_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    code = main(["ask", question])

    captured = capsys.readouterr()
    assert code == EXIT_ERROR == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error:") and "empty" in lines[0]


def test_invalid_setting_is_a_one_line_error_with_exit_2(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", CHAIR_Q, "--top-k", "500"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: invalid setting: top_k")
    assert len(err.splitlines()) == 1


def test_error_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update({"RAG_HOME": str(tmp_path / "home"), "OLLAMA_HOST": DEAD_OLLAMA, "RAG_LLM_MODEL": NO_LOCAL_MODEL})

    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", ""], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == ["error: the question is empty: ask something about the documents"]
    assert done.stdout == ""


def test_ingest_of_a_folder_with_a_bad_file_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, tmp_path / "home")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("Owl notes\n\nThe barn owl hunts voles at dusk.", encoding="utf-8")
    (docs / "bad.bin").write_bytes(b"\x00\x01")

    code = main(["ingest", str(docs)])

    captured = capsys.readouterr()
    assert code == EXIT_PARTIAL == 1
    assert captured.out.splitlines() == [captured.out.strip()]
    assert captured.out.startswith("1 added, 0 updated, 0 skipped, 0 removed, 1 failed; ")
    assert "failed: bad.bin: unsupported file type .bin" in captured.err
    assert "Traceback" not in captured.err


def test_missing_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ask"])

    assert exc.value.code == 2
    assert "question" in capsys.readouterr().err


def _ingest_cli(home: Path, *args: str) -> tuple[int, str, str]:
    """`rag ingest` in a process of its own: what a user's terminal shows, stderr included."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_HOME=str(home), OLLAMA_HOST=DEAD_OLLAMA, RAG_LLM_MODEL=NO_LOCAL_MODEL)
    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest", *args], env=env, capture_output=True, text=True, timeout=600
    )
    return done.returncode, done.stdout, done.stderr


def test_prune_through_the_cli_removes_a_deleted_file(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kept.txt").write_text("The alpaca herd grazes in the Andes mountains every summer.\n")
    (docs / "gone.txt").write_text("The lighthouse keeper on the rocky island logs every passing ship.\n")
    home = tmp_path / "home"
    assert _ingest_cli(home, str(docs))[0] == 0
    (docs / "gone.txt").unlink()

    code, out, err = _ingest_cli(home, str(docs), "--prune", "--json")

    assert code == 0, err
    report = json.loads(out)
    assert report["removed"] == ["gone.txt"] and report["skipped"] == ["kept.txt"]
    code, out, _ = _ingest_cli(home, str(docs))
    assert out.startswith("0 added, 0 updated, 1 skipped, 0 removed")


def test_a_damaged_pdf_is_read_and_its_warnings_go_to_the_report_not_stderr(tmp_path: Path) -> None:
    from test_ingest import _minimal_pdf

    docs = tmp_path / "docs"
    docs.mkdir()
    # Junk before the header (and so every offset off by five bytes): pypdf still reads it, and says so.
    damaged = b"junk\n" + _minimal_pdf(["Cranes lift containers at the harbour."])
    (docs / "damaged.pdf").write_bytes(damaged)

    code, out, err = _ingest_cli(tmp_path / "home", str(docs))

    assert code == 0, err
    assert "read with warnings: damaged.pdf: invalid pdf header" in out and "1 added" in out
    shown = [line for line in err.splitlines() if line.strip() and "Embedding" not in line]  # the bar is ours
    assert shown == [], err
    code, out, err = _ingest_cli(tmp_path / "home2", str(docs), "--json")
    notes = json.loads(out)["warnings"]["damaged.pdf"]
    assert any("invalid pdf header" in n for n in notes) and err == ""
