"""The `rag` command. Errors become one line on stderr and a non-zero exit code, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

EXIT_ERROR = 2
EXIT_PARTIAL = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Ask questions about your documents, in English or Vietnamese, with cited answers."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--collection", "-c", help="collection name (default: RAG_COLLECTION or 'default')")
        p.add_argument("--home", help="where the index lives (default: RAG_HOME)")

    p_ingest = sub.add_parser("ingest", help="add files or folders to a collection (default: the bundled corpus)")
    p_ingest.add_argument("paths", nargs="*", help=".txt, .md, .html or .pdf files, or folders of them")
    p_ingest.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    p_ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    common(p_ingest)

    p_ask = sub.add_parser("ask", help="answer a question with citations")
    p_ask.add_argument("question")
    p_ask.add_argument("--top-k", "-k", type=int, help="passages to answer from (default: RAG_TOP_K or 5)")
    p_ask.add_argument(
        "--llm",
        choices=["auto", "local", "ollama", "openai", "none"],
        help="answer with: auto (the local model when installed), local, ollama, openai, or none (extractive)",
    )
    p_ask.add_argument("--source", action="append", dest="sources", help="search only this document (repeatable)")
    p_ask.add_argument("--json", action="store_true", help="print the full answer as JSON")
    common(p_ask)

    p_llm = sub.add_parser("llm", help="the local model: `rag llm serve` starts llama.cpp's OpenAI-compatible server")
    llm_sub = p_llm.add_subparsers(dest="llm_command", required=True)
    p_serve = llm_sub.add_parser("serve", help="serve the packaged (or a named) model over an OpenAI-compatible API")
    p_serve.add_argument("--model", "-m", help="qwen2.5-coder-1.5b, qwen2.5-coder-0.5b or a .gguf path (RAG_LLM_MODEL)")
    p_serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p_serve.add_argument("--port", type=int, default=8080)
    common(p_serve)

    p_sources = sub.add_parser("sources", help="list the documents in a collection")
    p_sources.add_argument("--json", action="store_true")
    common(p_sources)

    # Commands of the packages above this one (`rag eval`, `rag ui`) plug in through entry points,
    # so that rag never imports them: imports point one way, from those packages to rag.
    from importlib.metadata import entry_points

    for entry in sorted(entry_points(group="rag.commands"), key=lambda e: e.name):
        entry.load()(sub, common)
    return parser


def _settings(args: argparse.Namespace) -> Any:
    from rag.settings import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "home", None):
        overrides["home"] = args.home
    if getattr(args, "collection", None):
        overrides["collection"] = args.collection
    if getattr(args, "top_k", None) is not None:
        overrides["top_k"] = args.top_k
    if getattr(args, "llm", None):
        overrides["llm"] = args.llm
    return Settings(**overrides)


def _run(args: argparse.Namespace) -> int:
    from rag.service import service_for

    settings = _settings(args)
    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args, settings))
    if args.command == "llm":
        from rag.llm.serve import serve

        model = args.model or settings.answer.llm.model
        return serve(
            model, settings.home, args.host, args.port, settings.answer.llm.context, settings.answer.llm.threads
        )
    service = service_for(settings)
    if args.command == "ingest":
        report = service.ingest(args.paths or None, prune=args.prune, show_progress=not args.json)
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            for name, reason in sorted(report.failed.items()):
                print(f"failed: {name}: {reason}", file=sys.stderr)
            for name, notes in sorted(report.warnings.items()):
                print(f"read with warnings: {name}: {'; '.join(notes)}")
            print(report.summary())
        return EXIT_PARTIAL if report.failed else 0
    if args.command == "ask":
        if args.question.strip() and service.store().count() == 0 and not args.json:
            print("Indexing the bundled documents first (one time)…", file=sys.stderr)
        answer = service.ask(args.question, sources=args.sources)
        if args.json:
            print(answer.model_dump_json(indent=2))
        else:
            print(_render(answer))
        return 0
    if args.command == "sources":
        infos = service.sources()
        if args.json:
            print(json.dumps([i.model_dump() for i in infos], ensure_ascii=False, indent=2))
        elif not infos:
            print(f"collection {settings.collection!r} is empty: run `rag ingest`")
        else:
            for info in infos:
                print(f"{info.source}  [{info.language}, {info.chunks} chunks]  {info.title}")
        return 0
    raise AssertionError(args.command)


def _render(answer: Any) -> str:
    lines = [answer.text, ""]
    if answer.refused:
        lines.append("Not in the documents. Closest passages:")
        for p in answer.passages[:3]:
            lines.append(f"  - {p.source} ({p.chunk_id}): {textwrap.shorten(p.text, 110)}")
    else:
        lines.append("Sources:")
        for c in answer.citations:
            quote = " … ".join(c.text[s:e] for s, e in c.highlights) or c.text
            flag = "" if c.supported else "  (weak support)"
            lines.append(f"  [{c.n}] {c.source} — {c.title}{flag}")
            lines.append(textwrap.indent(textwrap.fill(textwrap.shorten(quote, 400), 96), "      "))
    if answer.mode == "llm":
        mode = f"LLM ({answer.model}, {answer.backend}; every sentence checked against its source)"
    elif any("LLM" in w and "no llm answered" not in w.lower() for w in answer.warnings):
        mode = "extractive (the LLM did not give a verified answer: see the notes)"
    else:
        mode = "extractive (no LLM)"
    lines.append("")
    lines.append(f"mode: {mode}; {answer.timings.get('total_ms', 0):.0f} ms")
    lines.extend(f"note: {w}" for w in answer.warnings)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place every error becomes a single line
        from pydantic import ValidationError

        from rag.settings import setting_name

        if isinstance(exc, ValidationError):
            message = "; ".join(f"{setting_name(e['loc'])}: {e['msg']}" for e in exc.errors())
            print(f"error: invalid setting: {message}", file=sys.stderr)
        else:
            print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
