"""The board's and unit pages' HTML, rendered once per change of what they show; static assets cached
by the browser (issue 25: pages cost little).

Once the board's data came from the register's change counter (``views``), rendering its template
was most of a view's time: ~7 ms of Jinja for a campaign's 37 units and a thousand unmatched files,
all of it holding the interpreter that serves the other colleagues. The page differs between two
browsers only in the session's CSRF token and the line saying who is signed in (LAN mode): it is
rendered once with a mark in their place, and each view puts the session's own in.

The campaign's settings are read again only when their file has changed: parsing xltool.toml on
every request was a quarter of a cached page's time.

The stylesheet and the script are linked with a digest of their content (``?v=…``) and kept by the
browser for a year: a page load is one request, and a new xltool's files have new links.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from werkzeug.wrappers import Response

from xltool.campaign.settings import SETTINGS_FILE, Campaign, load_campaign

SESSION_TEMPLATE = "_session.html"
KEPT = 512  # rendered pages kept (the board and every unit's page of a county): a bounded cache
STATIC_AGE = 365 * 24 * 3600


class Pages:
    """Pages rendered once per key (what they show), with the session's parts put in per view."""

    def __init__(self) -> None:
        mark = secrets.token_hex(8)  # no page's content can contain it by chance
        self.csrf_mark, self.session_mark = f"csrf-{mark}", f"<!--session-{mark}-->"
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[tuple[Any, ...], str]] = {}
        self.rendered = 0  # templates rendered (not reused): the tests' proof of reuse

    def page(self, name: str, key: tuple[Any, ...], render: Callable[[dict[str, str]], str], csrf: str) -> str:
        """The page ``name`` for this session: rendered by ``render(marks)`` when ``key`` (compared by
        identity and value: the views' objects, the files' states) is not the one it was rendered for."""
        with self._lock:
            found = self._pages.get(name)
        if found is None or not _same(found[0], key):
            html = render({"csrf": self.csrf_mark, "session_part": self.session_mark})
            with self._lock:
                if len(self._pages) >= KEPT:
                    self._pages.clear()
                self._pages[name] = (key, html)
                self.rendered += 1
        else:
            html = found[1]
        own = render_template(SESSION_TEMPLATE) if self.session_mark in html else ""
        return html.replace(self.session_mark, own).replace(self.csrf_mark, csrf)


class Settings:
    """The campaign of one folder, loaded again only when its settings file has changed (one stat)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._found: tuple[tuple[int, ...], Campaign] | None = None

    def campaign(self) -> Campaign:
        try:
            st = (self.root / SETTINGS_FILE).stat()
        except OSError:
            return load_campaign(self.root)  # gone: its own Chinese error
        key = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        found = self._found
        if found is not None and found[0] == key:
            return found[1]
        campaign = load_campaign(self.root)
        self._found = (key, campaign)
        return campaign


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(x is y or x == y for x, y in zip(a, b, strict=True))


def install_static(app: Flask) -> None:
    """``url_for('static', …)`` carries the file's digest; such a request is cached for a year."""
    folder = Path(app.static_folder or "")
    digests: dict[str, str] = {}

    @app.url_defaults
    def versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "v" in values:
            return
        name = str(values.get("filename", ""))
        if name not in digests:
            path = folder / name
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else ""
        if digests[name]:
            values["v"] = digests[name]

    @app.after_request
    def cached(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304) and request.args.get("v"):
            response.headers["Cache-Control"] = f"private, max-age={STATIC_AGE}, immutable"
        return response
