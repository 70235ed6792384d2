"""Client/server mode against a real `chroma run` on loopback, started by the fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_settings

from bench.common import chroma_server, free_port
from rag.errors import RagError
from rag.service import RagService

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as (url, _pid):
        yield url


def test_ingest_retrieve_and_ask_through_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    service = RagService(make_settings(tmp_path, chroma_url=chroma_url, collection="server-test"))
    report = service.ingest()
    assert len(report.added) == 5 and report.chunks > 0
    assert not (tmp_path / "chroma").exists()  # nothing embedded locally: the vectors live on the server

    passages = service.retrieve("Who chaired the 6th ASEAN Digital Ministers' Meeting?")
    assert "001_c991d5dd9dcdba35.txt" in {p.source for p in passages}
    answer = service.ask("Who chaired the 6th ASEAN Digital Ministers' Meeting?", llm="none")
    assert "Nguyễn Mạnh Hùng" in answer.text

    # A second machine (another home, same server) sees the same collection and rebuilds its BM25 index.
    other = RagService(make_settings(tmp_path / "other", chroma_url=chroma_url, collection="server-test"))
    assert {s.source for s in other.sources()} == {s.source for s in service.sources()}
    assert other.retrieve("Bà Lê Thị Việt Lâm giữ chức vụ gì?")[0].source == "003_2b888d70eccc54c8.txt"
    assert other.ingest().skipped and not other.ingest().added


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    service = RagService(make_settings(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(RagError, match="Chroma server"):
        service.sources()
