"""A county whose mail gets things wrong, for the tests of ``xltool versions``: a mis-sent file
(自然资源局 mails 住建局's old draft after 住建局's good version, then 住建局 sends its good file
again), a wrong template (财政局 fills in 司法局's template), the same file from two units and a
plain resend (市场监管局 corrects its return). Every return's numbers differ and are kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.campaign import mailfixtures as F
from tests.campaign.countyfixtures import failing, unit_values
from tests.returns import default_form, make_return
from xltool.campaign.settings import init_campaign

CST = dt.timezone(dt.timedelta(hours=8))
HOUSING = "泌阳县住房和城乡建设局"
LAND = "泌阳县自然资源局"
FINANCE = "泌阳县财政局"
JUSTICE = "泌阳县司法局"
MARKET = "泌阳县市场监督管理局"
WATER = "泌阳县水利局"
ROSTER = f"""单位名称,单位类型,联系邮箱,联系人
{HOUSING},部门,zjj@example.org,张一
{LAND},部门,zrzyj@example.org,李二
{FINANCE},部门,czj@example.org,王三
{JUSTICE},部门,sfj@example.org,赵四
{MARKET},部门,scjgj@example.org,钱五
{WATER},部门,slj@example.org,孙六
"""


@dataclass
class Mess:
    root: Path  # the campaign folder
    files: dict[str, Path] = field(default_factory=dict)  # key -> the return as written
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> its values


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, 30, tzinfo=CST)


def build_mess(root: Path) -> Mess:
    """The campaign folder ``root/2025年报`` after collecting the county's mail."""
    from xltool.campaign.collect import collect
    from xltool.campaign.settings import load_campaign

    form = default_form()
    made = root / "made"
    roster = root / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    camp = root / "2025年报"
    init_campaign(
        camp, 2025, roster, county="泌阳县", deadline=dt.date(2026, 1, 31), from_addr="gkb@biyang.example.org"
    )
    mess = Mess(camp)

    def make(key: str, k: int, template_unit: str, values: dict[str, Any]) -> tuple[str, bytes, str]:
        path = make_return(made, base=values, unit=template_unit, unit_type="部门", name=f"{key}.xlsx")
        mess.files[key], mess.values[key] = path, values
        return (f"{key}.xlsx", path.read_bytes(), F.XLSX)

    housing = unit_values(form, 1, HOUSING, town=False)
    good = make("housing", 1, HOUSING, housing)
    draft = make("housing_draft", 1, HOUSING, failing({**housing, "t2.licensing.decisions": 7}))
    land = make("land", 2, LAND, unit_values(form, 2, LAND, town=False))
    # 财政局 filled in 司法局's template: the hidden data names 司法局, the typed name is 财政局's
    wrong = make("finance_in_justice", 3, JUSTICE, unit_values(form, 3, FINANCE, town=False))
    market1 = make("market1", 4, MARKET, failing(unit_values(form, 4, MARKET, town=False)))
    market2 = make("market2", 5, MARKET, unit_values(form, 5, MARKET, town=False))
    blank = ("新建表格.xlsx", F.tiny_workbook("水利"), F.XLSX)  # no template's hidden data: tied by the sender
    x = F.message
    messages = [
        x([good], sender="zjj@example.org", subject="住建局年报", date=_at(16), message_id="<h1@x>"),
        x([land], sender="zrzyj@example.org", subject="自然资源局年报", date=_at(17), message_id="<l1@x>"),
        x([draft], sender="zrzyj@example.org", subject="自然资源局年报", date=_at(18), message_id="<l2@x>"),
        x([good], sender="zjj@example.org", subject="住建局年报（重发）", date=_at(19), message_id="<h2@x>"),
        x([wrong], sender="czj@example.org", subject="财政局年报", date=_at(18), message_id="<f1@x>"),
        x([market1], sender="scjgj@example.org", subject="市场监管局年报", date=_at(16), message_id="<m1@x>"),
        x([market2], sender="scjgj@example.org", subject="市场监管局年报（修改）", date=_at(20), message_id="<m2@x>"),
        x([blank], sender="slj@example.org", subject="水利局年报", date=_at(16), message_id="<w1@x>"),
        # 水利局's very file again, from 市场监管局's address: the same file from two units
        x([blank], sender="scjgj@example.org", subject="转发", date=_at(21), message_id="<w2@x>"),
    ]
    collect(load_campaign(camp), messages, "test")
    return mess
