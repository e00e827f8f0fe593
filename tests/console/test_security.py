"""The console's safety with plain HTTP requests against the running server: cross-site and token-less
POSTs refused, no file from outside the campaign folder (../, absolute, a link leading out), oversized
uploads refused, a rebound Host refused, a password when asked for, and no start on another address
without one. Also: one job of a kind at a time, whichever tab asks."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from tests.console.conftest import MARKET, Client
from xltool.cli import main
from xltool.console.server import make_console
from xltool.errors import XltoolError
from xltool.workbook.limits import MAX_FILE_BYTES


def test_a_post_without_the_pages_token_or_from_another_origin_is_refused(client: Client, campaign: Path) -> None:
    client.open_board()
    for kwargs in ({"token": False, "origin": "http://evil.example"}, {"token": False}, {"token": False, "origin": None},
                   {"origin": "http://evil.example"}, {"origin": "null"}):  # fmt: skip
        status, answer = client.post("/jobs/aggregate", **kwargs)  # type: ignore[arg-type]
        assert status == 403, kwargs
        assert "拒绝" in answer["error"] or "安全令牌" in answer["error"]
    # a token from another session (another browser) is not this one's
    other = Client(client.console)
    other.open_board()
    other.token = client.token
    assert other.post("/jobs/aggregate")[0] == 403
    assert not (campaign / "汇总").exists()  # nothing of it ran
    status, answer = client.post("/jobs/aggregate")
    assert status == 202 and answer["running"] in (True, False)
    state = client.console.app.extensions["xltool_jobs"].wait("aggregate")
    assert "没有可以汇总的报表" in state["error"]  # it ran: the library's own answer for an empty campaign


def test_no_file_from_outside_the_campaign_folder(client: Client, campaign: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the browser")
    (campaign / "returns").mkdir(exist_ok=True)
    os.symlink(secret, campaign / "returns" / "link.xlsx")
    os.symlink(tmp_path, campaign / "outside")
    mine = campaign / "templates" / next(p.name for p in (campaign / "templates").iterdir())
    status, headers, data = client.request("GET", "/file/" + quote(f"templates/{mine.name}"))
    assert status == 200 and data == mine.read_bytes() and "attachment" in headers["content-disposition"]
    for path in ["/file/../secret.txt", "/file/..%2Fsecret.txt", "/file/..%2F..%2F..%2Fetc%2Fpasswd",
                 "/file/%2Fetc%2Fpasswd", "/file//etc/passwd", "/file/" + quote(str(secret), safe=""),
                 "/file/returns/link.xlsx", "/file/outside/secret.txt", "/file/templates/..%2F..%2Fsecret.txt",
                 "/file/register.sqlite", "/file/xltool.toml", "/file/templates", "/file/%00"]:  # fmt: skip
        status, headers, data = client.request("GET", path)
        if status == 308:  # werkzeug merges "//" and redirects: where it leads is refused as well
            status, _, data = client.request("GET", headers["location"])
        assert status in (400, 404), path
        assert b"not for the browser" not in data and b"root:" not in data


def test_an_oversized_upload_is_refused(client: Client, campaign: Path, tmp_path: Path) -> None:
    client.open_board()
    status, answer = client.post("/upload", files=[(f"{MARKET}.xlsx", b"PK" + b"\0" * (MAX_FILE_BYTES + 10))])
    assert status == 413 and "太大" in answer["error"]
    status, answer = client.post("/upload", files=[("说明.docx", b"PK")])
    assert status == 413 and ".xlsx" in answer["error"]
    small = make_console(campaign, max_request=1024 * 1024)  # the whole request's limit, before it is read
    small.start()
    try:
        other = Client(small)
        other.open_board()
        status, answer = other.post("/upload", files=[("a.eml", b"x" * 1536 * 1024)])
        assert status == 413 and "太大" in answer["error"]
    finally:
        small.stop()
    assert not (campaign / "mail").exists()  # nothing was recorded


def test_a_rebound_host_name_is_refused(client: Client) -> None:
    status, _, data = client.request("GET", "/", headers={"Host": f"evil.example:{client.console.port}"})
    assert status == 421 and "127.0.0.1" in data.decode()


def test_another_address_needs_a_password_and_says_so(campaign: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(campaign), "--host", "0.0.0.0", "--no-browser"])
    assert result.exit_code == 1 and "XLTOOL_CONSOLE_PASSWORD" in result.output and "其他电脑" in result.output
    with pytest.raises(XltoolError):
        make_console(campaign, "0.0.0.0", 0)


def test_with_a_password_nothing_is_shown_before_it_is_given(campaign: Path) -> None:
    console = make_console(campaign, "127.0.0.1", 0, password="口令-12345678")
    console.start()
    try:
        c = Client(console)
        status, headers, _ = c.request("GET", "/")
        assert status == 302 and headers["location"].endswith("/login")
        assert c.request("GET", "/jobs")[0] == 401
        status, _, data = c.request("GET", "/login")
        token = data.decode().split('name="csrf" value="')[1].split('"')[0]
        c.token = token
        status, _ = c.post("/login", {"password": "wrong", "csrf": token})
        assert status == 200 and c.request("GET", "/jobs")[0] == 401
        status, _ = c.post("/login", {"password": "口令-12345678", "csrf": token})
        assert status == 302
        assert c.request("GET", "/")[0] == 200
    finally:
        console.stop()


def test_one_job_of_a_kind_at_a_time_whichever_tab_asks(client: Client) -> None:
    jobs = client.console.app.extensions["xltool_jobs"]
    release = threading.Event()
    assert jobs.start("reports", lambda p: str(release.wait(10)))
    client.open_board()
    second = Client(client.console)  # another tab, another session
    second.open_board()
    for c in (client, second):
        status, answer = c.post("/jobs/reports")
        assert status == 409 and "正在进行中" in answer["error"] and answer["state"]["running"]
    release.set()
    assert jobs.wait("reports")["summary"] == "True"
    status, _ = second.post("/jobs/reports")  # done: it may run again (and says there is nothing to render)
    assert status == 202
    assert "还没有可生成报告的报表" in jobs.wait("reports")["error"]
