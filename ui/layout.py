"""The web chat's page, one function per tab, each returning the components the event wiring needs.

Element ids and labels are what the browser tests rely on: change them only together with
tests/test_ui_browser.py. Components are created in page order, which also
fixes their ids in the Gradio config.
"""

from __future__ import annotations

import ui.offline  # noqa: F401 - before gradio: nothing leaves the machine

# isort: split

from dataclasses import dataclass

import gradio as gr

from rag.llm.models import PACKAGED
from rag.settings import Settings
from ui.render import sources_panel
from ui.uploads import ALLOWED_SUFFIXES

MODE_CHOICES = [
    ("Auto: the local model when installed, else Ollama", "auto"),
    ("Local model (in-process)", "local"),
    ("Ollama", "ollama"),
    ("OpenAI-compatible server", "openai"),
    ("Extractive (no LLM)", "none"),
]


def model_choices(settings: Settings, names: list[str]) -> list[tuple[str, str]]:
    """Blank means each backend's own default, so a local model's name never reaches Ollama unasked."""
    default = f"default (local: {settings.answer.llm.model}; Ollama: {settings.answer.llm.ollama_model})"
    named = sorted({*PACKAGED, *(n for n in names if n)})
    return [(default, ""), *((n, n) for n in named)]


@dataclass(frozen=True)
class ChatTab:
    """The conversation, its input row, the feedback row and the sources panel beside them."""

    chatbot: gr.Chatbot
    question: gr.Textbox
    ask_button: gr.Button
    stop_button: gr.Button
    comment: gr.Textbox
    new_chat: gr.Button
    feedback_status: gr.Markdown
    panel: gr.HTML


@dataclass(frozen=True)
class DocumentsTab:
    """The indexed documents, which of them to search, and the upload and delete controls."""

    documents: gr.Dataframe
    searched: gr.CheckboxGroup
    files: gr.File
    doomed: gr.Dropdown
    delete_button: gr.Button
    status: gr.Markdown


@dataclass(frozen=True)
class SettingsTab:
    """The per-session answer options and the Ollama check."""

    top_k: gr.Slider
    mode: gr.Radio
    model: gr.Dropdown
    temperature: gr.Slider
    ollama_status: gr.Markdown
    check_button: gr.Button


def chat_tab(examples: list[str]) -> ChatTab:
    """Conversation on the left (wider), the cited passages of the selected answer on the right."""
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
            gr.Examples(examples, inputs=question, label="Examples")
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
    return ChatTab(chatbot, question, ask_button, stop_button, comment, new_chat, feedback_status, panel)


def documents_tab(max_upload_mb: float) -> DocumentsTab:
    """What is indexed, with upload and delete; the checkboxes limit which documents are searched."""
    with gr.Tab("Documents"):
        documents = gr.Dataframe(
            headers=["Title", "File", "Language", "Chunks"], interactive=False, elem_id="documents"
        )
        searched = gr.CheckboxGroup(label="Search these documents", elem_id="searched")
        with gr.Row():
            files = gr.File(
                file_count="multiple",
                file_types=list(ALLOWED_SUFFIXES),
                label=f"Add documents (.txt .md .html .pdf, up to {max_upload_mb:g} MB each)",
                elem_id="upload",
            )
            with gr.Column():
                doomed = gr.Dropdown(label="Delete a document", elem_id="delete-choice")
                delete_button = gr.Button("Delete", variant="stop", elem_id="delete-button")
        status = gr.Markdown(elem_id="documents-status")
    return DocumentsTab(documents, searched, files, doomed, delete_button, status)


def settings_tab(settings: Settings) -> SettingsTab:
    """Answer options start from the server's settings; each session may change its own copy."""
    with gr.Tab("Settings"):
        top_k = gr.Slider(1, 20, value=settings.retrieval.top_k, step=1, label="Passages to answer from (top-k)")
        mode = gr.Radio(MODE_CHOICES, value=settings.answer.llm.backend, label="Answer mode", elem_id="mode")
        model = gr.Dropdown(
            model_choices(settings, []),
            value="",
            allow_custom_value=True,
            label="Model (blank: the answer mode's default)",
            elem_id="model",
        )
        temperature = gr.Slider(0, 2, value=settings.answer.llm.temperature, step=0.05, label="Temperature")
        ollama_status = gr.Markdown(elem_id="ollama-status")
        check_button = gr.Button("Check Ollama")
    return SettingsTab(top_k, mode, model, temperature, ollama_status, check_button)
