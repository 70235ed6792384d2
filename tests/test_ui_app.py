"""The web app without a browser: its rendering, uploads, feedback and exposure rules, and its `/ask`
endpoint through gradio_client against a live `rag ui`."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import make_settings
from ui_support import CHAIR_QUESTION, CHAIR_SOURCE, launch_in_process, rag_ui_process

from rag.cli import main
from rag.errors import RagError
from rag.types import Answer, Citation, Passage, SentenceCheck
from ui.api import answer_payload
from ui.cli import check_exposure, is_loopback
from ui.feedback import append_feedback, feedback_record
from ui.render import chat_message, highlighted, linked_markers, sources_panel
from ui.uploads import UploadError, safe_name, store_upload


def _citation(text: str, n: int = 1, **extra: object) -> Citation:
    values: dict[str, object] = {
        "source": "doc.txt",
        "chunk_id": "doc.txt#0",
        "text": text,
        "score": 0.5,
        "start": 0,
        "end": len(text),
        "n": n,
        "language": "en",
        "title": "Doc",
    }
    values.update(extra)
    return Citation(**values)


# -- rendering ---------------------------------------------------------------------------------


def test_markers_become_links_to_their_source_cards() -> None:
    rendered = linked_markers("Hùng chaired it [1]. Others came [2, 3].", turn=4)
    assert "[\\[1\\]](#src-4-1)" in rendered
    assert "(#src-4-2)" in rendered and "(#src-4-3)" in rendered


def test_document_text_cannot_inject_markup() -> None:
    hostile = 'Click <img src=x onerror="alert(1)"> *here* [link](http://evil.example)'
    answer = Answer(question="q", text=hostile + " [1]", citations=[_citation(hostile)])
    message = chat_message(answer, 0, "auto")
    assert "<img" not in message and "&lt;img" in message
    assert "\\[link\\]" in message  # a document's own Markdown link is shown, not followed
    panel = sources_panel(answer, 0)
    assert "<img" not in panel and "&lt;img" in panel


def test_highlights_mark_the_supporting_spans_only() -> None:
    text = "First sentence. Second one backs it. Third."
    html = highlighted(text, [(16, 36)])
    assert '<mark class="rag-support">Second one backs it.</mark>' in html
    assert html.startswith("First sentence. ") and html.endswith(" Third.")


def test_badges_name_the_mode_and_the_refusal() -> None:
    extractive = Answer(question="q", text="x", warnings=["No LLM answered (Ollama is not reachable)"])
    assert "extractive — no LLM running" in chat_message(extractive, 0, "auto")
    failed = Answer(question="q", text="x", warnings=["The LLM failed (Ollama answered with an error (500))"])
    assert "the LLM failed" in chat_message(failed, 0, "auto") and "500" in chat_message(failed, 0, "auto")
    assert "extractive — LLM off" in chat_message(Answer(question="q", text="x"), 0, "none")
    unbacked = Answer(question="q", text="x", verification=[SentenceCheck(text="Penguins fly.", reason="not there")])
    assert "no sentence of the LLM answer was backed by the passages" in chat_message(unbacked, 0, "auto")
    llm = Answer(question="q", text="x [1]", mode="llm", model="qwen2.5:3b", citations=[_citation("x")])
    assert "LLM · qwen2.5:3b" in chat_message(llm, 0, "auto")
    translated = Answer(question="q", text="x\n\nFrom the Vietnamese documents: y [1]", model="qwen2.5-coder-1.5b")
    assert "quote translated by qwen2.5-coder-1.5b" in chat_message(translated, 0, "auto")
    passage = Passage(source="near.txt", chunk_id="near.txt#0", text="close", score=0.1, start=0, end=5, rank=1)
    refused = Answer(question="q", text="The documents do not contain the answer.", refused=True, passages=[passage])
    assert "not in the documents" in chat_message(refused, 0, "auto")
    panel = sources_panel(refused, 0)
    assert "near.txt" in panel and "Closest passages" in panel


def test_api_payload_lists_cited_sources_or_the_closest_ones() -> None:
    cited = answer_payload(
        Answer(question="q", text="x [1]", citations=[_citation("Quote here.", highlights=[(0, 5)])])
    )
    assert cited["sources"][0] | {"source": "doc.txt", "quotes": ["Quote"], "cited": True} == cited["sources"][0]
    passage = Passage(source="near.txt", chunk_id="c", text="t", score=0.1, start=0, end=1, rank=1)
    refused = answer_payload(Answer(question="q", text="no", refused=True, passages=[passage]))
    assert refused["refused"] is True and refused["sources"][0]["cited"] is False


# -- uploads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        (".hidden.md", "hidden.md"),
        ("Báo cáo tháng 1.PDF", "Báo cáo tháng 1.pdf"),
        ("a;rm -rf $HOME.txt", "a_rm -rf _HOME.txt"),
        ("....txt", "document.txt"),
    ],
)
def test_upload_names_are_made_safe(original: str, expected: str) -> None:
    assert safe_name(original) == expected


@pytest.mark.parametrize("original", ["tool.exe", "archive.tar.gz", "noextension", "page.php"])
def test_unsupported_uploads_are_refused(original: str) -> None:
    with pytest.raises(UploadError, match="unsupported file type"):
        safe_name(original)


def test_uploads_stay_in_their_folder_and_never_replace_other_documents(tmp_path: Path) -> None:
    temp = tmp_path / "upload.bin"
    temp.write_text("some text", encoding="utf-8")
    uploads = tmp_path / "uploads"
    stored = store_upload(temp, "../../001_c991d5dd9dcdba35.txt", uploads, 1000, taken={"001_c991d5dd9dcdba35.txt"})
    assert stored.name == "001_c991d5dd9dcdba35-2.txt"
    assert stored.path.parent == uploads.resolve()
    again = store_upload(temp, "notes.md", uploads, 1000, taken=set())
    replaced = store_upload(temp, "notes.md", uploads, 1000, taken={"notes.md"})
    assert again.path == replaced.path  # re-uploading one's own file replaces it
    with pytest.raises(UploadError, match="over the"):
        store_upload(temp, "big.txt", uploads, 4, taken=set())
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(UploadError, match="empty"):
        store_upload(tmp_path / "empty.txt", "empty.txt", uploads, 1000, taken=set())
    assert sorted(p.name for p in uploads.iterdir()) == ["001_c991d5dd9dcdba35-2.txt", "notes.md"]


def test_feedback_appends_one_json_line_per_rating(tmp_path: Path) -> None:
    answer = Answer(question="Ai chủ trì?", text="Ông Hùng [1].", citations=[_citation("Ông Hùng chủ trì.")])
    path = tmp_path / "fb" / "feedback.jsonl"
    append_feedback(path, feedback_record(answer, True, " good ", {"top_k": 5}))
    append_feedback(path, feedback_record(answer, False, "", {"top_k": 3}))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["rating"] for r in lines] == ["up", "down"]
    assert lines[0]["question"] == "Ai chủ trì?" and lines[0]["comment"] == "good"
    assert lines[0]["citations"][0]["source"] == "doc.txt" and lines[1]["settings"] == {"top_k": 3}


# -- exposure ----------------------------------------------------------------------------------


def test_only_loopback_is_served_without_a_login(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0")
    assert check_exposure("127.0.0.1", settings, insecure=False) is None
    with pytest.raises(RagError, match="RAG_UI_AUTH"):
        check_exposure("0.0.0.0", settings, insecure=False)
    assert check_exposure("0.0.0.0", settings, insecure=True) is None
    with_login = make_settings(tmp_path, ui_auth="ana:s3cret:with:colons")
    assert check_exposure("0.0.0.0", with_login, insecure=False) == ("ana", "s3cret:with:colons")


def test_rag_ui_refuses_a_public_address_without_login(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ui", "--host", "0.0.0.0", "--home", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: refusing to serve") and "\n" not in err


def test_malformed_login_setting_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_UI_AUTH", "no-colon")
    assert main(["ui", "--home", str(tmp_path)]) == 2
    assert "user:password" in capsys.readouterr().err


# -- the live app ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> object:
    with rag_ui_process(tmp_path_factory.mktemp("ui-home")) as url:
        yield url


def test_ask_endpoint_answers_the_chair_question_with_its_source(live_url: str) -> None:
    from gradio_client import Client

    client = Client(live_url, verbose=False)
    result = client.predict(CHAIR_QUESTION, api_name="/ask")
    assert "Nguyễn Mạnh Hùng" in result["answer"]
    assert result["refused"] is False and result["mode"] == "extractive"
    assert CHAIR_SOURCE in [s["source"] for s in result["sources"] if s["cited"]]
    assert any("Nguyễn Mạnh Hùng" in q for s in result["sources"] for q in s["quotes"])


def test_ask_endpoint_reports_bad_questions_as_errors(live_url: str) -> None:
    from gradio_client import Client

    client = Client(live_url, verbose=False)
    with pytest.raises(Exception, match="question"):
        client.predict("   ", api_name="/ask")


def test_fifty_concurrent_questions_are_all_answered(live_url: str) -> None:
    from gradio_client import Client

    client = Client(live_url, verbose=False)
    questions = [CHAIR_QUESTION, "Hội nghị diễn ra ở đâu?", "What is the Hanoi Declaration?"] * 17
    jobs = [client.submit(q, api_name="/ask") for q in questions[:50]]
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda job: job.result(timeout=240), jobs))
    assert len(results) == 50
    assert all(r["answer"] for r in results)
    assert all("Nguyễn Mạnh Hùng" in r["answer"] for r in results[::3])


def test_llm_faults_fall_back_to_extractive_in_the_app_and_logs_hold_no_document_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from gradio_client import Client
    from ollama_stub import OllamaStub, Reply

    from rag.service import service_for

    with OllamaStub(models=["qwen2.5:3b"]) as stub:
        settings = make_settings(tmp_path / "home", ollama_host=stub.url, llm_timeout=1.0)
        service_for(settings).ingest()
        app, url = launch_in_process(settings)
        try:
            client = Client(url, verbose=False)
            caplog.set_level(logging.DEBUG)
            faults = [Reply(status=500), Reply(malformed=True), Reply("no markers at all"), Reply(delay=3.0)]
            for fault in faults:
                stub.script(fault, fault)  # the answer and, for a follow-up-free question, nothing else
                result = client.predict(CHAIR_QUESTION, api_name="/ask")
                assert result["mode"] == "extractive", fault
                assert "Nguyễn Mạnh Hùng" in result["answer"] and result["warnings"], fault
        finally:
            app.close()
    document_text = "said the theme 'Adaptive ASEAN"
    leaked = [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG and document_text in r.getMessage()]
    assert leaked == []
    assert any(r.name.startswith("ui") for r in caplog.records), "the app's own log lines were not captured"


def test_login_is_enforced_when_set(tmp_path: Path) -> None:
    from gradio_client import Client

    settings = make_settings(tmp_path / "home", ui_auth="ana:s3cret")
    app, url = launch_in_process(settings)
    try:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain ValueError on a login page
            Client(url, verbose=False).predict("x", api_name="/ask")
        client = Client(url, auth=("ana", "s3cret"), verbose=False)
        assert client.view_api(print_info=False, return_format="dict")["named_endpoints"].keys() >= {"/ask"}
    finally:
        app.close()


def test_the_chat_indexes_the_bundled_corpus_as_it_starts_and_a_first_question_waits_for_all_of_it(
    tmp_path: Path,
) -> None:
    import time

    from rag.service import bundled_corpus, service_for

    settings = make_settings(tmp_path / "home")
    app, _url = launch_in_process(settings)
    try:
        service = service_for(settings)
        # No question is asked: the documents appear because the chat started (generous bound, no speed claim).
        deadline = time.monotonic() + 300
        while not service.sources() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert service.sources(), "the bundled corpus was not indexed when the chat started"
        answer = service.ask(CHAIR_QUESTION, llm="none")  # asked mid-indexing, it waits for the whole corpus
        assert "Nguyễn Mạnh Hùng" in answer.text
        assert len(service.sources()) == len(list(bundled_corpus().glob("*.txt")))
    finally:
        app.close()
