"""Starting the console: a threaded HTTP server (werkzeug) on the address asked for, quiet by default."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from xltool.console.safety import check_bind
from xltool.errors import XltoolError


@dataclass
class Console:
    server: BaseWSGIServer
    app: Any
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "[::]") else host
        return f"http://{shown}:{self.port}/"

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def start(self) -> threading.Thread:
        """Serve in a daemon thread (tests, and a PC's browser opened right after)."""
        thread = threading.Thread(target=self.serve_forever, name="xltool-console", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_console(root: Path, host: str = "127.0.0.1", port: int = 0, password: str | None = None,
                 **options: Any) -> Console:  # fmt: skip
    """The console of the campaign in ``root``, listening (not yet serving). XltoolError when the
    address is not the PC's own and no password is given, when the password is too short, when the
    port is taken, or when ``root`` is no campaign folder. ``options`` go to ``create_app``
    (``allow_hosts``, ``limits``, ``max_request``)."""
    from xltool.console.app import create_app

    check_bind(host, password)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on the clerk's console
    # the port is known only once bound: bind first, then build the app (its cookie is named by the port)
    holder: dict[str, Any] = {}

    def wsgi(environ: Any, start_response: Any) -> Any:
        return holder["app"](environ, start_response)

    try:
        server = make_server(host, port, wsgi, threaded=True)
    except OSError as err:
        raise XltoolError(
            f"无法在 {host}:{port} 上启动控制台：{err.strerror or err}。可用 --port 换一个端口。"
        ) from None
    actual = int(server.server_port)
    try:
        app = create_app(root, host=host, port=actual, password=password, **options)
    except BaseException:
        server.server_close()
        raise
    holder["app"] = app
    return Console(server, app, host, actual)
