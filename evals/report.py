"""Aggregates and writes a run: summary.json, results.jsonl, report.md and PNG plots."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals import metrics as m
from evals.judge import JUDGE_METRICS

RETRIEVAL = ["hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10", "recall@5", "recall@10"]
ANSWERS = ["answer_contains", "token_f1", "baseline_first_sentence_contains", "in_question_language"]
LLM = ["llm_answered", "fell_back", "llm_sentences_verified"]
CITATIONS = ["gold_source_cited", "citation_validity", "citation_precision", "citation_recall"]
REFUSALS = ["refusal_precision", "refusal_recall", "refusal_f1", "refused_answerable"]
STAGES = ["retrieve", "generate", "ask"]


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Means of the per-question metrics (absent values stay absent), refusal scores, latencies."""
    out: dict[str, Any] = {
        "questions": len(rows),
        "answerable": sum(bool(r["answerable"]) for r in rows),
    }
    for name in RETRIEVAL + ANSWERS + CITATIONS + LLM:
        out[name] = _round(m.mean(r["metrics"].get(name) for r in rows))
    for name in JUDGE_METRICS:  # present only when a judge ran: absent, never 0
        if any(name in r["metrics"] for r in rows):
            out[name] = _round(m.mean(r["metrics"].get(name) for r in rows))
    refusals = m.refusal_scores([bool(r["refused"]) for r in rows], [not r["answerable"] for r in rows])
    out.update({k: _round(v) for k, v in refusals.items()})
    answerable = [bool(r["refused"]) for r in rows if r["answerable"]]
    out["refused_answerable"] = _round(sum(answerable) / len(answerable)) if answerable else None
    for q, key in ((50, "latency_p50_ms"), (95, "latency_p95_ms")):
        out[key] = {s: _round(m.percentile([r["latency_ms"][s] for r in rows], q), 1) for s in STAGES}
        first = [r["latency_ms"]["first_token"] for r in rows if r["latency_ms"].get("first_token")]
        if first:
            out[key]["first_token"] = _round(m.percentile(first, q), 1)
    return out


def summarise(suite: str, rows: Sequence[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    modes: dict[str, Any] = {}
    for mode in dict.fromkeys(r["mode"] for r in rows):
        mode_rows = [r for r in rows if r["mode"] == mode]
        tasks = {
            t: aggregate([r for r in mode_rows if r["task"] == t]) for t in dict.fromkeys(r["task"] for r in mode_rows)
        }
        modes[mode] = {"overall": aggregate(mode_rows), "tasks": tasks}
    return {"suite": suite, **meta, "modes": modes}


def write(out: Path, summary: dict[str, Any], rows: Sequence[dict[str, Any]]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    with (out / "results.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out / "report.md").write_text(markdown(summary), encoding="utf-8")
    return [out / "summary.json", out / "results.jsonl", out / "report.md", *plots(out, summary, rows)]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _table(headers: Sequence[str], lines: Sequence[Sequence[Any]]) -> str:
    text = "| " + " | ".join(headers) + " |\n|" + "---|" * len(headers) + "\n"
    return text + "".join("| " + " | ".join(_cell(c) for c in line) + " |\n" for line in lines)


def markdown(summary: dict[str, Any]) -> str:
    modes = summary["modes"]
    parts = [
        f"# Evaluation: {summary['suite']}\n",
        f"Run {summary.get('created', '')}; settings `{summary.get('settings_hash', '')}`.\n",
    ]
    if len(modes) > 1:
        parts.append("\n## Retrievers side by side (hit@1 / hit@5 / mrr@10)\n\n")
        tasks = [*list(next(iter(modes.values()))["tasks"]), "overall"]
        lines = []
        for task in tasks:
            line: list[Any] = [task]
            for mode in modes:
                agg = modes[mode]["overall"] if task == "overall" else modes[mode]["tasks"][task]
                line.append(" / ".join(_cell(agg[k]) for k in ("hit@1", "hit@5", "mrr@10")))
            lines.append(line)
        parts.append(_table(["task", *modes], lines))
    for mode, data in modes.items():
        rows = [(task, agg) for task, agg in data["tasks"].items()] + [("overall", data["overall"])]
        for title, names in (
            ("Retrieval (document level)", RETRIEVAL),
            ("Answers", ANSWERS),
            ("Citations", CITATIONS),
            ("Refusals", REFUSALS),
            *([("LLM answers", LLM)] if data["overall"].get("llm_answered") is not None else []),
            *([("LLM judge", list(JUDGE_METRICS))] if all(n in data["overall"] for n in JUDGE_METRICS) else []),
        ):
            parts.append(f"\n## {title} — {mode}\n\n")
            parts.append(
                _table(["task", "n", *names], [[t, a["questions"], *(a.get(n) for n in names)] for t, a in rows])
            )
        parts.append(f"\n## Latency (ms, p50 / p95) — {mode}\n\n")
        stages = [*STAGES, *(["first_token"] if "first_token" in data["overall"]["latency_p50_ms"] else [])]
        parts.append(
            _table(
                ["task", *stages],
                [
                    [
                        t,
                        *(f"{_cell(a['latency_p50_ms'].get(s))} / {_cell(a['latency_p95_ms'].get(s))}" for s in stages),
                    ]
                    for t, a in rows
                ],
            )
        )
    parts.append("\n– : not defined for this set (e.g. refusal precision when nothing was refused).\n")
    return "".join(parts)


def plots(out: Path, summary: dict[str, Any], rows: Sequence[dict[str, Any]]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    written = []
    modes = summary["modes"]
    tasks = list(next(iter(modes.values()))["tasks"])
    names = ["hit@1", "hit@5", "mrr@10", "answer_contains", "gold_source_cited"]
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 4), sharey=True)
    width = 0.8 / max(1, len(modes))
    for ax, name in zip(axes, names, strict=True):
        for i, mode in enumerate(modes):
            values = [modes[mode]["tasks"][t].get(name) or 0.0 for t in tasks]
            ax.bar([x + i * width for x in range(len(tasks))], values, width, label=mode)
        ax.set_title(name)
        ax.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(tasks))], tasks, rotation=45, ha="right")
        ax.set_ylim(0, 1)
    axes[0].legend()
    fig.tight_layout()
    path = out / "metrics_by_task.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    written.append(path)

    fig, ax = plt.subplots(figsize=(7, 4))
    for stage in ("retrieve", "generate"):
        values = [r["latency_ms"][stage] for r in rows]
        ax.hist(values, bins=40, alpha=0.6, label=stage)
    ax.set_xlabel("milliseconds")
    ax.set_ylabel("questions")
    ax.set_title("Latency per stage")
    ax.legend()
    fig.tight_layout()
    path = out / "latency.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    written.append(path)
    return written


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Per-metric deltas (B − A) for every mode and task the two runs share."""
    lines = [f"A: {a.get('out', '?')}  B: {b.get('out', '?')}"]
    numeric = RETRIEVAL + ANSWERS + CITATIONS + REFUSALS
    for mode in a["modes"]:
        if mode not in b["modes"]:
            continue
        for task in [*a["modes"][mode]["tasks"], "overall"]:
            pa = a["modes"][mode]["overall"] if task == "overall" else a["modes"][mode]["tasks"].get(task)
            pb = b["modes"][mode]["overall"] if task == "overall" else b["modes"][mode]["tasks"].get(task)
            if pa is None or pb is None:
                continue
            lines.append(f"\n[{mode}] {task}")
            for name in numeric:
                va, vb = pa.get(name), pb.get(name)
                if va is None and vb is None:
                    continue
                delta = "" if va is None or vb is None else f"{vb - va:+.3f}"
                lines.append(f"  {name:34} {_cell(va):>7} -> {_cell(vb):>7}  {delta}")
            for key in ("latency_p50_ms", "latency_p95_ms"):
                for stage in STAGES:
                    va, vb = pa[key].get(stage), pb[key].get(stage)
                    if va is not None and vb is not None:
                        lines.append(f"  {key + ' ' + stage:34} {va:7.1f} -> {vb:7.1f}  {vb - va:+.1f}")
    return "\n".join(lines)
