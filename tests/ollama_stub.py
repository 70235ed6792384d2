"""A tiny, real Ollama REST server on loopback, for tests.

Why: no Ollama server or model is available where the tests run, yet the
production code talks to Ollama through the official ``ollama`` client over
HTTP. Serving the same wire protocol (JSON / NDJSON over chunked HTTP/1.1)
from a thread lets tests exercise the real client, its real exception paths
and real timeouts, instead of mocking the client away.

Stdlib only. Shapes follow the installed ``ollama`` client (``_client.py`` and
``_types.py``) and the real server's responses.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import socket
import threading
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

__all__ = ["CHUNK_CHARS", "EMBED_DIMENSIONS", "OllamaStub", "Reply", "bag_of_words_vector", "running_stub"]

CHUNK_CHARS = 4
"""Streamed content is split into pieces of this many characters."""

EMBED_DIMENSIONS = 256


def bag_of_words_vector(text: str) -> list[float]:
    """The stub's embedding of a text (see ``_Handler._embed``)."""
    vector = [0.0] * EMBED_DIMENSIONS
    for word in re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()):
        digest = hashlib.sha1(word.encode("utf-8")).digest()
        vector[digest[0] % EMBED_DIMENSIONS] += 1.0 if digest[1] % 2 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


_MALFORMED_BODY = b'{"model": "stub", "message": {"role": "assist'
"""Cut-off JSON: invalid both as a JSON document and as an NDJSON line."""


@dataclass
class Reply:
    """One scripted behaviour for one ``/api/chat`` call.

    Why: tests need to provoke every failure the production code must
    survive (errors, garbage, dropped and hanging connections) on demand.

    ``cut_after`` means: when streaming, send that many content chunks and
    then close the connection without the ``done`` chunk and without the
    terminating zero-length HTTP chunk; when not streaming, announce the
    full ``Content-Length`` but send only the first ``cut_after`` bytes
    (capped at body length - 1) and close.
    """

    content: str = ""
    delay: float = 0.0
    status: int = 200
    error: str = "internal error"
    malformed: bool = False
    cut_after: int | None = None


def _now() -> str:
    """Return an RFC 3339 UTC timestamp like the ones Ollama emits."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(name: str) -> str:
    """Apply Ollama's implicit ``:latest`` tag so ``x`` and ``x:latest`` match."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


def _digest(name: str) -> str:
    """Return a stable fake sha256 digest for a model name."""
    return hashlib.sha256(name.encode()).hexdigest()


def _details() -> dict[str, Any]:
    """Return a ``ModelDetails``-shaped dict."""
    return {
        "parent_model": "",
        "format": "gguf",
        "family": "qwen2",
        "families": ["qwen2"],
        "parameter_size": "3.1B",
        "quantization_level": "Q4_K_M",
    }


class _Server(ThreadingHTTPServer):
    """HTTP server that knows its stub and never prints tracebacks."""

    daemon_threads = True
    stub: OllamaStub

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent: dropped client connections are expected in tests."""


class _Handler(BaseHTTPRequestHandler):
    """Routes the subset of the Ollama API the production code uses."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes
    server_version = "OllamaStub"
    sys_version = ""

    @property
    def stub(self) -> OllamaStub:
        """The owning stub (typed access to ``self.server.stub``)."""
        return cast(_Server, self.server).stub

    # -- plumbing ---------------------------------------------------------

    def setup(self) -> None:
        """Register the connection so ``stop()`` can tear it down."""
        super().setup()
        self.stub._track(self.connection, add=True)

    def finish(self) -> None:
        """Unregister the connection."""
        with contextlib.suppress(OSError):
            super().finish()
        self.stub._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def _send_bytes(self, status: int, body: bytes, content_type: str, *, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_json(self, status: int, obj: Any, *, head: bool = False) -> None:
        body = json.dumps(obj).encode()
        self._send_bytes(status, body, "application/json; charset=utf-8", head=head)

    def _send_error_json(self, status: int, message: str) -> None:
        self._send_json(status, {"error": message})

    def _not_found(self, *, head: bool = False) -> None:
        # Gin's plain-text default for unknown routes.
        self._send_bytes(404, b"404 page not found", "text/plain", head=head)

    def _drop(self) -> None:
        """Close the connection abruptly (FIN, mid-message)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        return json.loads(raw) if raw else {}

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")

    # -- routing ----------------------------------------------------------

    def do_HEAD(self) -> None:
        """HEAD on the GET routes: same headers, no body."""
        self._get(head=True)

    def do_GET(self) -> None:
        """GET /, /api/version, /api/tags."""
        self._get(head=False)

    def _get(self, *, head: bool) -> None:
        try:
            if self.path == "/":
                self._send_bytes(200, b"Ollama is running", "text/plain; charset=utf-8", head=head)
            elif self.path == "/api/version":
                self._send_json(200, {"version": self.stub.version}, head=head)
            elif self.path == "/api/tags":
                self._send_json(200, self.stub._tags(), head=head)
            else:
                self._not_found(head=head)
        except OSError:
            self.close_connection = True

    def do_POST(self) -> None:
        """POST /api/chat, /api/show, /api/embed."""
        try:
            if self.path not in ("/api/chat", "/api/show", "/api/embed"):
                # Drain the body so keep-alive stays in sync.
                with contextlib.suppress(ValueError):
                    self._read_json()
                self._not_found()
                return
            try:
                body = self._read_json()
            except ValueError as exc:
                self._send_error_json(400, f"invalid request body: {exc}")
                return
            if not isinstance(body, dict):
                self._send_error_json(400, "invalid request body")
                return
            if self.path == "/api/chat":
                self._chat(body)
            elif self.path == "/api/embed":
                self._embed(body)
            else:
                self._show(body)
        except OSError:
            self.close_connection = True

    # -- endpoints --------------------------------------------------------

    def _show(self, body: dict[str, Any]) -> None:
        name = str(body.get("model") or body.get("name") or "")
        if not self.stub._known(name):
            self._send_error_json(404, f"model '{name}' not found")
            return
        self._send_json(
            200,
            {
                "license": "",
                "modelfile": f"FROM {name}\n",
                "parameters": "",
                "template": "{{ .Prompt }}",
                "details": _details(),
                "model_info": {"general.architecture": "qwen2"},
                "capabilities": ["completion"],
                "modified_at": _now(),
            },
        )

    def _served_model(self, body: dict[str, Any]) -> str | None:
        """The request's model, or None after answering 400 (none named) or 404 (not pulled)."""
        model = body.get("model")
        if not isinstance(model, str) or not model:
            self._send_error_json(400, "model is required")
            return None
        if not self.stub._known(model):
            self._send_error_json(404, f"model {json.dumps(model)} not found, try pulling it first")
            return None
        return model

    def _embed(self, body: dict[str, Any]) -> None:
        """Bag-of-words vectors (each word hashed to a signed dimension), unit length like Ollama's:
        texts that share words are near, so retrieval through them behaves like a (crude) model."""
        stub = self.stub
        with stub._lock:
            stub.embed_requests.append(body)
        model = self._served_model(body)
        if model is None:
            return
        if stub.embed_status != 200:
            self._send_error_json(stub.embed_status, "embedding failed")
            return
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else list(texts or [])
        self._send_json(
            200,
            {
                "model": model,
                "embeddings": [bag_of_words_vector(str(t)) for t in texts],
                "total_duration": 12_345_678,
                "load_duration": 1_234_567,
                "prompt_eval_count": sum(len(str(t)) // 4 for t in texts),
            },
        )

    def _chat(self, body: dict[str, Any]) -> None:
        stub = self.stub
        stub._record(body)
        model = self._served_model(body)
        if model is None:
            return
        reply = stub._next_reply()
        # Real Ollama streams unless "stream" is explicitly false.
        stream = body.get("stream") is not False

        if reply.delay > 0 and stub._stopping.wait(reply.delay):
            self._drop()  # stub is shutting down: give up silently
            return
        if reply.status != 200:
            self._send_error_json(reply.status, reply.error)
            return
        if reply.malformed:
            ctype = "application/x-ndjson" if stream else "application/json; charset=utf-8"
            self._send_bytes(200, _MALFORMED_BODY + (b"\n" if stream else b""), ctype)
            return

        messages = body.get("messages") or []
        prompt_chars = sum(len(str(m.get("content") or "")) for m in messages if isinstance(m, dict))
        pieces = [reply.content[i : i + CHUNK_CHARS] for i in range(0, len(reply.content), CHUNK_CHARS)]
        final: dict[str, Any] = {
            "model": model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": "" if stream else reply.content},
            "done_reason": "stop",
            "done": True,
            "total_duration": 123_456_789,
            "load_duration": 1_234_567,
            "prompt_eval_count": max(1, prompt_chars // 4),
            "prompt_eval_duration": 12_345_678,
            "eval_count": len(pieces),
            "eval_duration": 98_765_432,
        }
        if stream:
            self._stream(model, pieces, final, reply.cut_after)
        else:
            self._whole(final, reply.cut_after)

    def _whole(self, final: dict[str, Any], cut_after: int | None) -> None:
        body = json.dumps(final).encode()
        if cut_after is None:
            self._send_bytes(200, body, "application/json; charset=utf-8")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: max(0, min(cut_after, len(body) - 1))])
        self._drop()

    def _stream(
        self,
        model: str,
        pieces: Sequence[str],
        final: dict[str, Any],
        cut_after: int | None,
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for n, piece in enumerate(pieces):
            if cut_after is not None and n >= cut_after:
                break
            chunk = {
                "model": model,
                "created_at": _now(),
                "message": {"role": "assistant", "content": piece},
                "done": False,
            }
            self._write_chunk(json.dumps(chunk).encode() + b"\n")
        if cut_after is not None:
            self._drop()
            return
        self._write_chunk(json.dumps(final).encode() + b"\n")
        self.wfile.write(b"0\r\n\r\n")


class OllamaStub:
    """A scripted Ollama server on ``127.0.0.1:<random port>``.

    Why: lets tests run the real ``ollama`` client against a real socket
    while deciding, per ``/api/chat`` call, what the "model" does.

    ``/api/chat`` for a model not in ``models`` gets the real 404 and does
    not consume a scripted reply; every ``/api/chat`` body with valid JSON
    is appended to ``requests`` (even those answered with an error).
    """

    def __init__(
        self,
        models: Sequence[str] | None = None,
        default: Reply | None = None,
        version: str = "0.12.0",
    ) -> None:
        """Configure the stub; nothing listens until ``start()``."""
        self.models: list[str] = list(models) if models is not None else ["qwen2.5:3b"]
        self.default: Reply = default if default is not None else Reply("Stub answer [1].")
        self.version = version
        self.requests: list[dict[str, Any]] = []
        self.embed_requests: list[dict[str, Any]] = []
        self.embed_status = 200  # set to an HTTP error status to make /api/embed fail
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # -- public API -------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL to pass as ``ollama.Client(host=...)``."""
        if self._port is None:
            raise RuntimeError("OllamaStub not started")
        return f"http://127.0.0.1:{self._port}"

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next ``/api/chat`` calls, first in first out."""
        with self._lock:
            self._queue.extend(replies)

    def start(self) -> OllamaStub:
        """Bind a free loopback port and serve from a daemon thread."""
        if self._server is not None:
            return self
        if self._stopping.is_set():
            raise RuntimeError("OllamaStub cannot be restarted; create a new one")
        server = _Server(("127.0.0.1", 0), _Handler)
        server.stub = self
        self._server = server
        self._port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"ollama-stub-{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, free the port, wake delayed handlers; idempotent."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OllamaStub:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop on leaving a ``with`` block."""
        self.stop()

    # -- used by the handler ----------------------------------------------

    def _record(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(body)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    def _known(self, name: str) -> bool:
        return bool(name) and _canonical(name) in {_canonical(m) for m in self.models}

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def _tags(self) -> dict[str, Any]:
        return {
            "models": [
                {
                    "name": m,
                    "model": m,
                    "modified_at": _now(),
                    "size": 1_929_912_432,
                    "digest": _digest(m),
                    "details": _details(),
                }
                for m in list(self.models)
            ]
        }


@contextlib.contextmanager
def running_stub(**kwargs: Any) -> Iterator[OllamaStub]:
    """Run an ``OllamaStub(**kwargs)`` for the duration of a ``with`` block."""
    stub = OllamaStub(**kwargs)
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()
