"""Signing in to the console: the password's rules, the login page (throttled per client and for all),
the logout, the list of who is connected (shown in LAN mode), and the log of every attempt.

The log is ``控制台日志.txt`` in the campaign folder: one line per attempt (time, client, result), so
the clerk can see who tried the password and when.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask, abort, redirect, render_template, request, session, url_for

from xltool.console.safety import CONSOLE_LOG, new_token, same_token
from xltool.console.throttle import Limits, Seat, Sessions, Throttle

_log_lock = threading.Lock()


def log_line(root: Path, client: str, what: str) -> None:
    """One line in the campaign's console log (appended; a log that cannot be written stops nothing)."""
    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    with _log_lock:
        try:
            with (root / CONSOLE_LOG).open("a", encoding="utf-8") as log:
                log.write(f"{when}\t{client}\t{what}\n")
        except OSError:
            pass


def signed_in(app: Flask) -> Seat | None:
    """The seat of this request's browser, when it is signed in under the current password."""
    sessions: Sessions = app.extensions["xltool_sessions"]
    return sessions.alive(session.get("sid"), app.config["XLTOOL_PASSWORD"])


def install(app: Flask, limits: Limits) -> None:
    """The login and logout routes, and what the pages show of the signed-in browsers."""
    throttle = Throttle(limits)
    sessions = Sessions(limits)
    app.extensions["xltool_sessions"] = sessions
    app.extensions["xltool_throttle"] = throttle
    root: Path = app.config["XLTOOL_ROOT"]

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "GET":
            return render_template("login.html", wrong=False)
        client = request.remote_addr or "?"
        gate = throttle.gate(client)
        if not gate.allowed:
            log_line(root, client, "登录被拒绝（尝试次数过多）")
            return _too_many(gate.retry)
        if same_token(request.form.get("password"), app.config["XLTOOL_PASSWORD"]):
            throttle.succeeded(client)
            log_line(root, client, "登录成功")
            session.clear()  # a new session: nothing of the one before the password survives
            session["sid"] = sessions.open(client, app.config["XLTOOL_PASSWORD"])
            session["csrf"] = new_token()
            return redirect(url_for("board"))
        log_line(root, client, f"登录失败（密码不对，第 {gate.failures} 次）")
        if gate.wait:
            time.sleep(gate.wait)  # the answer comes late: a guesser gets a few guesses a minute at most
        later = _minutes(gate.retry) if gate.retry else 0
        return render_template("login.html", wrong=True, later=later)

    @app.post("/logout")
    def logout() -> Any:
        sessions.close(session.get("sid"))
        log_line(root, request.remote_addr or "?", "退出登录")
        session.clear()
        return redirect(url_for("login") if app.config["XLTOOL_PASSWORD"] else url_for("board"))

    @app.get("/connected")
    def connected() -> Any:
        if not app.config["XLTOOL_PASSWORD"]:
            abort(404)
        return render_template("connected.html", seats=_seats(app))

    @app.context_processor
    def seats() -> dict[str, Any]:
        if not app.config["XLTOOL_PASSWORD"] or session.get("sid") not in sessions.seats:  # ended or expired
            return {"signed_in": False, "lan": False, "connected": []}
        lan = not app.config["XLTOOL_LOOPBACK"]
        return {"signed_in": True, "lan": lan, "connected": _seats(app) if lan else []}


def _seats(app: Flask) -> list[dict[str, str]]:
    sessions: Sessions = app.extensions["xltool_sessions"]
    own = session.get("sid")
    mine = sessions.seats.get(own or "")
    return [
        {
            "client": s.client,
            "since": _clock(s.since),
            "seen": _clock(s.seen),
            "me": "（本浏览器）" if s is mine else "",
        }
        for s in sessions.connected(app.config["XLTOOL_PASSWORD"])
    ]


def _clock(when: float) -> str:
    return dt.datetime.fromtimestamp(when).astimezone().strftime("%m-%d %H:%M")


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _too_many(retry: float) -> Any:
    text = f"尝试次数过多，请 {_minutes(retry)} 分钟后再试。"
    page = render_template("login.html", wrong=False, refused=text)
    return page, 429, {"Retry-After": str(max(1, math.ceil(retry)))}
