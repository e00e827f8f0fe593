"""Fixtures of the console tests: a campaign folder (the roster of the collect tests), real returns,
the console serving it on a free port in a thread, and a real headless Chromium driven by Playwright
(Debian's /usr/bin/chromium through ``executable_path``; never ``playwright install``)."""

from __future__ import annotations

import http.client
import importlib.util
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.campaign.campaignfixtures import make_campaign
from tests.conftest import _required
from tests.returns import make_return, make_town_return
from xltool.console.server import Console, make_console

MARKET = "桐柏县市场监督管理局"
TOWN = "安棚镇人民政府"


@pytest.fixture(scope="session")
def return_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """bad: the market's return with an error (待修改); good: its correction; town: 安棚镇's, valid."""
    folder = tmp_path_factory.mktemp("console-returns")
    return {
        "bad": make_return(folder, {"t3.new.natural": 19}, name=f"{MARKET}.xlsx"),
        "good": make_return(folder, name=f"{MARKET}（修改）.xlsx"),
        "town": make_town_return(folder, name="安棚镇年报.xlsx"),
    }


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    return make_campaign(tmp_path / "2025年报")


@pytest.fixture
def console(campaign: Path) -> Iterator[Console]:
    server = make_console(campaign, "127.0.0.1", 0)
    server.start()
    yield server
    server.stop()


@dataclass
class Client:
    """Plain HTTP against the running console, with its session cookie and the page's CSRF token."""

    console: Console
    cookie: str = ""
    token: str = ""
    address: str = "127.0.0.1"  # where it connects (the LAN tests: the PC's network address)
    source: str | None = None  # the client's own address (another loopback address: another client)

    @property
    def origin(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"http://{host}:{self.console.port}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                ) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        source = (self.source, 0) if self.source else None
        conn = http.client.HTTPConnection(self.address, self.console.port, timeout=60, source_address=source)
        sent = {"Cookie": self.cookie} if self.cookie else {}
        sent.update(headers or {})
        conn.request(method, path, body=body, headers=sent)  # the path exactly as given: no client normalises it
        response = conn.getresponse()
        data = response.read()
        conn.close()
        found = response.getheader("Set-Cookie")
        if found:
            self.cookie = found.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def open_board(self) -> str:
        status, _, data = self.request("GET", "/")
        assert status == 200
        html = data.decode()
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        assert match
        self.token = match.group(1)
        return html

    def post(self, path: str, fields: dict[str, str] | None = None, *, token: bool = True, origin: str | None = "",
             files: list[tuple[str, bytes]] | None = None) -> tuple[int, Any]:  # fmt: skip
        headers = {"Origin": self.origin if origin == "" else origin} if origin is not None else {}
        if token:
            headers["X-CSRF-Token"] = self.token
        body, ctype = multipart(fields or {}, files or [])
        headers["Content-Type"] = ctype
        status, _, data = self.request("POST", path, body, headers)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data.decode(errors="replace")


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    for name, data in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        parts.append(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def client(console: Console) -> Client:
    return Client(console)


# ------------------------------------------------------------------ a real browser
@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    _required("playwright" if importlib.util.find_spec("playwright") else None, "Playwright (pip install playwright)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, console: Console) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots of every page, for a reviewer to look at (pytest's tmp dir: .../screenshots0)."""
    return tmp_path_factory.mktemp("screenshots")


def host_of(url: str) -> str:
    return urlsplit(url).netloc


__all__ = ["MARKET", "TOWN", "Client", "host_of"]
