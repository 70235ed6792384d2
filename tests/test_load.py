"""Long load on the running app: 1000 sequential questions with resident memory growing ≤ 10 %.

Too long for every CI run (about 1000 × the time of one answer); run it with
`python3 -m pytest -m load` (see the README's *Reliability and security*).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import CHAIR_QUESTION, rag_ui_server, rss_bytes

pytestmark = [pytest.mark.load, pytest.mark.timeout(3600)]

QUESTIONS = [
    CHAIR_QUESTION,
    "Cuộc họp các quan chức kỹ thuật số ASEAN diễn ra khi nào?",
    "What is the Hanoi Declaration?",
    "What is the boiling point of liquid nitrogen?",
    "Kế hoạch tổng thể số hóa ASEAN 2026–2030 được công bố khi nào?",
]


def test_thousand_sequential_questions_do_not_grow_memory(tmp_path: Path) -> None:
    from gradio_client import Client

    with rag_ui_server(tmp_path / "home") as (url, process):
        client = Client(url, verbose=False)
        # Warm up: the first questions index the corpus and fill caches, which is not growth.
        for i in range(50):
            client.predict(f"{QUESTIONS[i % len(QUESTIONS)]} ({i})", api_name="/ask")
        baseline = rss_bytes(process.pid)
        answered = 0
        for i in range(1000):
            # Distinct questions, so no cache answers for them.
            result = client.predict(f"{QUESTIONS[i % len(QUESTIONS)]} #{i}", api_name="/ask")
            answered += bool(result["answer"])
        growth = rss_bytes(process.pid) / baseline - 1
    print(f"1000 questions answered: {answered}; RSS {baseline / 1e6:.0f} MB, growth {growth:+.1%}")
    assert answered == 1000
    assert growth <= 0.10
