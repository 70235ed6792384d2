"""Measure the core on the hand-made questions of data/gold/corpus_qa.jsonl (extractive mode).

    python bench/core_questions.py --split dev       # what thresholds are tuned on
    python bench/core_questions.py --split test      # held out

Prints, per task, how often the gold document is cited, how often answers are refused, and how
often the answer contains a reference answer; with --calibrate, the refusal threshold that maximises
refusal F1 on the chosen split while refusing at most 10% of the answerable questions.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

from rag import Settings
from rag.service import RagService

GOLD = Path(__file__).resolve().parent.parent / "data" / "gold" / "corpus_qa.jsonl"


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()

    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if args.split == "all" or r["split"] == args.split]
    with tempfile.TemporaryDirectory() as home:
        service = RagService(Settings(home=Path(home), llm="none"))
        t = time.perf_counter()
        report = service.ingest()
        print(f"ingest: {report.summary()} (wall {time.perf_counter() - t:.1f} s incl. model load)")
        results = []
        latencies = []
        for row in rows:
            t = time.perf_counter()
            answer = service.ask(row["question"], llm="none")
            latencies.append((time.perf_counter() - t) * 1000)
            cited = {c.source for c in answer.citations}
            results.append(
                {
                    **row,
                    "refused": answer.refused,
                    "evidence": answer.evidence,
                    "gold_cited": bool(set(row["sources"]) & cited),
                    "contains": any(_norm(a) in _norm(answer.text) for a in row["answers"]),
                    "text": answer.text,
                }
            )
    by_task: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in results:
        by_task[str(r["task"])].append(r)
    print(f"{'task':14} {'n':>3} {'gold cited':>10} {'refused':>8} {'contains':>9}")
    for task, items in sorted(by_task.items()):
        n = len(items)
        print(
            f"{task:14} {n:3d} {sum(bool(i['gold_cited']) for i in items) / n:10.2f} "
            f"{sum(bool(i['refused']) for i in items) / n:8.2f} {sum(bool(i['contains']) for i in items) / n:9.2f}"
        )
    answerable = [r for r in results if r["answerable"]]
    unanswerable = [r for r in results if not r["answerable"]]
    print(
        f"answerable: gold cited {sum(r['gold_cited'] for r in answerable) / len(answerable):.3f}, "
        f"refused {sum(r['refused'] for r in answerable) / len(answerable):.3f}, "
        f"contains {sum(r['contains'] for r in answerable) / len(answerable):.3f}; "
        f"unanswerable refused {sum(r['refused'] for r in unanswerable) / max(1, len(unanswerable)):.3f}"
    )
    latencies.sort()
    print(f"ask() p50 {latencies[len(latencies) // 2]:.0f} ms, p95 {latencies[int(len(latencies) * 0.95) - 1]:.0f} ms")
    if args.verbose:
        for r in results:
            mark = "OK " if (r["gold_cited"] if r["answerable"] else r["refused"]) else "BAD"
            print(f"{mark} {r['id']} {r['task']:12} ev={r['evidence']:.3f} ref={r['refused']!s:5} {r['question']}")
            if mark == "BAD":
                print(f"      -> {str(r['text'])[:160]}")
    if args.calibrate:
        _calibrate(results)


def _calibrate(results: list[dict[str, object]]) -> None:
    best = None
    for i in range(0, 101):
        theta = i / 100
        refused = [float(str(r["evidence"])) < theta for r in results]
        tp = sum(ref and not r["answerable"] for ref, r in zip(refused, results, strict=True))
        fp = sum(ref and bool(r["answerable"]) for ref, r in zip(refused, results, strict=True))
        fn = sum((not ref) and not r["answerable"] for ref, r in zip(refused, results, strict=True))
        n_ans = sum(bool(r["answerable"]) for r in results)
        f1 = 2 * tp / max(1, 2 * tp + fp + fn)
        if fp / max(1, n_ans) <= 0.10 and (best is None or f1 > best[1]):
            best = (theta, f1, tp, fp, fn)
    print(f"calibrated threshold {best}")


if __name__ == "__main__":
    main()
