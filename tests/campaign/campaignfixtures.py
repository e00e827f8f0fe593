"""A small campaign (four units of 桐柏县, one without an email address) and the county's inbox for it:
the mail ``collect`` is tested on, shared by the campaign and console tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.campaign import mailfixtures as F
from xltool.campaign.settings import init_campaign

MARKET = "桐柏县市场监督管理局"
TOWN = "安棚镇人民政府"
CHENGGUAN = "城关镇人民政府"
EDUCATION = "桐柏县教育局"  # no email address in the roster
ROSTER = f"""单位名称,单位类型,联系邮箱,联系人
{CHENGGUAN},乡镇,chengguan@example.org,王磊
{TOWN},乡镇,anpeng@example.org,李娜
{MARKET},部门,tbscjgj@example.org,张伟
{EDUCATION},部门,,赵六
"""
LATER = F.DATE + dt.timedelta(days=2)


def make_campaign(folder: Path, **kwargs: Any) -> Path:
    roster = folder.parent / f"{folder.name}-名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    init_campaign(folder, 2025, roster, county="桐柏县", from_addr="gkb@tongbai.example.org", **kwargs)
    return folder


def mail(returns: dict[str, bytes]) -> list[bytes]:
    """A county's inbox, in the order it arrived."""
    x = F.XLSX
    return [
        F.message([("年报.xlsx", returns["market"], x)], sender="张伟 <tbscjgj@example.org>", message_id="<m1@x>"),
        F.message([("安棚镇.xlsx", returns["town"], x)], sender="同事 <colleague@qq.com>", message_id="<t1@x>"),
        # 城关镇's return sent from 安棚镇's address: taken as 城关镇's (its _meta says so), flagged
        F.message([("城关镇.xlsx", returns["chengguan"], x)], sender="anpeng@example.org", message_id="<c1@x>"),
        # no _meta: by the sender's address; then by the file name; then nobody
        F.message([("新建表格.xlsx", F.tiny_workbook(), x)], sender="chengguan@example.org", message_id="<s1@x>"),
        F.message([("桐柏县教育局年报.xlsx", F.tiny_workbook("教育"), x)], sender="x@163.com", message_id="<f1@x>"),
        F.message([("报表.xlsx", F.tiny_workbook("无名"), x)], sender="y@163.com", message_id="<u1@x>"),
        F.message([("说明.docx", F.tiny_docx(), F.DOCX)], sender="anpeng@example.org", message_id="<d1@x>"),
        F.message([], sender="chengguan@example.org", message_id="<e1@x>"),
        # a correction two days later, then the first file again (re-sent): no new version
        F.message(
            [("年报（修改）.xlsx", returns["market2"], x)],
            sender="tbscjgj@example.org",
            date=LATER,
            message_id="<m2@x>",
        ),  # fmt: skip
        F.message([("年报.xlsx", returns["market"], x)], sender="tbscjgj@example.org", message_id="<m3@x>"),
        F.forwarded(),  # 固县镇 is not on this roster: its workbook has no _meta and no name matches
    ]
