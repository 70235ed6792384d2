"""`rag eval seeds|blind3|thirdparty|xquad|compare|calibrate`, plugged into the `rag` command through the
"rag.commands" entry point."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.settings import RetrievalMode

MODES: tuple[RetrievalMode, ...] = ("hybrid", "dense", "bm25")


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = sub.add_parser("eval", help="measure retrieval, answers, citations and refusals")
    esub = parser.add_subparsers(dest="eval_command", required=True)

    def run_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--retrieval", choices=[*MODES, "all"], default="hybrid", help="retriever(s) to evaluate")
        p.add_argument(
            "--llm",
            choices=["auto", "local", "ollama", "openai", "none"],
            default="none",
            help="answer mode (default: none, extractive)",
        )
        p.add_argument("--out", type=Path, help="output folder (default: eval-runs/<suite>-<time>-<settings hash>)")
        p.add_argument("--quiet", action="store_true", help="no progress bars")
        p.add_argument("--judge", action="store_true", help="add LLM-judge metrics when Ollama answers")
        p.add_argument("--home", help="where the evaluation collections live (default: RAG_HOME)")
        p.set_defaults(handler=handle)

    seeds = esub.add_parser("seeds", help="the hand-written questions on the bundled corpus")
    seeds.add_argument("--split", choices=["dev", "test", "all"], default="all")
    seeds.add_argument("--tasks", default="all", help="comma-separated: en-en,vi-vi,en-vi,vi-en,multi,unanswerable")
    run_options(seeds)

    blind3 = esub.add_parser("blind3", help="a third blind set on the bundled corpus, written before any run")
    run_options(blind3)

    third = esub.add_parser("thirdparty", help="questions on 24 third-party documents (man pages, FAQs, HTML, PDF)")
    third.add_argument("--split", choices=["dev", "test", "all"], default="all")
    run_options(third)

    xquad = esub.add_parser("xquad", help="XQuAD English/Vietnamese paragraph retrieval and answers")
    xquad.add_argument("--tasks", default="all", help="comma-separated: en-en,vi-vi,en-vi,vi-en,mixed-en,mixed-vi")
    xquad.add_argument("--limit", type=int, help="only the first N questions of each language")
    run_options(xquad)

    cmp = esub.add_parser("compare", help="per-metric deltas between two runs (folders or summary.json files)")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    cmp.set_defaults(handler=handle)

    cal = esub.add_parser(
        "calibrate", help="fit the refusal model on the dev questions (seeds and third-party dev halves)"
    )
    cal.add_argument("runs", type=Path, nargs="*", help="dev-split run folders to fit on (default: run both now)")
    cal.add_argument("--max-refused-answerable", type=float, default=0.07)
    cal.add_argument("--write", type=Path, help="where to store the model (e.g. rag/answer/refusal_model.json)")
    cal.add_argument("--quiet", action="store_true", help="no progress bars")
    cal.add_argument("--home", help="where the evaluation collections live (default: RAG_HOME)")
    cal.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Any) -> int:
    from evals import datasets, report
    from evals.runner import RunConfig, run

    if args.eval_command == "compare":
        print(report.compare(_load_summary(args.a), _load_summary(args.b)))
        return 0
    if args.eval_command == "calibrate":
        return _calibrate(args, settings)

    modes: tuple[RetrievalMode, ...] = MODES if args.retrieval == "all" else (args.retrieval,)
    if args.eval_command == "seeds":
        tasks = datasets.seeds_suite(args.split)
        if args.tasks != "all":
            wanted = {t.strip() for t in args.tasks.split(",")}
            if unknown := wanted - {t.name for t in tasks}:
                raise ValueError(f"unknown task(s) {sorted(unknown)}: choose among {sorted(t.name for t in tasks)}")
            tasks = [t for t in tasks if t.name in wanted]
        suite = f"seeds-{args.split}" + ("" if args.tasks == "all" else "-" + "+".join(t.name for t in tasks))
    elif args.eval_command == "blind3":
        tasks = datasets.blind3_suite()
        suite = "blind3"
    elif args.eval_command == "thirdparty":
        tasks = datasets.thirdparty_suite(args.split)
        suite = f"thirdparty-{args.split}"
    else:
        names = datasets.XQUAD_TASKS if args.tasks == "all" else tuple(t.strip() for t in args.tasks.split(","))
        if args.limit is not None and args.limit < 1:
            raise ValueError("--limit must be at least 1")
        tasks = datasets.xquad_suite(settings.home / "evals" / "xquad-docs", names, args.limit)
        suite = "xquad" + (f"-limit{args.limit}" if args.limit else "")

    fingerprint = settings.model_dump_json(exclude={"home"}) + json.dumps([suite, modes, args.llm])
    digest = hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()[:8]
    created = time.strftime("%Y-%m-%dT%H:%M:%S")
    out = args.out or Path("eval-runs") / f"{suite}-{time.strftime('%Y%m%d-%H%M%S')}-{digest}"

    started = time.perf_counter()
    config = RunConfig(modes=modes, llm=args.llm, judge=args.judge, show_progress=not args.quiet)
    rows = run(settings, tasks, config)
    meta = {
        "created": created,
        "out": str(out),
        "settings_hash": digest,
        "settings": json.loads(settings.model_dump_json(exclude={"home"})),
        "llm": args.llm,
        "seconds": round(time.perf_counter() - started, 1),
    }
    summary = report.summarise(suite, rows, meta)
    written = report.write(out, summary, rows)
    print(_headline(summary))
    print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0


def _headline(summary: dict[str, Any]) -> str:
    lines = [f"{summary['suite']}: {summary['seconds']} s"]
    for mode, data in summary["modes"].items():
        o = data["overall"]
        parts = [
            f"{k} {o[k]:.3f}"
            for k in ("hit@1", "hit@5", "mrr@10", "answer_contains", "gold_source_cited", "refusal_f1")
            if o.get(k) is not None
        ]
        lines.append(f"  {mode:6} " + ", ".join(parts))
    return "\n".join(lines)


def _load_rows(path: Path) -> list[dict[str, Any]]:
    file = path / "results.jsonl" if path.is_dir() else path
    try:
        return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read run results at {file}: {exc}") from exc


def _calibrate(args: argparse.Namespace, settings: Any) -> int:
    """The refusal model from dev questions only: the test halves and blind sets then measure it."""
    from evals import datasets
    from evals.calibrate import fit_refusal_models
    from evals.runner import RunConfig, run

    rows: list[dict[str, Any]] = []
    for folder in args.runs:
        suite = str(_load_summary(folder).get("suite", ""))
        if not suite.endswith("-dev"):
            raise ValueError(f"{folder} is a {suite or 'unknown'} run: calibrate on dev-split runs only")
        rows += [r for r in _load_rows(folder) if r["mode"] == "hybrid"]
    if not args.runs:
        config = RunConfig(modes=("hybrid",), llm="none", show_progress=not args.quiet)
        rows = run(settings, datasets.seeds_suite("dev") + datasets.thirdparty_suite("dev"), config)
    fitted = fit_refusal_models(
        rows, settings.embedding.model, args.max_refused_answerable, settings.answer.refusal.evidence
    )
    for name, model in fitted["models"].items():
        cv = model["fitted_on"]["cross_validated"]
        print(
            f"{name}: fitted on {model['fitted_on']['questions']} dev questions; threshold {model['threshold']:g}; "
            f"cross-validated refusal F1 {cv['refusal_f1']:.3f}, refuses {cv['refused_unanswerable']:.0%} of "
            f"unanswerable and {cv['refused_answerable']:.0%} of answerable"
        )
    text = json.dumps(fitted, indent=1) + "\n"
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        print(f"wrote {args.write}", file=sys.stderr)
    else:
        print(text, end="")
    return 0


def _load_summary(path: Path) -> dict[str, Any]:
    file = path / "summary.json" if path.is_dir() else path
    try:
        data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read a run summary at {file}: {exc}") from exc
    data.setdefault("out", str(path))
    return data
