"""The web chat's event handlers, as methods over the one shared RAG service.

The handlers hold no per-user state: the app serves many users at once, so each session's
conversation travels in a ``gr.State`` (``ChatSession``) and its options in component values.
"""

from __future__ import annotations

import ui.offline  # noqa: F401 - before gradio: nothing leaves the machine

# isort: split

import logging
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from rag.answer.citations import strip_markers
from rag.errors import RagError
from rag.llm import LLMError, OllamaChat
from rag.service import RagService
from rag.settings import Settings
from rag.types import Answer
from ui.api import answer_payload
from ui.feedback import append_feedback, feedback_record
from ui.layout import model_choices
from ui.render import chat_message, retrieved_panel, sources_panel, streaming_message
from ui.uploads import UploadError, store_upload

log = logging.getLogger("ui.app")  # the logger these records had before the handlers left ui/app.py

# What `respond` yields: the question box, the chat, the session and the sources panel.
ChatUpdate = tuple[Any, ...]


@dataclass
class ChatSession:
    """One browser session's conversation: what ask() needs for follow-ups, and each turn's answer."""

    history: list[dict[str, str]] = field(default_factory=list)
    answers: list[Answer | None] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)


def _turn(index: int | tuple[int, int]) -> int:
    """A chat message's index to its turn: each turn is a question and its answer."""
    return int(index if isinstance(index, int) else index[0]) // 2


class Handlers:
    """Every event of the page, bound to the shared service (which serialises its own writes) and the
    app's settings; both are read-only here, so one instance serves every session."""

    def __init__(self, service: RagService, settings: Settings) -> None:
        self.service = service
        self.settings = settings

    # -- chat ----------------------------------------------------------------------------------

    def respond(
        self,
        message: str,
        chat: list[dict[str, Any]],
        session: ChatSession,
        top_k: float,
        mode: str,
        model: str,
        temperature: float,
        selected: list[str],
        total_documents: int,
    ) -> Iterator[ChatUpdate]:
        """Stream one answer into the chat, its passages into the panel, and record the turn."""
        question = (message or "").strip()
        if not question:
            yield message, chat, session, gr.skip()
            return
        turn = len(session.answers)
        chat = [*chat, {"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        yield "", chat, session, sources_panel(None, turn)
        sources = list(selected) if selected and len(selected) < total_documents else None
        try:
            events = self.service.ask_stream(
                question,
                top_k=int(top_k),
                sources=sources,
                llm=mode,  # type: ignore[arg-type]
                history=session.history,
                llm_model=model or None,
                temperature=temperature,
            )
            answer = yield from _stream(events, chat, session, turn, mode, model)
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

    def show_turn(self, session: ChatSession, evt: gr.SelectData) -> Any:
        """Clicking an answer shows that answer's sources, not only the latest one's."""
        turn = _turn(evt.index)
        if 0 <= turn < len(session.answers):
            return sources_panel(session.answers[turn], turn)
        return gr.skip()

    def rate(
        self,
        session: ChatSession,
        comment: str,
        top_k: float,
        mode: str,
        model: str,
        temperature: float,
        evt: gr.LikeData,
    ) -> tuple[str, str]:
        """A thumbs up or down, with the options that produced the answer, for the gold set."""
        turn = _turn(evt.index)
        answer = session.answers[turn] if 0 <= turn < len(session.answers) else None
        if answer is None:
            return "Nothing to rate there.", comment
        liked = evt.liked is True or evt.liked == "Like"
        options = {"top_k": int(top_k), "llm": mode, "llm_model": model, "temperature": temperature}
        append_feedback(self.settings.feedback_file, feedback_record(answer, liked, comment or "", options))
        return f"Thanks — feedback on answer {turn + 1} saved.", ""

    # -- documents -----------------------------------------------------------------------------

    def refresh_documents(self, selected: list[str] | None) -> tuple[Any, ...]:
        """The table, the search checkboxes (keeping the user's choice) and the delete list."""
        infos = self.service.sources()
        rows = [[i.title, i.source, i.language, i.chunks] for i in infos]
        choices = [(f"{i.title or i.source} ({i.source})", i.source) for i in infos]
        names = [value for _, value in choices]
        keep = [s for s in (selected or []) if s in names]
        value = keep if selected else names
        return rows, gr.update(choices=choices, value=value), gr.update(choices=choices, value=None), len(names)

    def upload(
        self,
        files: list[str] | None,
        selected: list[str],
        progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 - how gradio injects progress
    ) -> tuple[Any, ...]:
        """Store and index each uploaded file; a new document is searched at once."""
        lines: list[str] = []
        added: list[str] = []
        taken = {i.source for i in self.service.sources()}
        for temp in files or []:
            line, name = self._add(Path(temp), taken, progress)
            lines.append(line)
            if name is not None:
                added.append(name)
        rows, docs, deletable, total = self.refresh_documents([*(selected or []), *added])
        return "\n".join(lines) or "No file chosen.", None, rows, docs, deletable, total

    def _add(self, temp: Path, taken: set[str], progress: gr.Progress) -> tuple[str, str | None]:
        """One upload: its report line, and its stored name if it was indexed (else nothing is kept)."""
        try:
            stored = store_upload(
                temp, temp.name, self.settings.uploads_dir, int(self.settings.ui.max_upload_mb * 1e6), taken
            )
        except UploadError as exc:
            return f"- ✗ {exc}", None
        progress(0, desc=f"Indexing {stored.name}")
        try:
            report = self.service.ingest([stored.path], show_progress=True)
        except RagError as exc:  # e.g. the embedding model cannot be reached: nothing was indexed
            stored.path.unlink(missing_ok=True)
            return f"- ✗ `{stored.name}`: {exc}", None
        if report.failed:
            stored.path.unlink(missing_ok=True)
            return "\n".join(f"- ✗ `{stored.name}`: {reason}" for reason in report.failed.values()), None
        log.info("uploaded and indexed %s", stored.name)
        return f"- ✓ `{stored.name}`: {report.summary()}", stored.name

    def delete(self, source: str | None, selected: list[str]) -> tuple[Any, ...]:
        """Remove a document from the index and its uploaded copy, then refresh the lists."""
        if not source:
            message = "Choose a document to delete."
        else:
            try:
                removed = self.service.delete_source(source)
                upload_copy = self.settings.uploads_dir / source
                if upload_copy.is_file():
                    upload_copy.unlink()
                message = f"Deleted `{source}` ({removed} chunks)."
                log.info("deleted %s", source)
            except RagError as exc:
                message = f"✗ {exc}"
        return (message, *self.refresh_documents(selected))

    # -- settings and API ----------------------------------------------------------------------

    def check_ollama(self, current: str) -> tuple[str, Any]:
        """Whether Ollama answers, and its models offered in the model box (keeping the user's)."""
        status, models = _ollama_status(self.service)
        return status, gr.update(choices=model_choices(self.settings, [*models, current]), value=current or "")

    def ask(self, question: str) -> dict[str, Any]:
        """Answer a question from the documents: the answer text, whether it was refused, and its
        cited sources (number, file name, title, passage); for a refusal, the closest passages."""
        try:
            answer = self.service.ask(question)
        except (RagError, ValueError) as exc:
            raise gr.Error(str(exc)) from exc
        log.info("/ask answered in %s mode (refused=%s)", answer.mode, answer.refused)
        return answer_payload(answer)


def _stream(
    events: Iterable[Any], chat: list[dict[str, Any]], session: ChatSession, turn: int, mode: str, model: str
) -> Generator[ChatUpdate, None, Answer | None]:
    """Show the retrieved passages, then the quick answer, then the model's text as it comes; return
    the final answer. Closing this generator (the Stop button) closes the service's stream too."""
    answer: Answer | None = None
    quick: Answer | None = None
    text = ""
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
    return answer


def _ollama_status(service: RagService) -> tuple[str, list[str]]:
    """A one-line status for the Settings tab, and the models Ollama has (none when unreachable)."""
    host = service.settings.ollama_host
    try:
        models = OllamaChat(
            host, service.settings.answer.llm.ollama_model, service.settings.answer.llm.timeout
        ).models()
    except LLMError as exc:
        return f"**Ollama:** not reachable ({exc}). Answers are extractive.", []
    listed = ", ".join(f"`{m}`" for m in models) or "none (run `ollama pull …`)"
    return f"**Ollama:** reachable at `{host}`. Models: {listed}.", models
