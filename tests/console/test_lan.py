"""The console shared on an office network (LAN mode), against real servers: a foreign Host refused in
every mode (on 127.0.0.1, 0.0.0.0 and the PC's network address where it has one), names admitted with
--allow-host, --host 127.0.0.2 answering, the login throttled per client and for all and logged,
sessions that expire, a logout and a password change that end them, and who is connected."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.console.conftest import Client
from xltool.console.guard import own_names
from xltool.console.safety import CONSOLE_LOG
from xltool.console.server import Console, make_console
from xltool.console.throttle import Limits

PASSWORD = "报送-2025-口令"


@contextmanager
def serving(campaign: Path, host: str = "127.0.0.1", **options: object) -> Iterator[Console]:
    console = make_console(campaign, host, 0, options.pop("password", PASSWORD), **options)  # type: ignore[arg-type]
    console.start()
    try:
        yield console
    finally:
        console.stop()


def lan_address() -> str | None:
    """The PC's own IPv4 network address (not loopback, not link-local), or None when it has none."""
    for name in sorted(own_names()):
        try:
            ip = ipaddress.ip_address(name)
        except ValueError:
            continue
        if ip.version == 4 and not ip.is_loopback and not ip.is_link_local:
            return name
    return None


def sign_in(c: Client, password: str = PASSWORD) -> int:
    status, _, data = c.request("GET", "/login")
    assert status == 200, data.decode()
    c.token = data.decode().split('name="csrf" value="')[1].split('"')[0]
    return c.post("/login", {"password": password, "csrf": c.token})[0]


def board(c: Client) -> int:
    return c.request("GET", "/")[0]


# ------------------------------------------------------------------ Host
def test_a_foreign_host_is_refused_in_lan_mode_and_allow_host_admits_its_name(campaign: Path) -> None:
    with serving(campaign, "0.0.0.0", allow_hosts=["baosong.local"]) as console:
        c = Client(console)
        port = console.port
        status, _, data = c.request("GET", "/login", headers={"Host": f"evil.example:{port}"})
        assert status == 421 and "--allow-host" in data.decode() and "http://127.0.0.1" in data.decode()
        body, headers = _form(c, PASSWORD)
        headers.update({"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"})
        assert c.request("POST", "/login", body, headers)[0] == 421  # a rebound page posting from "its own" origin
        for name in ("baosong.local", "127.0.0.1", "localhost", *sorted(own_names())):
            host = f"[{name}]" if ":" in name else name
            assert c.request("GET", "/login", headers={"Host": f"{host}:{port}"})[0] == 200, name
    with serving(campaign, "0.0.0.0") as console:  # not allowed unless named
        assert Client(console).request("GET", "/", headers={"Host": f"baosong.local:{console.port}"})[0] == 421


def test_on_the_pcs_network_address_its_own_name_works_and_a_rebound_one_does_not(campaign: Path) -> None:
    address = lan_address()
    if address is None:
        pytest.skip("this PC has no network address other than loopback")
    with serving(campaign, address) as console:
        c = Client(console, address=address)
        assert sign_in(c) == 302 and board(c) == 200
        status, _, data = c.request("GET", "/", headers={"Host": f"evil.example:{console.port}"})
        assert status == 421 and "控制台不接受这个地址" in data.decode()
        assert c.request("GET", "/", headers={"Host": f"{socket.gethostname()}:{console.port}"})[0] == 200


def test_another_loopback_address_answers(campaign: Path) -> None:
    with serving(campaign, "127.0.0.2", password=None) as console:
        c = Client(console, address="127.0.0.2")
        assert board(c) == 200
        c.open_board()
        assert c.post("/jobs/aggregate")[0] == 202


# ------------------------------------------------------------------ the login's throttle
def test_the_sixth_wrong_login_is_slowed_later_ones_get_429_and_a_right_one_after_the_window_works(
    campaign: Path,
) -> None:
    limits = Limits(delay=2.0, window=4.0)
    with serving(campaign, "0.0.0.0", limits=limits) as console:
        c = Client(console)
        for _ in range(5):
            started = time.monotonic()
            assert sign_in(c, "wrong-password") == 200
            assert time.monotonic() - started < 2.0  # not slowed
        started = time.monotonic()
        status, answer = c.post("/login", {"password": "wrong-password", "csrf": c.token})
        assert status == 200 and time.monotonic() - started >= 2.0 and "尝试次数过多" in answer
        for password in ("wrong-password", PASSWORD):  # refused unread: even the right one waits
            status, headers, data = c.request("POST", "/login", *_form(c, password))
            assert (
                status == 429 and "尝试次数过多，请 1 分钟后再试" in data.decode() and int(headers["retry-after"]) >= 1
            )
        other = Client(console, source="127.0.0.2")  # another client is not slowed by this one's guesses
        assert sign_in(other) == 302 and board(other) == 200
        time.sleep(2.5)  # the window (from the sixth attempt on) is over
        assert sign_in(c) == 302 and board(c) == 200
        for _ in range(5):  # a success resets the client: five free guesses again
            assert sign_in(Client(console), "wrong-password") == 200
        assert c.request("GET", "/file/" + quote(CONSOLE_LOG))[0] == 404  # the log is no download
    log = (campaign / CONSOLE_LOG).read_text(encoding="utf-8")
    assert log.count("\t127.0.0.1\t登录失败") == 11 and log.count("登录被拒绝") == 2
    assert log.count("\t127.0.0.2\t登录成功") == 1 and log.count("登录成功") == 2
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\t127\.0\.0\.1\t登录失败（密码不对，第 1 次）", log)
    assert PASSWORD not in log and "wrong-password" not in log


def _form(c: Client, password: str) -> tuple[bytes, dict[str, str]]:
    body = f"password={password}&csrf={c.token}".encode()
    return body, {"Content-Type": "application/x-www-form-urlencoded", "Origin": c.origin}


def test_all_clients_together_are_throttled(campaign: Path) -> None:
    with serving(campaign, "0.0.0.0", limits=Limits(global_free=4)) as console:
        for source in ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"):
            assert sign_in(Client(console, source=source), "wrong-password") == 200
        c = Client(console, source="127.0.0.6")
        sign_in(c, "wrong-password")
        status, _, data = c.request("POST", "/login", *_form(c, PASSWORD))
        assert status == 429 and "尝试次数过多" in data.decode()


# ------------------------------------------------------------------ sessions
def test_a_session_ends_when_idle_too_long(campaign: Path) -> None:
    with serving(campaign, limits=Limits(idle=3.0)) as console:
        c = Client(console)
        assert sign_in(c) == 302
        for _ in range(8):  # kept alive by use, longer than the idle limit
            time.sleep(0.5)
            assert c.request("GET", "/jobs")[0] == 200
        time.sleep(3.5)
        assert board(c) == 302 and c.request("GET", "/jobs")[0] == 401


def test_a_session_ends_at_its_absolute_limit_even_when_used(campaign: Path) -> None:
    with serving(campaign, limits=Limits(absolute=1.2)) as console:
        c = Client(console)
        assert sign_in(c) == 302
        assert board(c) == 200
        deadline = time.monotonic() + 10
        while board(c) == 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert board(c) == 302


def test_logout_ends_the_session_even_for_a_copy_of_its_cookie(campaign: Path) -> None:
    with serving(campaign) as console:
        c = Client(console)
        assert sign_in(c) == 302
        html = c.open_board()
        assert "退出登录" in html and "在线" not in html  # on loopback: nobody else can be connected
        copy = Client(console, cookie=c.cookie)
        assert c.post("/logout", token=False)[0] == 403  # a POST with CSRF only
        assert c.post("/logout")[0] == 302
        assert board(c) == 302 and board(copy) == 302
    assert "退出登录" in (campaign / CONSOLE_LOG).read_text(encoding="utf-8")


def test_a_new_password_ends_the_sessions_opened_under_the_old_one(campaign: Path) -> None:
    with serving(campaign) as console:
        c = Client(console)
        assert sign_in(c) == 302 and board(c) == 200
        console.app.config["XLTOOL_PASSWORD"] = "另一个-口令-2026"
        assert board(c) == 302
        assert sign_in(c, "另一个-口令-2026") == 302 and board(c) == 200


def test_in_lan_mode_the_page_says_who_is_connected(campaign: Path) -> None:
    with serving(campaign, "0.0.0.0") as console:
        first, second = Client(console), Client(console, source="127.0.0.2")
        assert sign_in(first) == 302 and sign_in(second) == 302
        html = first.open_board()
        assert re.search(r"在线 2 人：127\.0\.0\.1（\d\d-\d\d \d\d:\d\d 起）、127\.0\.0\.2（", html)
        status, _, data = first.request("GET", "/connected")
        assert status == 200 and data.decode().count("<tr><td>127.0.0") == 2 and "（本浏览器）" in data.decode()
        second.open_board()
        assert second.post("/logout")[0] == 302
        assert "在线 1 人：127.0.0.1（" in first.open_board()
