"""Prove that ``ollama_stub`` speaks the protocol the real ``ollama`` client expects.

Why: other tests trust the stub to stand in for an Ollama server, and the
production code catches exactly the exceptions pinned down here, so these
assertions double as the contract of the installed ``ollama`` client.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import ollama
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ollama_stub import CHUNK_CHARS, OllamaStub, Reply, running_stub

pytestmark = pytest.mark.timeout(10)

MODEL = "qwen2.5:3b"
MESSAGES = [
    {"role": "system", "content": "Answer from the context."},
    {"role": "user", "content": "What is RAG?"},
]


@pytest.fixture
def stub() -> Iterator[OllamaStub]:
    """A running stub, stopped after the test."""
    with running_stub() as s:
        yield s


@pytest.fixture
def client(stub: OllamaStub) -> Iterator[ollama.Client]:
    """A real ``ollama.Client`` pointed at the stub."""
    with ollama.Client(host=stub.url, timeout=2.0) as c:
        yield c


def test_url_is_loopback_with_real_port(stub: OllamaStub) -> None:
    assert stub.url.startswith("http://127.0.0.1:")
    assert int(stub.url.rsplit(":", 1)[1]) > 0


def test_root_version_head_and_unknown_path(stub: OllamaStub) -> None:
    r = httpx.get(stub.url + "/")
    assert (r.status_code, r.text) == (200, "Ollama is running")
    h = httpx.head(stub.url + "/")
    assert h.status_code == 200 and h.content == b""
    assert httpx.get(stub.url + "/api/version").json() == {"version": "0.12.0"}
    assert httpx.get(stub.url + "/api/nope").status_code == 404
    assert httpx.post(stub.url + "/api/generate", json={}).status_code == 404


def test_non_streaming_chat_returns_content(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(content="Retrieval-augmented generation [1]."))
    resp = client.chat(model=MODEL, messages=MESSAGES, stream=False)
    assert isinstance(resp, ollama.ChatResponse)
    assert resp.message.role == "assistant"
    assert resp.message.content == "Retrieval-augmented generation [1]."
    assert resp.done is True
    assert resp.done_reason == "stop"
    assert resp.model == MODEL
    assert resp.created_at
    assert resp.eval_count and resp.total_duration


def test_default_reply_when_queue_empty_and_fifo_order(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(content="first"), Reply(content="second"))
    got = [client.chat(model=MODEL, messages=MESSAGES).message.content for _ in range(3)]
    assert got == ["first", "second", "Stub answer [1]."]


def test_streaming_chat_chunks_concatenate_and_last_is_done(stub: OllamaStub, client: ollama.Client) -> None:
    text = "Streaming answer with a citation [2]."
    stub.script(Reply(content=text))
    chunks = list(client.chat(model=MODEL, messages=MESSAGES, stream=True))
    assert len(chunks) == -(-len(text) // CHUNK_CHARS) + 1
    assert "".join(c.message.content or "" for c in chunks) == text
    assert all(c.done is False for c in chunks[:-1])
    last = chunks[-1]
    assert last.done is True
    assert last.done_reason == "stop"
    assert last.message.content == ""
    assert last.eval_count is not None and last.total_duration is not None


def test_status_500_raises_response_error(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(status=500, error="boom"), Reply(status=500, error="boom"))
    with pytest.raises(ollama.ResponseError) as exc:
        client.chat(model=MODEL, messages=MESSAGES)
    assert exc.value.status_code == 500
    assert exc.value.error == "boom"

    # Streaming: nothing is sent until the generator is first advanced.
    gen = client.chat(model=MODEL, messages=MESSAGES, stream=True)
    assert len(stub.requests) == 1
    with pytest.raises(ollama.ResponseError) as exc:
        next(gen)
    assert exc.value.status_code == 500
    assert exc.value.error == "boom"


def test_unknown_model_is_404_and_does_not_consume_script(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(content="kept"))
    with pytest.raises(ollama.ResponseError) as exc:
        client.chat(model="llama3:8b", messages=MESSAGES)
    assert exc.value.status_code == 404
    assert exc.value.error == 'model "llama3:8b" not found, try pulling it first'
    with pytest.raises(ollama.ResponseError) as exc:
        next(client.chat(model="qwen2.5", messages=MESSAGES, stream=True))
    assert exc.value.status_code == 404  # "qwen2.5" means "qwen2.5:latest"
    assert client.chat(model=MODEL, messages=MESSAGES).message.content == "kept"


def test_malformed_body_raises_json_decode_error(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(malformed=True), Reply(malformed=True))
    with pytest.raises(json.JSONDecodeError):
        client.chat(model=MODEL, messages=MESSAGES)
    with pytest.raises(json.JSONDecodeError):
        list(client.chat(model=MODEL, messages=MESSAGES, stream=True))
    # The connection is still usable afterwards.
    assert client.chat(model=MODEL, messages=MESSAGES).message.content


def test_cut_stream_yields_partial_chunks_then_remote_protocol_error(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(content="abcdefghijklmnopqrst", cut_after=2))
    received: list[ollama.ChatResponse] = []
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
        for chunk in client.chat(model=MODEL, messages=MESSAGES, stream=True):
            received.append(chunk)
    assert [c.message.content for c in received] == ["abcd", "efgh"]
    assert not any(c.done for c in received)
    # The client recovers on a fresh connection.
    assert client.chat(model=MODEL, messages=MESSAGES).message.content


def test_cut_stream_before_any_chunk(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(content="abcdefgh", cut_after=0))
    gen = client.chat(model=MODEL, messages=MESSAGES, stream=True)
    with pytest.raises(httpx.RemoteProtocolError):
        next(gen)


def test_cut_non_streaming_body_raises_remote_protocol_error(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(content="some answer", cut_after=10))
    with pytest.raises(httpx.RemoteProtocolError, match="received 10 bytes"):
        client.chat(model=MODEL, messages=MESSAGES)


@pytest.mark.parametrize("stream", [False, True])
def test_delay_beyond_client_timeout_raises_read_timeout(stream: bool) -> None:
    timeout = 0.5
    s = OllamaStub().start()
    try:
        s.script(Reply(content="late", delay=30.0))
        with ollama.Client(host=s.url, timeout=timeout) as c:
            t0 = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                if stream:
                    next(c.chat(model=MODEL, messages=MESSAGES, stream=True))
                else:
                    c.chat(model=MODEL, messages=MESSAGES)
            elapsed = time.monotonic() - t0
        assert timeout * 0.8 <= elapsed < timeout + 1.0
        assert issubclass(httpx.ReadTimeout, httpx.TimeoutException)
    finally:
        t1 = time.monotonic()
        s.stop()
        stop_took = time.monotonic() - t1
    assert stop_took < 1.0


def test_delay_within_timeout_still_answers(stub: OllamaStub, client: ollama.Client) -> None:
    stub.script(Reply(content="slow but fine", delay=0.2))
    t0 = time.monotonic()
    assert client.chat(model=MODEL, messages=MESSAGES).message.content == "slow but fine"
    assert time.monotonic() - t0 >= 0.2


def test_list_returns_models(stub: OllamaStub, client: ollama.Client) -> None:
    stub.models.append("nomic-embed-text:latest")
    listed = client.list()
    assert [m.model for m in listed.models] == [MODEL, "nomic-embed-text:latest"]
    first = listed.models[0]
    assert first.digest and first.size and first.modified_at is not None
    assert first.details is not None and first.details.format == "gguf"
    raw = httpx.get(stub.url + "/api/tags").json()
    assert raw["models"][0]["name"] == MODEL


def test_show_known_and_unknown(stub: OllamaStub, client: ollama.Client) -> None:
    shown = client.show(MODEL)
    assert shown.details is not None and shown.modelinfo is not None
    with pytest.raises(ollama.ResponseError) as exc:
        client.show("missing:1b")
    assert exc.value.status_code == 404


def test_requests_record_messages_and_options(stub: OllamaStub, client: ollama.Client) -> None:
    client.chat(model=MODEL, messages=MESSAGES, options={"temperature": 0.1, "num_ctx": 4096})
    list(client.chat(model=MODEL, messages=MESSAGES[1:], stream=True))
    assert len(stub.requests) == 2
    first, second = stub.requests
    assert first["model"] == MODEL
    assert first["messages"] == MESSAGES
    assert first["options"] == {"temperature": 0.1, "num_ctx": 4096}
    assert first["stream"] is False
    assert second["messages"] == MESSAGES[1:]
    assert second["stream"] is True


def test_stopped_stub_gives_connection_error_and_frees_port() -> None:
    s = OllamaStub().start()
    url = s.url
    port = int(url.rsplit(":", 1)[1])
    s.stop()
    s.stop()  # idempotent
    with ollama.Client(host=url, timeout=1.0) as c, pytest.raises(ConnectionError):
        c.chat(model=MODEL, messages=MESSAGES)
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))


def test_context_manager_and_custom_models() -> None:
    stub = OllamaStub(models=["llama3.2:1b"], default=Reply(content="hi"))
    with stub as s, ollama.Client(host=s.url, timeout=2.0) as c:
        assert c.chat(model="llama3.2:1b", messages=MESSAGES).message.content == "hi"
        with pytest.raises(ollama.ResponseError):
            c.chat(model=MODEL, messages=MESSAGES)
