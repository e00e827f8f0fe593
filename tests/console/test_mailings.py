"""下发通知 and 催报 on the console: jobs like the others (POST with the page's token, polled at
/jobs/<kind>), drafts unless 发出 is ticked, then sent through a real SMTP server (aiosmtpd) once;
and in a real Chromium, the button, its form and the job's panel."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.campaign.conftest import Collector, start_smtp
from tests.console.conftest import Client
from xltool.console.server import Console

EDUCATION = "桐柏县教育局"  # the one unit of the console's campaign without an address


@pytest.fixture
def smtp() -> Iterator[Collector]:
    handler = Collector()
    controller = start_smtp(handler)
    yield handler
    controller.stop()


def finished(client: Client, kind: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _, data = client.request("GET", f"/jobs/{kind}", headers={"Accept": "application/json"})
        assert status == 200
        state = json.loads(data)
        if not state["running"]:
            return dict(state)
        time.sleep(0.05)
    raise TimeoutError(kind)


def test_the_board_offers_both_mailings_as_jobs(client: Client) -> None:
    html = client.open_board()
    for kind, label in (("distribute", "下发通知"), ("remind", "催报")):
        assert f'data-open="{kind}-form"' in html and f'data-job-form="{kind}"' in html
        assert f'id="job-{kind}"' in html and f"<summary><b>{label}</b>" in html  # a job panel


def test_a_mailing_needs_the_pages_token(client: Client, campaign: Path) -> None:
    client.open_board()
    status, answer = client.post("/jobs/distribute", token=False)
    assert status == 403 and "安全令牌" in answer["error"]
    status, _ = client.post("/jobs/remind", origin="http://evil.example")
    assert status == 403
    assert not (campaign / "notices").exists()  # nothing drafted


def test_drafts_then_sends_each_unit_one_mail(client: Client, smtp: Collector, campaign: Path) -> None:
    client.open_board()
    status, state = client.post("/jobs/distribute")
    assert status == 202 and state["running"] in (True, False)
    done = finished(client, "distribute")
    assert (
        done["error"] == ""
        and "新起草 4 封" in done["summary"]
        and f"需人工通知 1 个单位：{EDUCATION}" in done["summary"]
    )
    assert any(line["text"].startswith(f"[需人工通知] {EDUCATION}") for line in done["lines"])
    assert len(list((campaign / "notices").rglob("*.eml"))) == 4
    server = {"send": "1", "host": smtp.host, "port": str(smtp.port), "tls": "none", "user": ""}
    assert client.post("/jobs/distribute", server)[0] == 202
    done = finished(client, "distribute")
    assert "已发送 3 封" in done["summary"] and len(smtp.received) == 3
    assert client.post("/jobs/distribute", server)[0] == 202
    assert "已发送 0 封" in finished(client, "distribute")["summary"] and len(smtp.received) == 3  # never twice
    assert client.post("/jobs/remind", server)[0] == 202  # nobody has sent: every unit is reminded
    done = finished(client, "remind")
    assert "已发送 3 封" in done["summary"] and len(smtp.received) == 6


def test_sending_without_a_server_is_said_at_once(client: Client) -> None:
    client.open_board()
    status, answer = client.post("/jobs/remind", {"send": "1", "host": ""})
    assert status == 400 and "发信（SMTP）服务器" in answer["error"]


def test_in_a_browser_the_button_opens_its_form_and_the_job_reports(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto(console.url)
    page.click("[data-open='distribute-form']")
    assert page.is_visible("#distribute-form") and not page.is_checked("#distribute-form input[name=send]")
    page.click("#distribute-form button[type=submit]")
    page.wait_for_selector("#job-distribute:not([hidden])")
    expect(page.locator("#job-distribute .summary")).to_contain_text("新起草 4 封", timeout=30_000)
    expect(page.locator("#job-distribute .lines")).to_contain_text(f"[需人工通知] {EDUCATION}")
