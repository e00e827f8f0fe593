"""Starting the console: waitress, a multi-threaded WSGI server of pure Python (Windows and Linux
alike), on the address asked for, quiet by default.

Flask's development server made one thread per connection that all fought for the interpreter:
200 colleagues' page loads took 16 s each and a report job stood still. Waitress reads and writes
the sockets in one thread and hands whole requests to a fixed pool of workers, so a burst queues
briefly; the long jobs run in processes of their own (``worker``), which the pages cannot slow down."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from waitress.server import create_server

from xltool.app.upload import MAX_REQUEST_BYTES
from xltool.console.priority import lower_this_thread
from xltool.console.safety import check_bind
from xltool.errors import XltoolError

THREADS = 8  # page workers: enough for a county office; the jobs have processes of their own
# Open connections waitress keeps (its default, 100, is two browsers' worth of six kept-alive
# connections per tab for a dozen colleagues): over the limit it stops accepting, and the queue
# drains only as its 1-second loop wakes, so 200 page loads at once waited ~2 s. Below the 512
# sockets select() watches on Windows, and well below the usual 1,024 open files on Linux.
CONNECTIONS = 400
# How long a thread keeps the interpreter when another wants it (Python's default: 5 ms). A page is
# made in many short steps that each wait on the register and must get the interpreter back: with
# eight page workers and the socket loop, each step waited up to the full 5 ms, and the first burst
# after a change took seconds instead of a few hundred milliseconds.
SWITCH_SECONDS = 0.0005


@dataclass
class Console:
    server: Any  # waitress's server (a BaseWSGIServer)
    app: Any
    host: str
    port: int
    stopped: bool = False
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "[::]") else host
        return f"http://{shown}:{self.port}/"

    def serve_forever(self) -> None:
        """Serve until ``stop`` or Ctrl+C (waitress swallows the KeyboardInterrupt: raised again here)."""
        sys.setswitchinterval(SWITCH_SECONDS)  # the process serves pages and nothing else (`xltool serve`)
        self.server.run()
        if not self.stopped:
            raise KeyboardInterrupt

    def start(self) -> threading.Thread:
        """Serve in a daemon thread (tests, and a PC's browser opened right after)."""
        self.thread = threading.Thread(target=self._serve, name="xltool-console", daemon=True)
        self.thread.start()
        return self.thread

    def _serve(self) -> None:
        self.server.run()

    def stop(self) -> None:
        """Close the listening socket and every connection, then the workers. From another thread the
        sockets are closed by the serving thread itself (a socket closed under its select() fails)."""
        self.stopped = True
        logging.getLogger("waitress").setLevel(logging.CRITICAL)  # asyncore's complaints while it closes
        if self.thread is not None and self.thread.is_alive():
            with contextlib.suppress(OSError):  # the serving thread is closing its sockets already
                self.server.trigger.pull_trigger(self._close_all)
            self.thread.join(timeout=10)
        self._close_all()
        self.server.task_dispatcher.shutdown()
        jobs = self.app.extensions.get("xltool_jobs")
        if jobs is not None:  # a job's child process ends with the console
            jobs.stop()
        views = self.app.extensions.get("xltool_views")
        if views is not None:  # its connection to the register (a held file blocks removing the folder on Windows)
            views.close()

    def _close_all(self) -> None:
        for channel in list(self.server._map.values()):
            channel.handle_close()


def make_console(root: Path, host: str = "127.0.0.1", port: int = 0, password: str | None = None,
                 **options: Any) -> Console:  # fmt: skip
    """The console of the campaign in ``root``, listening (not yet serving). XltoolError when the
    address is not the PC's own and no password is given, when the password is too short, when the
    port is taken, or when ``root`` is no campaign folder. ``options`` go to ``create_app``
    (``allow_hosts``, ``limits``, ``max_request``)."""
    from xltool.console.app import create_app

    check_bind(host, password)
    logging.getLogger("waitress").setLevel(logging.ERROR)  # no "task queue depth" lines on the clerk's console
    # the port is known only once bound: bind first, then build the app (its cookie is named by the port)
    holder: dict[str, Any] = {}

    def wsgi(environ: Any, start_response: Any) -> Any:
        lower_this_thread()  # a page worker yields to the jobs (once per thread)
        return holder["app"](environ, start_response)

    try:
        server = create_server(
            wsgi, host=host, port=port, threads=THREADS, ident="waitress", clear_untrusted_proxy_headers=True,
            # the app refuses a request above its limit with a Chinese page; waitress stops reading (and
            # closes) one that runs past twice that limit, such as a chunked upload that never ends
            max_request_body_size=2 * options.get("max_request", MAX_REQUEST_BYTES),
            connection_limit=CONNECTIONS,
        )  # fmt: skip
    except OSError as err:
        raise XltoolError(
            f"无法在 {host}:{port} 上启动控制台：{err.strerror or err}。可用 --port 换一个端口。"
        ) from None
    actual = int(server.effective_port)
    try:
        app = create_app(root, host=host, port=actual, password=password, **options)
    except BaseException:
        server.close()
        raise
    holder["app"] = app
    return Console(server, app, host, actual)
