"""The console end to end in a real headless Chromium (Playwright driving Debian's chromium): the board,
a return dropped onto the page, its state on the board, the unit page with its problems, the annotated
copy and the report downloaded and opened, the reply drafted and edited, 收取邮件 from a real Dovecot
with messages waiting. Every page is photographed (pytest's tmp dir, screenshots*/); the board's
picture also becomes docs/console.png for the README when XLTOOL_UPDATE_DOCS=1. Without Chromium, Playwright or Dovecot the tests
skip, or fail under XLTOOL_REQUIRE_REAL=1."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from tests.campaign import mailfixtures as F
from tests.campaign.dovecot import PASSWORD, USER, append, dovecot_server
from tests.console.conftest import MARKET, TOWN
from tests.pngpixels import png_pixels
from xltool.console.server import Console

ROOT = Path(__file__).resolve().parents[2]
CHENGGUAN = "城关镇人民政府"


def _shot(page: Any, folder: Path, name: str, *texts: str) -> Path:
    """A full-page screenshot, checked: not blank (many colours) and the page shows ``texts``."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    width, _height, rows = png_pixels(path)
    bpp = len(rows[0]) // width
    colours = {row[i : i + 3] for row in rows[::3] for i in range(0, len(row), bpp * 3)}
    assert len(colours) > 30, f"{name}: {len(colours)} colours, a blank page?"
    shown = page.inner_text("body")
    for text in texts:
        assert text in shown, f"{name}: “{text}” not on the page"
    return path


def _row(page: Any, unit: str) -> Any:
    return page.locator(f'#units-table tr[data-unit="{unit}"]')


def _drop(page: Any, path: Path) -> None:
    """A real drop event on the drop zone, carrying the file (as a file manager's drag does)."""
    page.evaluate(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], name, {type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}));
            const zone = document.getElementById("dropzone");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }""",
        [path.name, base64.b64encode(path.read_bytes()).decode()],
    )


def test_drop_a_return_see_it_on_the_board_and_take_its_files(
    page: Any, console: Console, return_files: dict[str, Path], shots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect  # here: without Playwright the fixtures skip (or fail under CI)

    page.goto(console.url)
    assert page.locator('[data-count="missing"]').inner_text() == "4"
    assert _row(page, MARKET).get_attribute("data-standing") == "missing"

    # 拖入报表: the market's return with an error
    page.click("text=拖入报表 >> nth=0")
    page.wait_for_selector("#dropzone")
    _drop(page, return_files["bad"])
    page.wait_for_selector("#upload-status.ok")
    assert "新收到 1" in page.inner_text("#upload-status")
    assert "第 1 版，待修改" in page.inner_text("#upload-lines")
    _shot(page, shots, "2_拖入报表", "拖入报表", MARKET)

    # the board: its state changed; filters and sorting work
    page.goto(console.url)
    assert _row(page, MARKET).get_attribute("data-standing") == "fix"
    assert page.locator('[data-count="fix"]').inner_text() == "1"
    page.select_option("#filter-standing", "fix")
    assert page.locator("#units-table tbody tr:not([hidden])").count() == 1
    page.select_option("#filter-standing", "")
    page.fill("#filter-text", "安棚")
    assert [r.get_attribute("data-unit") for r in page.locator("#units-table tbody tr:not([hidden])").all()] == [TOWN]
    page.fill("#filter-text", "")
    page.click('#units-table th:has-text("单位") >> nth=0')

    # the unit page: the version, its verdict, its problems with cell, labels, value, message and fix
    _row(page, MARKET).locator("a").click()
    page.wait_for_selector("#versions")
    assert page.inner_text("#unit-verdict") == "待修改"
    problems = page.locator("#versions table.problems tbody tr")
    assert problems.count() >= 1
    first = [c.inner_text() for c in problems.first.locator("td").all()]
    assert first[0] == "错误" and re.fullmatch(r"[A-Z]+\d*", first[1]) and re.fullmatch(r"[A-Z]+\d+", first[3])
    assert first[6] and first[7]  # the message and the fix
    _shot(page, shots, "3_单位页_待修改", MARKET, "下载标注了问题的报表", "修改建议")

    # the annotated copy: the problem cell coloured and commented
    with page.expect_download() as info:
        page.click(".annotated >> nth=0")
    annotated = tmp_path / "annotated.xlsx"
    info.value.save_as(annotated)
    assert info.value.suggested_filename.endswith("_问题标注.xlsx")
    wb = openpyxl.load_workbook(annotated)
    commented = [c for ws in wb for row in ws.iter_rows() for c in row if c.comment is not None]
    assert any(f"【{first[1]}】" in c.comment.text for c in commented)

    # the correction, dropped through the file chooser: version 2, 已通过
    page.goto(console.url + "upload")
    page.set_input_files("#file-input", str(return_files["good"]))
    page.wait_for_selector("#upload-status.ok")
    assert "第 2 版，通过" in page.inner_text("#upload-lines")
    page.click(f"#upload-units a:has-text('{MARKET}')")
    page.wait_for_selector("#versions")
    assert page.inner_text("#unit-verdict") == "通过" and page.locator("details.version").count() == 2

    # the reply: drafted, edited, kept in its .eml
    page.click("button:has-text('起草回复')")
    page.wait_for_selector("#reply-text")
    assert "结论：通过" in page.input_value("#reply-text")
    page.fill("#reply-text", page.input_value("#reply-text") + "\n另：请于月底前寄送盖章纸质件。")
    with page.expect_navigation():  # saved, then the page reloads itself
        page.click("button:has-text('保存修改')")
    assert "盖章纸质件" in page.input_value("#reply-text")

    # the report: made, downloaded (a .docx is a zip with word/document.xml) and viewed
    with page.expect_navigation(timeout=60_000):
        page.click(".report-form button")
    with page.expect_download() as info:
        page.click("#report-docx")
    docx = tmp_path / "report.docx"
    info.value.save_as(docx)
    with zipfile.ZipFile(docx) as z:
        document = z.read("word/document.xml").decode()
    assert "政府信息公开工作年度报告" in document and "市场监督管理局" in document
    _shot(page, shots, "4_单位页_已通过", MARKET, "下载 Word 报告", "回复状态")
    with page.context.expect_page() as opened:
        page.click("#report-html")
    report = opened.value
    report.wait_for_load_state()
    assert "政府信息公开工作年度报告" in report.inner_text("body")
    report.close()

    # the board again: 已通过, and the long jobs with their progress
    page.goto(console.url)
    assert _row(page, MARKET).get_attribute("data-standing") == "pass"
    page.click("[data-job='aggregate']")
    expect(page.locator("#job-aggregate .summary")).to_contain_text("已汇总 1 个单位")
    href = page.locator("#job-aggregate .lines a").first.get_attribute("href")
    response = page.request.get(console.url.rstrip("/") + href)
    assert response.ok
    totals = openpyxl.load_workbook(io.BytesIO(response.body()))
    assert "全县汇总" in totals.sheetnames[0] or any("汇总" in n for n in totals.sheetnames)
    page.click("[data-job='reports']")
    expect(page.locator("#job-reports .summary")).to_contain_text("已生成 1 份报告")
    assert "尚未报送" in page.inner_text("#job-reports .lines")
    board = _shot(page, shots, "1_总览", "各单位报送情况", "收取邮件", "生成回复", "汇总", "生成全部报告", MARKET)
    if os.environ.get("XLTOOL_UPDATE_DOCS"):  # the README's picture, refreshed on request only
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(board, ROOT / "docs" / "console.png")


def test_collect_mail_from_a_real_imap_server_with_progress(
    page: Any, console: Console, campaign: Path, return_files: dict[str, Path], shots: Path
) -> None:
    from playwright.sync_api import expect

    with dovecot_server(tls=False) as server:
        x = F.XLSX
        waiting = [
            F.message(
                [("安棚镇年报.xlsx", return_files["town"].read_bytes(), x)],
                sender="anpeng@example.org",
                message_id="<console.1@example.org>",
            ),  # fmt: skip
            F.message(
                [("新建表格.xlsx", F.tiny_workbook(), x)],
                sender="chengguan@example.org",
                message_id="<console.2@example.org>",
            ),  # fmt: skip
            F.message([], sender="someone@163.com", message_id="<console.3@example.org>"),
        ]
        append(server.imap_port, "INBOX", waiting, [F.DATE] * 3)
        settings = campaign / "xltool.toml"
        text = settings.read_text(encoding="utf-8").replace(
            "[mail]\n",
            f'[mail]\nimap_host = "127.0.0.1"\nimap_port = {server.imap_port}\nimap_user = "{USER}"\nimap_tls = "none"\n',
        )
        settings.write_text(text, encoding="utf-8")
        page.goto(console.url)
        page.click("[data-open='collect-form']")
        assert page.input_value("#collect-form input[name=host]") == "127.0.0.1"  # from the campaign's settings
        page.fill("#collect-form input[name=password]", PASSWORD)
        page.click("#collect-form button[type=submit]")
        page.wait_for_selector("#job-collect:not([hidden])")
        expect(page.locator("#job-collect .summary")).to_contain_text("共处理 3 封邮件", timeout=30_000)
        job = page.inner_text("#job-collect")
        assert "已完成" in job and "新收到 2" in job and "无附件邮件 1" in job
        assert page.locator("#job-collect progress").get_attribute("value") is not None
        assert "第 1 版" in page.inner_text("#job-collect .lines")
        # the board was refreshed in place: 安棚镇 sent a valid return, 城关镇 an unreadable one
        expect(_row(page, TOWN)).not_to_have_attribute("data-standing", "missing")
        assert _row(page, TOWN).get_attribute("data-standing") in ("pass", "warn")
        assert _row(page, CHENGGUAN).get_attribute("data-standing") == "fix"
        assert page.input_value("#collect-form input[name=password]") == ""  # the password is not kept on the page
        _shot(page, shots, "5_收取邮件", "收取邮件", "共处理 3 封邮件", TOWN)
        # the same mail again: nothing new, as collect says
        page.fill("#collect-form input[name=password]", PASSWORD)
        page.click("#collect-form button[type=submit]")
        expect(page.locator("#job-collect .summary")).to_contain_text("已是最新 3")
