"""The web chat in a real browser: Debian's Chromium driven by Playwright, against a live `rag ui`.

Every page records every request it makes; each test ends by checking that none left 127.0.0.1.
Screenshots go to test-artifacts/ (RAG_TEST_ARTIFACTS); docs/screenshot.png is the chat one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import make_settings
from ollama_stub import OllamaStub, Reply
from ui_support import (
    ARTIFACTS,
    CHAIR_QUESTION,
    CHAIR_SOURCE,
    CHROMIUM,
    CHROMIUM_ARGS,
    launch_in_process,
    rag_ui_process,
)

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def ui_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ui-browser-home")


@pytest.fixture(scope="module")
def live_url(ui_home: Path) -> Iterator[str]:
    with rag_ui_process(ui_home) as url:
        yield url


class Page:
    """A browser tab on the app that remembers every URL it requested."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 950})
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.set_default_timeout(90_000)
        self.page.goto(url)
        self.page.locator("#question textarea").wait_for()

    def ask(self, question: str) -> None:
        before = self.page.locator("#chat .message-row").count()
        self.page.locator("#question textarea").fill(question)
        self.page.locator("#ask-button").click()
        self.wait_for_answer(before // 2 + 1)

    def wait_for_answer(self, turn: int) -> None:
        """The answer is final when the sources panel shows this turn's cited or closest passages and
        the chat no longer shows a quick answer or text being written (the sources come first)."""
        heading = re.compile(rf"(Sources of|Closest passages for) answer {turn}\b")
        self.page.locator("#sources h4", has_text=heading).wait_for()
        for still_writing in ("the model is reading the passages", "not yet verified"):
            self.page.locator("#chat .bot", has_text=still_writing).first.wait_for(state="detached")

    def last_answer(self) -> str:
        return str(self.page.locator("#chat .bot").last.inner_text())

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def outside_requests(self) -> list[str]:
        return [
            u for u in self.requests if urlsplit(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")
        ]


@pytest.fixture
def tab(browser: Any, live_url: str) -> Iterator[Page]:
    page = Page(browser, live_url)
    yield page
    outside = page.outside_requests()
    page.context.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert page.requests, "the page made no request at all: the recorder is broken"


def test_chair_question_shows_answer_and_highlighted_source(tab: Page) -> None:
    tab.ask(CHAIR_QUESTION)
    answer = tab.last_answer()
    assert "Nguyễn Mạnh Hùng" in answer
    assert "extractive — no LLM running" in answer
    sources = tab.page.locator("#sources")
    assert CHAIR_SOURCE in sources.inner_text()
    marked = sources.locator("mark.rag-support").all_inner_texts()
    assert any("Nguyễn Mạnh Hùng" in m for m in marked), marked
    tab.page.wait_for_timeout(300)
    shot = tab.screenshot("chat.png")
    assert shot.stat().st_size > 10_000

    # A click on [1] brings its card into view and flashes it.
    tab.page.locator("#sources .rag-sources").evaluate("el => el.scrollTop = el.scrollHeight")
    tab.page.locator('#chat a[href="#src-0-1"]').first.click()
    card = tab.page.locator("#src-0-1")
    card.wait_for()
    tab.page.wait_for_function("document.getElementById('src-0-1').classList.contains('rag-flash')")
    assert card.is_visible()


def test_vietnamese_example_and_follow_up_selects_each_answers_sources(tab: Page) -> None:
    tab.page.get_by_text("Cuộc họp các quan chức kỹ thuật số ASEAN diễn ra khi nào?").first.click()
    playwright_api.expect(tab.page.locator("#question textarea")).to_have_value(re.compile("diễn ra khi nào"))
    tab.page.locator("#ask-button").click()
    tab.wait_for_answer(1)
    first = tab.last_answer()
    assert "Hà Nội" in first and "12 đến 16 tháng 1" in first
    tab.ask(CHAIR_QUESTION)
    assert "Nguyễn Mạnh Hùng" in tab.last_answer()
    # Selecting the first answer brings its own sources back into the panel.
    tab.page.locator("#chat .bot").first.click()
    tab.wait_for_answer(1)


def test_question_outside_the_documents_is_refused_with_closest_sources(tab: Page) -> None:
    tab.ask("What is the boiling point of liquid nitrogen in Kelvin?")
    assert "not in the documents" in tab.last_answer()
    assert tab.page.locator("#sources .rag-source").count() >= 1
    tab.screenshot("refusal.png")


def test_upload_a_file_ask_about_it_then_delete_it(tab: Page, ui_home: Path, tmp_path: Path) -> None:
    doc = tmp_path / "zephyr notes.md"
    doc.write_text(
        "# Zephyr project\n\nThe Zephyr irrigation project in Luang Prabang has a budget of 42 million kip. "
        "It was approved by the provincial council in March 2025.\n",
        encoding="utf-8",
    )
    tab.page.get_by_role("tab", name="Documents").click()
    tab.page.locator("#upload input[type=file]").set_input_files(str(doc))
    tab.page.locator("#documents-status", has_text="zephyr notes.md").wait_for()
    assert "✓" in tab.page.locator("#documents-status").inner_text()
    tab.page.locator("#documents", has_text="zephyr notes.md").wait_for()
    assert (ui_home / "uploads" / "zephyr notes.md").is_file()
    tab.screenshot("documents.png")

    tab.page.get_by_role("tab", name="Chat").click()
    tab.ask("What is the budget of the Zephyr irrigation project?")
    searched = tab.page.locator("#searched input:checked").count()
    assert "42 million kip" in tab.last_answer(), (searched, tab.page.locator("#sources").inner_text()[:3000])
    assert "zephyr notes.md" in tab.page.locator("#sources").inner_text()

    tab.page.get_by_role("tab", name="Documents").click()
    tab.page.locator("#delete-choice input").fill("zephyr")
    tab.page.get_by_role("option", name=re.compile("zephyr notes.md")).click()
    tab.page.locator("#delete-button").click()
    tab.page.locator("#documents-status", has_text="Deleted").wait_for()
    tab.page.wait_for_function("!document.querySelector('#documents').innerText.includes('zephyr notes.md')")
    assert not (ui_home / "uploads" / "zephyr notes.md").exists()


def test_search_can_be_limited_to_chosen_documents(tab: Page) -> None:
    tab.page.get_by_role("tab", name="Documents").click()
    searched = tab.page.locator("#searched")
    searched.get_by_text(CHAIR_SOURCE).wait_for()
    searched.get_by_text(CHAIR_SOURCE).click()  # un-tick the document that holds the answer
    tab.page.get_by_role("tab", name="Chat").click()
    tab.ask(CHAIR_QUESTION)
    assert CHAIR_SOURCE not in tab.page.locator("#sources").inner_text()


def test_thumbs_and_comment_are_saved_for_the_gold_set(tab: Page, ui_home: Path) -> None:
    tab.ask(CHAIR_QUESTION)
    tab.page.locator("#feedback-comment textarea").fill("right person, good quote")
    tab.page.locator("#chat button[aria-label=Like]").last.click()
    tab.page.locator("#feedback-status", has_text="saved").wait_for()
    records = [json.loads(line) for line in (ui_home / "feedback.jsonl").read_text(encoding="utf-8").splitlines()]
    mine = [r for r in records if r["comment"] == "right person, good quote"]
    assert mine and mine[-1]["rating"] == "up" and mine[-1]["question"] == CHAIR_QUESTION
    assert mine[-1]["citations"][0]["source"] == CHAIR_SOURCE
    assert {"top_k", "llm", "llm_model", "temperature"} <= mine[-1]["settings"].keys()


def test_llm_answers_stream_with_the_model_badge(browser: Any, tmp_path: Path) -> None:
    reply = "Nguyễn Mạnh Hùng chaired the 6th ADGMIN, the meeting of ASEAN digital ministers [1]."
    with OllamaStub(models=["qwen2.5:3b"], default=Reply(reply)) as stub:
        settings = make_settings(tmp_path / "home", ollama_host=stub.url, llm_timeout=5.0)
        from rag.service import service_for

        service_for(settings).ingest()
        app, url = launch_in_process(settings)
        page = Page(browser, url)
        try:
            page.page.get_by_role("tab", name="Settings").click()
            page.page.locator("#ollama-status", has_text="reachable at").wait_for()
            page.page.get_by_role("tab", name="Chat").click()
            page.ask(CHAIR_QUESTION)
            answer = page.last_answer()
            assert "LLM · qwen2.5:3b" in answer and "Nguyễn Mạnh Hùng chaired" in answer
            assert page.page.locator('#chat a[href="#src-0-1"]').count() == 1
            assert stub.requests and stub.requests[-1]["stream"] is True
            page.screenshot("llm.png")
            assert page.outside_requests() == []
        finally:
            page.context.close()
            app.close()
