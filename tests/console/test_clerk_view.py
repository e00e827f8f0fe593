"""What the clerk reads on the console: a dropped file is a drop (not a mail) with a reply subject of
its own, bare codes carry their meaning, a refusal stays until dismissed, job panels carry their time
and fold away, the newest first. Behaviour in the page runs in real Chromium."""

from __future__ import annotations

import re
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.console.conftest import MARKET, Client
from xltool.app.codes import code_meanings
from xltool.console.server import Console
from xltool.form.loader import load_form


def _drop_bad(client: Client, return_files: dict[str, Path]) -> Any:
    client.open_board()
    status, answer = client.post("/upload", files=[(return_files["bad"].name, return_files["bad"].read_bytes())])
    assert status == 200, answer
    return answer


def test_a_dropped_file_is_a_drop_with_a_reply_subject_of_its_own(
    client: Client, campaign: Path, return_files: dict[str, Path]
) -> None:
    answer = _drop_bad(client, return_files)
    assert answer["summary"] == "拖入 1 个文件：新收到 1。" and "邮件" not in answer["summary"]
    status, drafted = client.post(f"/unit/{quote(MARKET, safe='')}/reply", {"action": "draft"})
    assert status == 200, drafted
    [eml] = (campaign / "replies").rglob("*.eml")
    subject = str(BytesParser(policy=policy.default).parsebytes(eml.read_bytes())["Subject"])
    assert subject == f"{load_form().name}校验结果（{MARKET}）" and "拖入" not in subject


def test_codes_carry_their_meaning(client: Client, return_files: dict[str, Path]) -> None:
    _drop_bad(client, return_files)
    form = load_form()
    meanings = code_meanings(form)
    assert meanings["H8"] == f"H8：{form.rule('H8').title}" and form.rule("H7-unit").title in meanings["H7"]
    board = client.open_board()
    shown = dict(re.findall(r'<abbr title="([^"]*)">(\w+)</abbr>', board))
    assert shown and all(meanings[code] == title for title, code in shown.items())
    _, _, page = client.request("GET", f"/unit/{quote(MARKET, safe='')}")
    assert f'title="{meanings["B1"]}">B1<' in page.decode()


def test_a_job_carries_its_start_and_end(client: Client, console: Console) -> None:
    client.open_board()
    assert client.post("/jobs/aggregate")[0] == 202
    state = console.app.extensions["xltool_jobs"].wait("aggregate")
    assert (
        re.fullmatch(r"\d+月\d+日 \d\d:\d\d:\d\d", state["started_at"]) and state["finished_at"] >= state["started_at"]
    )


def test_a_refusal_stays_until_dismissed(page: Any, console: Console, return_files: dict[str, Path]) -> None:
    from playwright.sync_api import expect

    page.goto(console.url + "upload")
    page.set_input_files("#file-input", str(return_files["bad"]))
    page.wait_for_selector("#upload-status.ok")
    page.goto(console.url + "unit/" + quote(MARKET, safe=""))
    page.click("#report button")
    refusal = page.locator("#report-result.refusal")
    expect(refusal).to_contain_text(MARKET)
    time.sleep(1.5)  # the old page reloaded after 0.6 s and the refusal was gone
    expect(refusal).to_be_visible()
    page.click("#report-result button.close")
    expect(page.locator("#report-result")).to_have_text("")


def test_job_panels_show_the_newest_first_and_fold_the_older(page: Any, console: Console) -> None:
    from playwright.sync_api import expect

    page.goto(console.url)
    for kind in ("reply", "aggregate"):
        page.click(f'[data-job="{kind}"]')
        expect(page.locator(f"#job-{kind} .step")).to_contain_text("已完成")
        time.sleep(1.1)  # a second apart: their start times differ on the page too
    jobs = page.locator("#jobs > details.job:not([hidden])")
    assert [jobs.nth(i).get_attribute("id") for i in range(jobs.count())] == ["job-aggregate", "job-reply"]
    assert page.eval_on_selector("#job-aggregate", "d => d.open") and not page.eval_on_selector(
        "#job-reply", "d => d.open"
    )
    assert re.search(r"\d\d:\d\d:\d\d 至 .*\d\d:\d\d:\d\d", page.inner_text("#job-reply summary"))
    table_top = page.eval_on_selector("#units-table", "t => t.getBoundingClientRect().top")
    assert table_top < 900 * 1.5  # the panels take a bounded height: the table is at most a scroll away
