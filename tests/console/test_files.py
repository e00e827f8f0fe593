"""Nothing served that is not meant to be, with plain HTTP against the running console: ``/file/`` hands
out only the campaign's outputs (never the register's WAL/SHM while it is open, the settings, a temporary
file or a link); a GET writes nothing (the annotated copy is made by a POST); the unit in the URL owns the
reply or version the request names; every malformed id is a 400 page; too many form parts are said as
such; a refused chunked upload closes its connection; a killed job's temporaries go at the next start; a
control character in a file's name never reaches the page raw."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.console.conftest import MARKET, TOWN, Client
from xltool.campaign.register import Register
from xltool.console.server import make_console

M = quote(MARKET, safe="")


def _drop(client: Client, *paths: Path, names: list[str] | None = None) -> None:
    client.open_board()
    files = [(name, p.read_bytes()) for name, p in zip(names or [p.name for p in paths], paths, strict=True)]
    status, answer = client.post("/upload", files=files)
    assert status == 200, answer


def _ids(campaign: Path) -> dict[str, dict[str, int]]:
    """Each unit's reply id and current submission id, from the register."""
    with Register.for_campaign(campaign, create=False) as reg:
        found = {}
        for name in (MARKET, TOWN):
            sub = reg.current(reg.unit(name).id)
            assert sub is not None
            reply = next(r for r in reg.replies() if r.submission_id == sub.id)
            found[name] = {"reply": reply.id, "submission": sub.id}
        return found


@pytest.fixture
def answered(client: Client, campaign: Path, return_files: dict[str, Path]) -> dict[str, dict[str, int]]:
    """The market's return (with an error) and the town's, each with a reply draft."""
    _drop(client, return_files["bad"], return_files["town"])
    for unit in (MARKET, TOWN):
        status, answer = client.post(f"/unit/{quote(unit, safe='')}/reply", {"action": "draft"})
        assert status == 200, answer
    return _ids(campaign)


def _snapshot(campaign: Path) -> dict[str, str]:
    """Every file's bytes (the register by its rows: its WAL and SHM come and go with connections)."""
    seen = {}
    for path in sorted(campaign.rglob("*")):
        rel = path.relative_to(campaign).as_posix()
        if path.is_file() and not rel.startswith("register.sqlite"):
            seen[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    db = sqlite3.connect(campaign / "register.sqlite")
    try:
        seen["register"] = hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()
    finally:
        db.close()
    return seen


def test_only_the_campaigns_outputs_are_served(
    client: Client, campaign: Path, answered: dict[str, dict[str, int]]
) -> None:
    stored = next((campaign / "returns").rglob("*.xlsx"))
    (campaign / "reports").mkdir(exist_ok=True)
    (campaign / "reports" / "报告.html").write_text("<p>报告</p>", encoding="utf-8")
    (campaign / "报送情况.html").write_text("<p>情况</p>", encoding="utf-8")
    (campaign / "reports" / ".xltool-0123abcd.xlsx").write_bytes(b"PK half written")
    (campaign / "reports" / "run.py").write_text("print(1)")
    os.symlink(stored, campaign / "reports" / "link.xlsx")  # a link that stays inside is still a link
    os.symlink(campaign / "returns", campaign / "annotated")
    rel_stored = stored.relative_to(campaign).as_posix()
    db = sqlite3.connect(campaign / "register.sqlite")  # the register open, as while a job runs
    try:
        db.execute("SELECT count(*) FROM units").fetchone()
        assert (campaign / "register.sqlite-wal").is_file() and (campaign / "register.sqlite-shm").is_file()
        for rel in ["register.sqlite-wal", "register.sqlite-shm", "register.sqlite", "xltool.toml",
                    "reports/.xltool-0123abcd.xlsx", "reports/run.py", "reports/link.xlsx",
                    f"annotated/{rel_stored.split('/', 1)[1]}", "mail", "returns/../xltool.toml"]:  # fmt: skip
            status, _, data = client.request("GET", "/file/" + quote(rel))
            assert status == 404, rel
            assert "没有这个页面或文件" in data.decode()
    finally:
        db.close()
    for rel, body in [(rel_stored, stored.read_bytes()), ("reports/报告.html", "<p>报告</p>".encode()),
                      ("报送情况.html", "<p>情况</p>".encode())]:  # fmt: skip
        status, _, data = client.request("GET", "/file/" + quote(rel))
        assert status == 200 and data == body, rel
    reply_eml = next((campaign / "replies").rglob("*.eml")).relative_to(campaign).as_posix()
    assert client.request("GET", "/file/" + quote(reply_eml))[0] == 200


def test_a_get_writes_nothing_and_the_annotated_copy_is_made_by_a_post(
    client: Client, campaign: Path, answered: dict[str, dict[str, int]]
) -> None:
    sub = answered[MARKET]["submission"]
    before = _snapshot(campaign)
    for path in ["/", f"/unit/{M}", f"/unit/{M}/annotated/{sub}", "/upload", "/jobs", "/file/xltool.toml",
                 f"/unit/x/annotated/{sub}"]:  # fmt: skip
        client.request("GET", path)
    status, _, _ = client.request("GET", f"/unit/{M}/annotated/{sub}")
    assert status == 404  # not made yet: a GET does not make it
    assert _snapshot(campaign) == before
    assert not (campaign / "annotated").exists()
    status, headers, data = client.request("POST", f"/unit/{M}/annotated/{sub}")  # no token: refused
    assert status == 403 and not (campaign / "annotated").exists()
    client.open_board()
    status, headers, data = client.request(
        "POST", f"/unit/{M}/annotated/{sub}", b"csrf=" + client.token.encode(),
        {"Origin": client.origin, "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 200 and data[:2] == b"PK" and "attachment" in headers["content-disposition"]
    [made] = (campaign / "annotated").rglob("*.xlsx")
    status, _, again = client.request("GET", f"/unit/{M}/annotated/{sub}")  # made: a GET now serves it
    assert status == 200 and again == made.read_bytes()
    assert client.request("GET", "/file/" + quote(made.relative_to(campaign).as_posix()))[0] == 200


def test_the_unit_in_the_url_owns_the_reply_and_the_version(
    client: Client, campaign: Path, answered: dict[str, dict[str, int]]
) -> None:
    town_eml = next((campaign / "replies").rglob("*.eml"), None)
    before = _snapshot(campaign)
    client.open_board()
    foreign_reply, foreign_sub = answered[TOWN]["reply"], answered[TOWN]["submission"]
    for action in ("save", "send"):
        fields = {"action": action, "reply_id": str(foreign_reply), "text": "改了别人的回复", "host": "127.0.0.1",
                  "port": "1"}  # fmt: skip
        status, answer = client.post(f"/unit/{M}/reply", fields)
        assert status == 404 and MARKET in answer["error"] and "没有这封回复" in answer["error"], action
    status, answer = client.post(f"/unit/{M}/annotated/{foreign_sub}", {"csrf": client.token})
    assert status == 404 and "没有这个版本" in answer["error"]
    status, _, data = client.request("GET", f"/unit/{M}/annotated/{foreign_sub}")
    assert status == 404 and "没有这个版本" in data.decode()
    status, answer = client.post(
        "/unit/" + quote("没有的单位") + "/reply", {"action": "save", "reply_id": str(foreign_reply)}
    )
    assert status == 404
    assert _snapshot(campaign) == before and town_eml is not None
    status, answer = client.post(
        f"/unit/{quote(TOWN, safe='')}/reply", {"action": "save", "reply_id": str(foreign_reply), "text": "本单位的"}
    )
    assert status == 200 and answer["summary"] == "回复草稿已保存。"  # its own unit may


BAD_IDS = ["abc", "", "1e3", "9" * 23, "-1", "0", " 7", "7 ", "٣", "²", "0x10", "1.0", "9223372036854775808"]
ROUTES = {
    "reply-save": ("POST", f"/unit/{M}/reply", "reply_id", {"action": "save", "text": "x"}),
    "reply-send": ("POST", f"/unit/{M}/reply", "reply_id", {"action": "send", "host": "127.0.0.1", "port": "1"}),
    "versions": ("POST", f"/unit/{M}/versions", "version", {"action": "use", "reason": "核实"}),
    "annotated-get": ("GET", f"/unit/{M}/annotated/", "", {}),
    "annotated-post": ("POST", f"/unit/{M}/annotated/", "", {}),
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_every_malformed_id_is_a_400_page(client: Client, answered: dict[str, dict[str, int]], route: str) -> None:
    method, path, field, fields = ROUTES[route]
    client.open_board()
    for bad in BAD_IDS:
        if not field and bad.strip() != bad or (not field and not bad):
            continue  # in a path: "" and spaces are another URL (below)
        if field:
            status, answer = client.post(path, {**fields, field: bad})
            text = answer["error"]
        elif method == "GET":
            status, _, data = client.request("GET", path + quote(bad, safe=""))
            text = data.decode()
            assert "<html" in text.lower()
        else:
            status, answer = client.post(path + quote(bad, safe=""), {"csrf": client.token})
            text = answer["error"]
        assert status == 400, (route, bad)
        assert "无效" in text and "正整数" in text, (route, bad)
    if not field:
        for odd in (" 7", "%20", ""):
            status = client.request(method, path + odd.replace(" ", "%20"))[0]
            assert status in (400, 403, 404, 405), odd  # never a 500


def test_more_than_a_thousand_form_parts_are_said_as_such(client: Client, campaign: Path) -> None:
    client.open_board()
    status, answer = client.post("/upload", {f"f{i}": "x" for i in range(1001)})
    assert status == 413 and "1000" in answer["error"] and "分几次" in answer["error"]
    assert "MB" not in answer["error"].split("（")[0]


def test_a_refused_chunked_upload_closes_its_connection(campaign: Path) -> None:
    small = make_console(campaign, max_request=64 * 1024)
    small.start()
    try:
        c = Client(small)
        c.open_board()
        with socket.create_connection(("127.0.0.1", small.port), timeout=10) as s:
            head = (f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{small.port}\r\nCookie: {c.cookie}\r\n"
                    f"Origin: {c.origin}\r\nX-CSRF-Token: {c.token}\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Type: multipart/form-data; boundary=b\r\n\r\n")  # fmt: skip
            s.sendall(head.encode())
            chunk = b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.eml"\r\n\r\n' + b"x" * 200_000
            s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            answer = b""
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    got = s.recv(65536)
                except ConnectionResetError:  # closed with the upload's bytes still unread: reset, not FIN
                    break
                if not got:
                    break  # closed by the server: nothing more is read from this client
                answer += got
            else:
                pytest.fail("the connection stayed open after the 413")
        # the server stops reading past twice the limit: a 413 if it got through before the reset, or nothing
        assert answer == b"" or (answer.startswith(b"HTTP/1.1 413") and b"connection: close" in answer.lower())
    finally:
        small.stop()


def test_a_killed_jobs_temporaries_are_cleaned_at_the_next_start(campaign: Path) -> None:
    old = time.time() - 3600
    left = [campaign / ".xltool-0a1b2c3d.xlsx", campaign / "reports" / ".xltool-9f8e7d6c.docx"]
    (campaign / "reports").mkdir()
    for path in left:
        path.write_bytes(b"half")
        os.utime(path, (old, old))
    newer = campaign / ".xltool-feedbeef.xlsx"  # another program's write, begun after this start
    newer.write_bytes(b"going")
    os.utime(newer, (time.time() + 3600, time.time() + 3600))
    kept = campaign / "reports" / "xltool-说明.xlsx"
    kept.write_bytes(b"mine")
    os.utime(kept, (old, old))
    console = make_console(campaign)
    console.start()
    try:
        assert not any(p.exists() for p in left)
        assert newer.exists() and kept.exists()
    finally:
        console.stop()


def test_a_control_character_in_a_file_name_never_reaches_the_page_raw(
    client: Client, campaign: Path, return_files: dict[str, Path]
) -> None:
    _drop(client, return_files["bad"], names=["市场\x00局\x07<b>.xlsx"])
    _, _, page = client.request("GET", f"/unit/{M}")
    html = page.decode()
    assert "\x00" not in html and "\x07" not in html and "<b>" not in html
    assert "市场\ufffd局\ufffd&lt;b&gt;.xlsx" in html
