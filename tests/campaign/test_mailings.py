"""The texts and the record of the campaign's mailings: a form's [notice] checked at load (an unknown
placeholder names its place), the neutral wording of a form without one, the campaign's overrides
(the commented example init writes works once uncommented), and the mailings table the register
makes when it opens — one mail per unit, kind and state."""

from __future__ import annotations

import datetime as dt
import email
import re
import shutil
import sqlite3
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.forms.minifixtures import MINI
from xltool.campaign.mailbook import Mailbook
from xltool.campaign.mailings import draft_mailings
from xltool.campaign.register import Register
from xltool.campaign.settings import SETTINGS_FILE, init_campaign, load_campaign
from xltool.errors import FormDefinitionError, XltoolError
from xltool.form.loader import load_form
from xltool.form.notice import BUILTIN, KEYS, PLACEHOLDERS
from xltool.form.registry import default_form_path

ANNUAL = default_form_path()


def form_with(tmp_path: Path, extra: str, base: Path = ANNUAL) -> Path:
    """A copy of ``base`` with its [notice] replaced by ``extra``."""
    text = re.sub(r"\n\[notice\]\n.*?(?=\n# What some fields)", "\n", base.read_text("utf-8"), flags=re.S)
    path = tmp_path / "form.toml"
    path.write_text(text + "\n" + extra if extra.startswith("[") else extra + text, "utf-8")  # a bare key: at the top
    return path


def test_the_annual_report_has_every_text_of_its_own() -> None:
    notice = load_form(ANNUAL).notice
    assert set(notice.texts) == set(KEYS)
    values = dict.fromkeys(PLACEHOLDERS["remind_fix"], "")
    assert all(BUILTIN[k] != notice.text(k) for k in KEYS)
    assert "国办公开办函〔2021〕30号" in notice.fill("body", values)


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ('[notice]\nbody = "{unit}：请于{dealine}前报送"\n', "[notice] body 中的“{dealine}”不会被填写"),
        ('[notice]\nremind_missing = "{unit}：第 {version} 版"\n', "[notice] remind_missing 中的“{version}”"),
        ('[notice]\nsubjet = "通知"\n', "[notice]：未知的键“subjet”，是否为“subject”？"),
        ('[notice]\nsubject = ""\n', "[notice] subject 应为非空的文字"),
        ('notice = "通知"\n', "[notice]：应为一个表"),
    ],
)
def test_a_mistake_in_the_texts_is_a_form_error_naming_its_place(tmp_path: Path, extra: str, says: str) -> None:
    with pytest.raises(FormDefinitionError) as err:
        load_form(form_with(tmp_path, extra))
    assert says in str(err.value) and "表单定义错误" in str(err.value)


def test_a_form_without_notice_texts_gets_the_neutral_wording(tmp_path: Path) -> None:
    form = load_form(MINI)
    assert form.notice.texts == {}
    values = {"unit": "某某镇人民政府", "year": 2025, "form": form.name, "due": "于2026年1月31日前",
              "template": "模板.xlsx", "office": "某县人民政府办公室", "date": "2026年1月5日"}  # fmt: skip
    body = form.notice.fill("body", values)
    assert body.startswith("某某镇人民政府：") and f"《{form.name}》" in body and "于2026年1月31日前" in body
    assert "{" not in body and form.notice.fill("subject", values) == f"关于报送2025年度{form.name}的通知"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,联系邮箱,联系人\n桐柏县城关镇人民政府,cg@example.org,张三\n桐柏县月河镇人民政府,,李四\n", "utf-8"
    )
    root = tmp_path / "安全检查"
    init_campaign(root, 2025, roster, form_spec=str(MINI), county="桐柏县", deadline=dt.date(2026, 1, 31),
                  from_addr="office@example.org")  # fmt: skip
    return root


def test_the_settings_show_how_to_word_the_mails_and_the_example_works(campaign: Path) -> None:
    path = campaign / SETTINGS_FILE
    text = path.read_text("utf-8")
    assert "# [notice]" in text and load_campaign(campaign).notice_texts == {}
    start = text.index("# [notice]")
    uncommented = text[:start] + re.sub(r"^# ?", "", text[start:], flags=re.M)
    path.write_text(uncommented, "utf-8")
    campaign_ = load_campaign(campaign)
    assert set(campaign_.notice_texts) == set(KEYS)
    assert campaign_.notice().fill("subject", {"year": 2025, "form": "统计表"}) == "关于报送2025年度统计表的通知"


def test_the_register_keeps_one_mail_per_unit_kind_and_state(campaign: Path) -> None:
    c = load_campaign(campaign)
    with c.register() as reg, Mailbook(reg.path) as book:
        first = draft_mailings(c, reg, book, "distribute", "office@example.org", dt.date(2026, 1, 5))
        assert [d.unit for d in first.drafted] == ["桐柏县城关镇人民政府", "桐柏县月河镇人民政府"]
        assert first.manual == ["桐柏县月河镇人民政府"]
        again = draft_mailings(c, reg, book, "distribute", "office@example.org", dt.date(2026, 1, 6))
        assert not again.drafted and [u for u, _ in again.already] == [d.unit for d in first.drafted]
        unit = reg.unit("桐柏县城关镇人民政府").id
        assert book.add(unit, "distribute", "notice", to_addr="x@y.cn", subject="", eml_path="x.eml") is None
        assert book.add(unit, "remind", "missing", to_addr="x@y.cn", subject="", eml_path="y.eml") is not None
        reminded = draft_mailings(c, reg, book, "remind", "office@example.org", dt.date(2026, 2, 2))
        assert {d.state for d in reminded.drafted} == {"missing:overdue"}  # after the deadline: a new state
    msg = email.message_from_bytes((campaign / first.drafted[0].eml_path).read_bytes(), policy=policy.default)  # type: ignore[operator]
    assert isinstance(msg, EmailMessage) and "乡镇安全生产检查季度统计表" in str(msg["Subject"])


def test_an_older_register_gains_the_table_when_it_opens(campaign: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copyfile(campaign / "register.sqlite", old)
    with sqlite3.connect(old) as db:
        db.execute("DROP TABLE mailings")
    Register.open(old).close()
    with sqlite3.connect(old) as db:
        assert db.execute("SELECT COUNT(*) FROM mailings").fetchone() == (0,)


def test_a_settings_override_is_checked_as_the_form_is(campaign: Path) -> None:
    path = campaign / SETTINGS_FILE
    path.write_text(path.read_text("utf-8") + '\n[notice]\nremind_fix = "{unit}：{codez}"\n', "utf-8")
    with pytest.raises(XltoolError, match=r"设置文件 .*xltool.toml 中的 \[notice\] remind_fix 中的“\{codez\}”"):
        load_campaign(campaign)
