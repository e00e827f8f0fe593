"""A refused upload's end: the connection closes with the 413, whatever the client keeps sending.

Werkzeug's server, after answering, drains what is left of the request with one blocking read of up
to 10 MB: a chunked upload refused early (its length not known ahead) kept the connection, and a
thread, open until the client gave up. After the 413's body to such a request (no Content-Length), the
socket's reading side is shut, so the drain ends at once and the connection closes. Another server (no ``werkzeug.socket``) is left alone.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def close_refused(app: WSGIApp) -> WSGIApp:
    """``app``, whose 413 answers end the reading of their request."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        status: list[str] = []

        def start(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        body = app(environ, start)
        sock = environ.get("werkzeug.socket")
        known = environ.get("CONTENT_LENGTH")  # a known length is drained to its end: the client reads the 413
        if not status or not status[0].startswith("413") or sock is None or known:
            return body
        return _then_shut(body, sock)

    return wsgi


def _then_shut(body: Iterable[bytes], sock: socket.socket) -> Iterator[bytes]:
    try:
        yield from body
    finally:
        if hasattr(body, "close"):
            body.close()
        with contextlib.suppress(OSError):  # the client has gone already
            sock.shutdown(socket.SHUT_RD)
