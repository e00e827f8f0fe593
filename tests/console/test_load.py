"""Quick under load (issue 25): the board and unit pages come from what the register holds, made again
only after the register changed — never by re-reading the returns or the unmatched files on every
view — and the console is served by waitress, a real multi-threaded WSGI server."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.console.conftest import MARKET, Client
from xltool.campaign.register import Register, sha256_of, store_bytes

_opened: list[str] = []
_watching = threading.Event()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _watching.is_set() and isinstance(args[0], str | Path):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # a real hook of the interpreter (never removed: it records only while watching)


def _add_junk(root: Path, count: int) -> None:
    """``count`` workbooks of no unit, as anyone who can mail the inbox can drop them."""
    with Register.for_campaign(root) as reg:
        for i in range(count):
            data = b"PK\x03\x04 junk %d" % i
            rel = f"unmatched/junk-{i:04d}.xlsx"
            store_bytes(root, rel, data)
            message = reg.add_message(f"<junk-{i}@test.invalid>", sha256_of(data), sender="junk@test.invalid")
            reg.add_attachment(message, name=f"junk-{i}.xlsx", safe_name=f"junk-{i}.xlsx", sha256=sha256_of(data),
                               kind="workbook", stored_path=rel)  # fmt: skip


def _views(client: Client) -> Any:
    return client.console.app.extensions["xltool_views"]


def _watch(work: Any) -> list[str]:
    _opened.clear()
    _watching.set()
    try:
        work()
    finally:
        _watching.clear()
    return list(_opened)


def test_the_board_is_not_made_from_the_files_on_every_view(client: Client, campaign: Path,
                                                             return_files: dict[str, Path]) -> None:  # fmt: skip
    client.open_board()
    client.post("/upload", files=[(return_files["bad"].name, return_files["bad"].read_bytes())])
    _add_junk(campaign, 500)
    views = _views(client)
    start = time.perf_counter()
    first = client.open_board()  # the register changed: made once, reading the junk once
    made_once = time.perf_counter() - start
    assert "junk-0499.xlsx" in first and views.made >= 1
    assert "下面是最近收到的 50 个" in first and "junk-0449.xlsx" not in first  # a page's worth, not 500
    made = views.made
    start = time.perf_counter()
    opened = _watch(lambda: [client.open_board() for _ in range(5)])
    each = (time.perf_counter() - start) / 5
    assert views.made == made  # nothing made again
    read = [p for p in opened if Path(p).is_relative_to(campaign) and Path(p).name != "xltool.toml"]
    assert read == []  # neither a junk file nor a return was opened
    assert each < max(0.5, made_once)  # loosely: a view costs no more than the page made from the files


def test_the_unit_page_reads_no_return_once_made(client: Client, campaign: Path,
                                                 return_files: dict[str, Path]) -> None:  # fmt: skip
    client.open_board()
    client.post("/upload", files=[(return_files["bad"].name, return_files["bad"].read_bytes())])
    path = f"/unit/{quote(MARKET)}"
    assert client.request("GET", path)[0] == 200
    opened = _watch(lambda: [client.request("GET", path) for _ in range(3)])
    assert [p for p in opened if "/returns/" in p.replace("\\", "/")] == []


def test_the_board_follows_collect_verify_and_version_changes(client: Client, campaign: Path,
                                                              return_files: dict[str, Path]) -> None:  # fmt: skip
    def market_row() -> str:
        html = client.open_board()
        return html.split(f'data-unit="{MARKET}"', 1)[1].split("</tr>", 1)[0]

    assert 'data-standing="missing"' in market_row()
    client.post("/upload", files=[(return_files["bad"].name, return_files["bad"].read_bytes())])  # collect + verify
    assert 'data-standing="fix"' in market_row()
    client.post("/upload", files=[(return_files["good"].name, return_files["good"].read_bytes())])
    assert 'data-standing="pass"' in market_row()
    with Register.for_campaign(campaign) as reg:  # a decision from another connection (the command line's)
        reg.void_version(MARKET, 2, "测试：作废第 2 版")
    assert 'data-standing="fix"' in market_row()


def test_the_console_is_served_by_waitress(client: Client) -> None:
    status, headers, _ = client.request("GET", "/login")
    assert status in (200, 302) and headers.get("server") == "waitress"
    assert type(client.console.server).__module__.startswith("waitress")
