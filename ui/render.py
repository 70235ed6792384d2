"""Answers and their sources turned into what the chat shows: plain functions, testable without a browser.

Document text is untrusted: everything taken from an answer or a passage is escaped before it becomes
HTML or Markdown, so a document cannot inject markup into the page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from rag.answer.citations import MARKER
from rag.types import Answer, Citation, Passage

# Characters that Markdown would read as formatting; answers quote documents verbatim, so they are escaped
# (after HTML's own <, > and &, which become entities).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def mode_badge(answer: Answer, asked_mode: str) -> str:
    """The answer-mode label: the model's name in LLM mode, else why the answer is extractive."""
    if answer.mode == "llm":
        where = f" ({answer.backend})" if answer.backend else ""
        checked = " · every sentence verified" if answer.verification else ""
        return f"LLM · {answer.model}{where}{checked}"
    if answer.model:  # other-language passages: the quote, translated by the model above it
        return f"extractive · quote translated by {answer.model}"
    if asked_mode == "none":
        return "extractive — LLM off"
    if any("not reachable" in w for w in answer.warnings):
        return "extractive — no LLM running"
    if answer.verification:  # the model answered, and no sentence of it held up
        return "extractive — no sentence of the LLM answer was backed by the passages (see note)"
    if any("LLM" in w for w in answer.warnings):
        return "extractive — the LLM failed (see note)"
    return "extractive"


def anchor_id(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def _escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def linked_markers(text: str, turn: int) -> str:
    """Answer text as Markdown whose [n] markers are links to their source cards in the panel."""
    out: list[str] = []
    last = 0
    for match in MARKER.finditer(text):
        out.append(_escape_markdown(text[last : match.start()]))
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", match.group(1))]
        out.append("".join(f"[\\[{n}\\]](#{anchor_id(turn, n)})" for n in numbers))
        last = match.end()
    out.append(_escape_markdown(text[last:]))
    return "".join(out)


def chat_message(answer: Answer, turn: int, asked_mode: str) -> str:
    """The assistant's message: badges, the answer with linked markers, and any warnings."""
    badges = [f'<span class="rag-badge rag-mode">{html.escape(mode_badge(answer, asked_mode))}</span>']
    if answer.refused:
        badges.append('<span class="rag-badge rag-refused">not in the documents</span>')
    parts = [" ".join(badges), linked_markers(answer.text, turn)]
    if answer.warnings:
        parts.append("\n".join(f"<small>⚠ {html.escape(w)}</small>" for w in answer.warnings))
    return "\n\n".join(parts)


def streaming_message(text: str, asked_mode: str, model: str, quick: Answer | None = None, turn: int = 0) -> str:
    """The message while an LLM writes it: the quick (extractive) answer first, then the model's raw
    deltas, markers not linked yet and not verified yet."""
    badge = f"LLM · {model} — writing, not yet verified" if asked_mode != "none" else "extractive"
    writing = f'<span class="rag-badge rag-mode">{html.escape(badge)}</span>\n\n{_escape_markdown(text)}▌'
    if quick is None:
        return writing
    head = '<span class="rag-badge rag-quick">quick answer (quoted) — the model is reading the passages…</span>'
    return f"{head}\n\n{linked_markers(quick.text, turn)}\n\n---\n\n{writing}"


def highlighted(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Passage text as HTML with the spans that back the answer marked."""
    out: list[str] = []
    last = 0
    for start, end in sorted(spans):
        start, end = max(start, last), min(end, len(text))
        if start >= end:
            continue
        out.append(html.escape(text[last:start]))
        out.append(f'<mark class="rag-support">{html.escape(text[start:end])}</mark>')
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def _card(passage: Passage | Citation, turn: int, label: str, spans: Sequence[tuple[int, int]], flag: str) -> str:
    n = passage.n if isinstance(passage, Citation) else passage.rank
    title = html.escape(passage.title or passage.source)
    return (
        f'<div class="rag-source" id="{anchor_id(turn, n)}">'
        f'<div class="rag-source-head"><span class="rag-n">{html.escape(label)}</span> '
        f"<b>{title}</b>{flag}</div>"
        f'<div class="rag-source-meta"><code>{html.escape(passage.source)}</code> · '
        f"{html.escape(passage.language or '?')} · score {passage.score:.3f}</div>"
        f'<div class="rag-source-text">{highlighted(passage.text, spans)}</div></div>'
    )


def sources_panel(answer: Answer | None, turn: int) -> str:
    """The sources of one answer: its citations with the supporting sentences marked, or for a
    refusal the closest passages that were found."""
    if answer is None:
        return '<div class="rag-sources-empty">Sources of the answer appear here.</div>'
    if answer.citations:
        cards = [
            _card(
                c,
                turn,
                f"[{c.n}]",
                c.highlights,
                "" if c.supported else ' <span class="rag-weak">⚠ weak support</span>',
            )
            for c in answer.citations
        ]
        heading = f"Sources of answer {turn + 1}"
    else:
        cards = [_card(p, turn, f"#{p.rank}", [], "") for p in answer.passages]
        heading = f"Closest passages for answer {turn + 1} (not cited)"
    if not cards:
        return '<div class="rag-sources-empty">No passage was found.</div>'
    return f'<div class="rag-sources"><h4>{html.escape(heading)}</h4>{"".join(cards)}</div>'


def retrieved_panel(passages: Sequence[Passage], turn: int) -> str:
    """While an answer is written: what was retrieved, before it is known which passages are cited."""
    cards = [_card(p, turn, f"#{p.rank}", [], "") for p in passages]
    return f'<div class="rag-sources"><h4>Retrieved for answer {turn + 1}…</h4>{"".join(cards)}</div>'
