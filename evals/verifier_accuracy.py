"""The verifier against hand labels: LLM sentences (from `rag eval seeds --llm local` runs) labelled
supported or unsupported by reading the passage they were checked on (evals/data/verifier_labels.jsonl).

    python3 -m evals.verifier_accuracy
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from pathlib import Path

from evals.datasets import DATA, load_gold
from ingest.language import detect_language
from rag.answer.verify import verify
from rag.service import RagService
from rag.settings import Settings
from rag.types import Passage

LABELS = DATA / "verifier_labels.jsonl"
_MARKERS = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


def main() -> int:
    service = RagService(Settings(home=Path(tempfile.mkdtemp(prefix="rag-verifier-")), llm="none"))
    counts: Counter[str] = Counter()
    questions = {q.id: q.question for q in load_gold()}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["passage"]
        passage = Passage(
            source="p", chunk_id="p", text=text, score=1.0, start=0, end=len(text), language=detect_language(text)
        )
        # The sentence's markers named the passage in its prompt; here it is passage 1.
        checks = verify(
            _MARKERS.sub("[1]", row["sentence"]), [passage], service._cosines, questions[row["question_id"]]
        ).checks
        kept = bool(checks) and all(c.supported for c in checks)
        counts[f"{row['label']} {'kept' if kept else 'dropped'}"] += 1
    unsupported = counts["unsupported dropped"] + counts["unsupported kept"]
    supported = counts["supported dropped"] + counts["supported kept"]
    print(
        f"{unsupported + supported} labelled sentences: unsupported caught {counts['unsupported dropped']}/{unsupported}, "
        f"supported wrongly dropped {counts['supported dropped']}/{supported}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
