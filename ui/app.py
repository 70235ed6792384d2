"""The Gradio web chat: chat with streamed, cited answers beside a sources panel; documents; settings.

Every per-user value lives in the browser session (component values and a ``gr.State``); the only
shared object is the RAG service, which holds read-only resources and serialises writes itself.
"""

from __future__ import annotations

import os

# Before gradio is imported: no analytics, no version check, nothing leaves the machine.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api as gradio_api

from rag.citations import strip_markers
from rag.errors import RagError
from rag.llm import LLMError, OllamaChat
from rag.llm.models import PACKAGED
from rag.service import RagService, bundled_corpus, service_for
from rag.settings import Settings
from rag.types import Answer
from ui.api import answer_payload
from ui.examples import example_questions
from ui.feedback import append_feedback, feedback_record
from ui.render import chat_message, retrieved_panel, sources_panel, streaming_message
from ui.theme import CSS, HEAD, theme
from ui.uploads import ALLOWED_SUFFIXES, UploadError, store_upload

log = logging.getLogger(__name__)

MODE_CHOICES = [
    ("Auto: the local model when installed, else Ollama", "auto"),
    ("Local model (in-process)", "local"),
    ("Ollama", "ollama"),
    ("OpenAI-compatible server", "openai"),
    ("Extractive (no LLM)", "none"),
]


@dataclass
class ChatSession:
    """One browser session's conversation: what ask() needs for follow-ups, and each turn's answer."""

    history: list[dict[str, str]] = field(default_factory=list)
    answers: list[Answer | None] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)


def _documents(service: RagService) -> tuple[list[list[Any]], list[tuple[str, str]]]:
    infos = service.sources()
    rows = [[i.title, i.source, i.language, i.chunks] for i in infos]
    choices = [(f"{i.title or i.source} ({i.source})", i.source) for i in infos]
    return rows, choices


def _ollama_status(service: RagService) -> tuple[str, list[str]]:
    host = service.settings.ollama_host
    try:
        models = OllamaChat(host, service.settings.ollama_model, service.settings.llm_timeout).models()
    except LLMError as exc:
        return f"**Ollama:** not reachable ({exc}). Answers are extractive.", []
    listed = ", ".join(f"`{m}`" for m in models) or "none (run `ollama pull …`)"
    return f"**Ollama:** reachable at `{host}`. Models: {listed}.", models


def _model_choices(settings: Settings, names: list[str]) -> list[tuple[str, str]]:
    """Blank means each backend's own default, so a local model's name never reaches Ollama unasked."""
    default = f"default (local: {settings.llm_model}; Ollama: {settings.ollama_model})"
    named = sorted({*PACKAGED, *(n for n in names if n)})
    return [(default, ""), *((n, n) for n in named)]


def _bundled() -> Path | None:
    try:
        return bundled_corpus()
    except RagError:
        return None


def build_app(settings: Settings) -> gr.Blocks:
    service = service_for(settings)

    def respond(
        message: str,
        chat: list[dict[str, Any]],
        session: ChatSession,
        top_k: float,
        mode: str,
        model: str,
        temperature: float,
        selected: list[str],
        total_documents: int,
    ) -> Iterator[tuple[Any, ...]]:
        question = (message or "").strip()
        if not question:
            yield message, chat, session, gr.skip()
            return
        turn = len(session.answers)
        chat = [*chat, {"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        yield "", chat, session, sources_panel(None, turn)
        sources = list(selected) if selected and len(selected) < total_documents else None
        answer: Answer | None = None
        quick: Answer | None = None
        text = ""
        try:
            events = service.ask_stream(
                question,
                top_k=int(top_k),
                sources=sources,
                llm=mode,  # type: ignore[arg-type]
                history=session.history,
                llm_model=model or None,
                temperature=temperature,
            )
            for event in events:
                if event.kind == "passages":
                    yield "", chat, session, retrieved_panel(event.passages, turn)
                elif event.kind == "quick" and event.answer is not None:
                    quick = event.answer
                    chat[-1] = {"role": "assistant", "content": streaming_message("", mode, model, quick, turn)}
                    yield "", chat, session, sources_panel(quick, turn)
                elif event.kind == "delta":
                    text += event.delta
                    chat[-1] = {"role": "assistant", "content": streaming_message(text, mode, model, quick, turn)}
                    yield "", chat, session, gr.skip()
                elif event.answer is not None:
                    answer = event.answer
        except (RagError, ValueError) as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠ {exc}"}
            session.answers.append(None)
            session.modes.append(mode)
            yield "", chat, session, sources_panel(None, turn)
            return
        assert answer is not None
        log.info("answered turn %d in %s mode (refused=%s)", turn, answer.mode, answer.refused)
        chat[-1] = {"role": "assistant", "content": chat_message(answer, turn, mode)}
        session.answers.append(answer)
        session.modes.append(mode)
        session.history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": strip_markers(answer.text)},
        ]
        yield "", chat, session, sources_panel(answer, turn)

    def show_turn(session: ChatSession, evt: gr.SelectData) -> Any:
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        turn = int(index) // 2
        if 0 <= turn < len(session.answers):
            return sources_panel(session.answers[turn], turn)
        return gr.skip()

    def rate(
        session: ChatSession, comment: str, top_k: float, mode: str, model: str, temperature: float, evt: gr.LikeData
    ) -> tuple[str, str]:
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        turn = int(index) // 2
        answer = session.answers[turn] if 0 <= turn < len(session.answers) else None
        if answer is None:
            return "Nothing to rate there.", comment
        liked = evt.liked is True or evt.liked == "Like"
        options = {"top_k": int(top_k), "llm": mode, "llm_model": model, "temperature": temperature}
        append_feedback(settings.feedback_file, feedback_record(answer, liked, comment or "", options))
        return f"Thanks — feedback on answer {turn + 1} saved.", ""

    def refresh_documents(selected: list[str] | None) -> tuple[Any, ...]:
        rows, choices = _documents(service)
        names = [value for _, value in choices]
        keep = [s for s in (selected or []) if s in names]
        value = keep if selected else names
        return rows, gr.update(choices=choices, value=value), gr.update(choices=choices, value=None), len(names)

    def upload(
        files: list[str] | None,
        selected: list[str],
        progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 - how gradio injects progress
    ) -> tuple[Any, ...]:
        lines: list[str] = []
        added: list[str] = []
        taken = {i.source for i in service.sources()}
        for temp in files or []:
            original = Path(temp).name
            try:
                stored = store_upload(
                    Path(temp), original, settings.uploads_dir, int(settings.ui_max_upload_mb * 1e6), taken
                )
            except UploadError as exc:
                lines.append(f"- ✗ {exc}")
                continue
            progress(0, desc=f"Indexing {stored.name}")
            try:
                report = service.ingest([stored.path], show_progress=True)
            except RagError as exc:  # e.g. the embedding model cannot be reached: nothing was indexed
                lines.append(f"- ✗ `{stored.name}`: {exc}")
                stored.path.unlink(missing_ok=True)
                continue
            if report.failed:
                lines.extend(f"- ✗ `{stored.name}`: {reason}" for reason in report.failed.values())
                stored.path.unlink(missing_ok=True)
            else:
                lines.append(f"- ✓ `{stored.name}`: {report.summary()}")
                added.append(stored.name)
                log.info("uploaded and indexed %s", stored.name)
        rows, docs, deletable, total = refresh_documents([*(selected or []), *added])
        return "\n".join(lines) or "No file chosen.", None, rows, docs, deletable, total

    def delete(source: str | None, selected: list[str]) -> tuple[Any, ...]:
        if not source:
            message = "Choose a document to delete."
        else:
            try:
                removed = service.delete_source(source)
                upload_copy = settings.uploads_dir / source
                if upload_copy.is_file():
                    upload_copy.unlink()
                message = f"Deleted `{source}` ({removed} chunks)."
                log.info("deleted %s", source)
            except RagError as exc:
                message = f"✗ {exc}"
        return (message, *refresh_documents(selected))

    def check_ollama(current: str) -> tuple[str, Any]:
        status, models = _ollama_status(service)
        return status, gr.update(choices=_model_choices(settings, [*models, current]), value=current or "")

    app = gr.Blocks(title="rag-bilingual — ask your documents", analytics_enabled=False)
    with app:
        session = gr.State(ChatSession())
        total_documents = gr.State(0)
        gr.Markdown("## Ask your documents\nEnglish or Vietnamese; every claim cites the passage behind it.")
        with gr.Tab("Chat"), gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    height=560,
                    show_label=False,
                    feedback_options=("Like", "Dislike"),
                    placeholder="Ask a question about the documents. Click a [n] to see its source.",
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Ask in English or Vietnamese…",
                        show_label=False,
                        scale=6,
                        elem_id="question",
                        autofocus=True,
                    )
                    ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-button")
                    stop_button = gr.Button("Stop", variant="stop", scale=1, elem_id="stop-button")
                gr.Examples(example_questions(service.sources(), _bundled()), inputs=question, label="Examples")
                with gr.Row():
                    comment = gr.Textbox(
                        placeholder="Optional comment, sent with your next thumbs up or down",
                        show_label=False,
                        scale=4,
                        elem_id="feedback-comment",
                    )
                    new_chat = gr.Button("New conversation", scale=1)
                feedback_status = gr.Markdown(elem_id="feedback-status")
            with gr.Column(scale=2):
                panel = gr.HTML(sources_panel(None, 0), elem_id="sources")
        with gr.Tab("Documents"):
            documents = gr.Dataframe(
                headers=["Title", "File", "Language", "Chunks"], interactive=False, elem_id="documents"
            )
            searched = gr.CheckboxGroup(label="Search these documents", elem_id="searched")
            with gr.Row():
                files = gr.File(
                    file_count="multiple",
                    file_types=list(ALLOWED_SUFFIXES),
                    label=f"Add documents (.txt .md .html .pdf, up to {settings.ui_max_upload_mb:g} MB each)",
                    elem_id="upload",
                )
                with gr.Column():
                    doomed = gr.Dropdown(label="Delete a document", elem_id="delete-choice")
                    delete_button = gr.Button("Delete", variant="stop", elem_id="delete-button")
            documents_status = gr.Markdown(elem_id="documents-status")
        with gr.Tab("Settings"):
            top_k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages to answer from (top-k)")
            mode = gr.Radio(MODE_CHOICES, value=settings.llm, label="Answer mode", elem_id="mode")
            model = gr.Dropdown(
                _model_choices(settings, []),
                value="",
                allow_custom_value=True,
                label="Model (blank: the answer mode's default)",
                elem_id="model",
            )
            temperature = gr.Slider(0, 2, value=settings.llm_temperature, step=0.05, label="Temperature")
            ollama_status = gr.Markdown(elem_id="ollama-status")
            check_button = gr.Button("Check Ollama")

        chat_inputs = [question, chatbot, session, top_k, mode, model, temperature, searched, total_documents]
        chat_outputs = [question, chatbot, session, panel]
        asking = [
            trigger(respond, chat_inputs, chat_outputs, api_visibility="private")
            for trigger in (question.submit, ask_button.click)
        ]
        # Cancelling closes the answer stream, which stops the model mid-generation.
        stop_button.click(None, None, None, cancels=list[Any](asking), api_visibility="private")
        chatbot.select(show_turn, [session], [panel], api_visibility="private")
        chatbot.like(
            rate,
            [session, comment, top_k, mode, model, temperature],
            [feedback_status, comment],
            api_visibility="private",
        )
        chatbot.clear(lambda: (ChatSession(), sources_panel(None, 0)), None, [session, panel], api_visibility="private")
        new_chat.click(
            lambda: ([], ChatSession(), sources_panel(None, 0), ""),
            None,
            [chatbot, session, panel, feedback_status],
            api_visibility="private",
        )
        doc_outputs = [documents, searched, doomed, total_documents]
        files.upload(upload, [files, searched], [documents_status, files, *doc_outputs], api_visibility="private")
        delete_button.click(delete, [doomed, searched], [documents_status, *doc_outputs], api_visibility="private")
        app.load(refresh_documents, [searched], doc_outputs, api_visibility="private")
        app.load(check_ollama, [model], [ollama_status, model], api_visibility="private")
        check_button.click(check_ollama, [model], [ollama_status, model], api_visibility="private")

        def ask(question: str) -> dict[str, Any]:
            """Answer a question from the documents: the answer text, whether it was refused, and its
            cited sources (number, file name, title, passage); for a refusal, the closest passages."""
            try:
                answer = service.ask(question)
            except (RagError, ValueError) as exc:
                raise gr.Error(str(exc)) from exc
            log.info("/ask answered in %s mode (refused=%s)", answer.mode, answer.refused)
            return answer_payload(answer)

        gradio_api(ask, api_name="ask")
    return app


def launch_options(settings: Settings) -> dict[str, Any]:
    """What `launch()` needs beyond host and port: local-only assets, upload limits, no share link."""
    return {
        "share": False,
        "theme": theme(),
        "css": CSS,
        "head": HEAD,
        "max_file_size": int(settings.ui_max_upload_mb * 1_000_000),
        "footer_links": ["api"],
        "ssr_mode": False,
        "mcp_server": False,
        "show_error": True,
    }
