"""`rag ui`: serve the web chat. Plugged into the `rag` command through the `rag.commands` entry point."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

from rag.errors import RagError
from rag.settings import Settings

log = logging.getLogger("ui.app")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(a[4][0]).is_loopback for a in socket.getaddrinfo(host, None))
        except OSError:
            return False


def check_exposure(host: str, settings: Settings, insecure: bool) -> tuple[str, str] | None:
    """The login the app must ask for. Loopback needs none; any other address needs RAG_UI_AUTH, or an
    explicit --insecure from a user who has decided the network is trusted."""
    if settings.ui.auth is not None:
        user, _, password = settings.ui.auth.get_secret_value().partition(":")
        return user, password
    if is_loopback(host) or insecure:
        return None
    raise RagError(
        f"refusing to serve the documents on {host} without a login: set RAG_UI_AUTH=user:password, "
        "or pass --insecure if everyone who can reach this address may read them"
    )


def serve(settings: Settings, host: str, port: int, insecure: bool = False, block: bool = True) -> Any:
    auth = check_exposure(host, settings, insecure)
    from ui.app import build_app, launch_options  # gradio loads only when the app is served

    app = build_app(settings)
    app.queue(default_concurrency_limit=8)
    threading.Thread(target=_prepare, args=(settings,), name="rag-prepare", daemon=True).start()
    shown = f"[{host}]" if ":" in host else host
    print(f"rag ui: serving the web chat on http://{shown}:{port}/ (Ctrl+C to stop)", flush=True)
    app.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        prevent_thread_lock=not block,
        quiet=True,  # gradio's own banner suggests a public share link, which this app never makes
        **launch_options(settings),
    )
    return app  # when not blocking, the caller closes it with app.close()


def _prepare(settings: Settings) -> None:
    """Index the bundled corpus into an empty default collection while the chat starts serving."""
    from rag.service import service_for

    try:
        service_for(settings).prepare()
    except RagError as exc:  # the first question reports it again, to the user who asked
        log.warning("could not index the bundled documents at start: %s", exc)


def _handle(args: argparse.Namespace, settings: Settings) -> int:
    serve(settings, args.host, args.port, args.insecure)
    return 0


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = sub.add_parser("ui", help="serve the web chat (default http://127.0.0.1:7860)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument(
        "--insecure", action="store_true", help="allow a non-loopback address without RAG_UI_AUTH (trusted networks)"
    )
    common(parser)
    parser.set_defaults(handler=_handle)
