"""The Gradio web chat: chat with streamed, cited answers beside a sources panel; documents; settings.

Every per-user value lives in the browser session (component values and a ``gr.State``); the only
shared object is the RAG service, which holds read-only resources and serialises writes itself.
The page is laid out in ``ui.layout``, its events handled in ``ui.handlers``, and joined here.
"""

from __future__ import annotations

import ui.offline  # noqa: F401 - before gradio: no analytics, no version check, nothing leaves the machine

# isort: split

from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api as gradio_api

from rag.errors import RagError
from rag.service import bundled_corpus, service_for
from rag.settings import Settings
from ui.examples import example_questions
from ui.handlers import ChatSession, Handlers
from ui.layout import MODE_CHOICES, ChatTab, DocumentsTab, SettingsTab, chat_tab, documents_tab, settings_tab
from ui.render import sources_panel
from ui.theme import CSS, HEAD, theme

__all__ = ["MODE_CHOICES", "ChatSession", "build_app", "launch_options"]


def _bundled() -> Path | None:
    """The bundled corpus's folder, whose documents get ready-made example questions; None if absent."""
    try:
        return bundled_corpus()
    except RagError:
        return None


def build_app(settings: Settings) -> gr.Blocks:
    """The whole app over one shared service: the page, its events, and the public `/ask` endpoint."""
    service = service_for(settings)
    handlers = Handlers(service, settings)
    app = gr.Blocks(title="rag-bilingual — ask your documents", analytics_enabled=False)
    with app:
        session = gr.State(ChatSession())
        total_documents = gr.State(0)
        gr.Markdown("## Ask your documents\nEnglish or Vietnamese; every claim cites the passage behind it.")
        chat = chat_tab(example_questions(service.sources(), _bundled()))
        documents = documents_tab(settings.ui.max_upload_mb)
        options = settings_tab(settings)
        _wire_chat(handlers, chat, options, documents, session, total_documents)
        _wire_documents(app, handlers, documents, total_documents)
        _wire_settings(app, handlers, options)
        gradio_api(handlers.ask, api_name="ask")
    return app


def _wire_chat(
    handlers: Handlers,
    chat: ChatTab,
    options: SettingsTab,
    documents: DocumentsTab,
    session: gr.State,
    total_documents: gr.State,
) -> None:
    """Asking (and stopping), choosing an answer's sources, rating, and starting over."""
    chat_inputs = [
        chat.question,
        chat.chatbot,
        session,
        options.top_k,
        options.mode,
        options.model,
        options.temperature,
        documents.searched,
        total_documents,
    ]
    chat_outputs = [chat.question, chat.chatbot, session, chat.panel]
    asking = [
        trigger(handlers.respond, chat_inputs, chat_outputs, api_visibility="private")
        for trigger in (chat.question.submit, chat.ask_button.click)
    ]
    # Cancelling closes the answer stream, which stops the model mid-generation.
    chat.stop_button.click(None, None, None, cancels=list[Any](asking), api_visibility="private")
    chat.chatbot.select(handlers.show_turn, [session], [chat.panel], api_visibility="private")
    chat.chatbot.like(
        handlers.rate,
        [session, chat.comment, options.top_k, options.mode, options.model, options.temperature],
        [chat.feedback_status, chat.comment],
        api_visibility="private",
    )
    chat.chatbot.clear(
        lambda: (ChatSession(), sources_panel(None, 0)), None, [session, chat.panel], api_visibility="private"
    )
    chat.new_chat.click(
        lambda: ([], ChatSession(), sources_panel(None, 0), ""),
        None,
        [chat.chatbot, session, chat.panel, chat.feedback_status],
        api_visibility="private",
    )


def _wire_documents(app: gr.Blocks, handlers: Handlers, documents: DocumentsTab, total_documents: gr.State) -> None:
    """Upload and delete, each refreshing every document list; the lists are filled on page load."""
    doc_outputs = [documents.documents, documents.searched, documents.doomed, total_documents]
    documents.files.upload(
        handlers.upload,
        [documents.files, documents.searched],
        [documents.status, documents.files, *doc_outputs],
        api_visibility="private",
    )
    documents.delete_button.click(
        handlers.delete,
        [documents.doomed, documents.searched],
        [documents.status, *doc_outputs],
        api_visibility="private",
    )
    app.load(handlers.refresh_documents, [documents.searched], doc_outputs, api_visibility="private")


def _wire_settings(app: gr.Blocks, handlers: Handlers, options: SettingsTab) -> None:
    """Ollama is checked on page load and on demand, refreshing the models offered."""
    app.load(handlers.check_ollama, [options.model], [options.ollama_status, options.model], api_visibility="private")
    options.check_button.click(
        handlers.check_ollama, [options.model], [options.ollama_status, options.model], api_visibility="private"
    )


def launch_options(settings: Settings) -> dict[str, Any]:
    """What `launch()` needs beyond host and port: local-only assets, upload limits, no share link."""
    return {
        "share": False,
        "theme": theme(),
        "css": CSS,
        "head": HEAD,
        "max_file_size": int(settings.ui.max_upload_mb * 1_000_000),
        "footer_links": ["api"],
        "ssr_mode": False,
        "mcp_server": False,
        "show_error": True,
    }
