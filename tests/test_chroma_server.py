"""Client/server mode against a real `chroma run` on loopback, started by the fixture."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_settings

from rag.errors import RagError
from rag.service import RagService

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("chroma")
    assert exe, "the chroma CLI ships with the chromadb package"
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


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
    service = RagService(make_settings(tmp_path, chroma_url=f"http://127.0.0.1:{_free_port()}"))
    with pytest.raises(RagError, match="Chroma server"):
        service.sources()
