"""Pages cost little (issue 25): the board's and a unit page's HTML are rendered once per change of what
they show, each session's own CSRF token (and who is signed in) put in per view; the stylesheet and the
script are linked by their content's digest and kept by the browser."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from tests.console.conftest import MARKET, Client
from xltool.console.server import Console

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def _rendered(console: Console) -> int:
    return int(console.app.extensions["xltool_pages"].rendered)


def test_the_board_is_rendered_once_for_every_session_each_with_its_own_token(
    console: Console, return_files: dict[str, Path]
) -> None:
    first, second = Client(console), Client(console)
    first.open_board()
    before = _rendered(console)
    pages = [c.open_board() for c in (first, second, first, second)]
    assert _rendered(console) == before  # one rendering served both sessions
    tokens = [TOKEN.search(p).group(1) for p in pages]  # type: ignore[union-attr]
    assert tokens[0] == tokens[2] == first.token and tokens[1] == tokens[3] == second.token != first.token
    marks = console.app.extensions["xltool_pages"]
    assert all(marks.csrf_mark not in p and marks.session_mark not in p for p in pages)
    assert pages[0].replace(first.token, "T") == pages[1].replace(second.token, "T")  # otherwise the same page
    assert first.post("/upload", files=[(return_files["bad"].name, return_files["bad"].read_bytes())])[0] == 200
    row = first.open_board().split(f'data-unit="{MARKET}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-standing="fix"' in row and _rendered(console) == before + 1  # the register changed: once again


def test_a_unit_page_follows_its_new_report(console: Console, return_files: dict[str, Path]) -> None:
    client = Client(console)
    client.open_board()
    client.post("/upload", files=[(return_files["good"].name, return_files["good"].read_bytes())])
    path = f"/unit/{quote(MARKET)}"
    assert 'id="report-docx"' not in client.request("GET", path)[2].decode()
    rendered = _rendered(console)
    assert client.request("GET", path)[0] == 200 and _rendered(console) == rendered  # reused
    status, answer = client.post(f"{path}/report")
    assert status == 200 and "已生成 1 份报告" in answer["summary"]  # written outside the register
    page = client.request("GET", path)[2].decode()
    assert 'id="report-docx"' in page and TOKEN.search(page).group(1) == client.token  # type: ignore[union-attr]


def test_the_stylesheet_and_script_are_kept_by_the_browser(client: Client) -> None:
    html = client.open_board()
    links = re.findall(r'(?:href|src)="(/static/console\.(?:css|js)\?v=[0-9a-f]{12})"', html)
    assert len(links) == 2
    for link in links:
        status, headers, _ = client.request("GET", link)
        assert (
            status == 200 and "immutable" in headers["cache-control"] and "max-age=31536000" in headers["cache-control"]
        )
        etag = headers["etag"]
        status, headers, body = client.request("GET", link, headers={"If-None-Match": etag})
        assert status == 304 and body == b""
    status, headers, _ = client.request("GET", "/")
    assert status == 200 and headers["cache-control"] == "no-store"  # the pages themselves are never kept


def test_the_settings_are_read_again_only_when_their_file_changed(console: Console, campaign: Path) -> None:
    client = Client(console)
    settings = console.app.extensions["xltool_settings"]
    assert "桐柏县" in client.open_board()
    assert settings.campaign() is settings.campaign()  # unchanged: the same campaign, no TOML parsed again
    path = campaign / "xltool.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('county = "桐柏县"', 'county = "新野县"'), encoding="utf-8"
    )
    html = client.open_board()
    assert "新野县" in html and "桐柏县" not in html.split("<main>", 1)[0]  # the page's heading follows the file
