"""A whole campaign of the second, small form (tests/forms/mini): init, collect, status, aggregate,
reply, report and the console, through the CLI, with nothing of the annual report in sight.

The mini form has no unit types, its own blank code (K1) and rule codes (S1–S3, T1), and none of the
annual report's roles for the overview. The campaign records the form at ``init``; every later
command takes it from the folder. The roster has no 单位类型 column.
"""

from __future__ import annotations

import datetime as dt
import json
import mailbox
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner, Result

from tests.campaign.mailfixtures import message
from xltool.campaign.aggregate_book import LEFT_OUT, SOURCES, SUMMARY
from xltool.campaign.aggregate_book import UNITS as UNITS_SHEET
from xltool.campaign.settings import load_campaign
from xltool.cli import main
from xltool.form.loader import load_form
from xltool.workbook.write import UnitInfo, template_filename, write_template

MINI = Path(__file__).resolve().parent.parent / "forms" / "mini" / "form.toml"
FORM = load_form(MINI)
GRID = FORM.grids[0]
YEAR = 2025
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# unit -> (email, counts per row: 检查次数, 一般隐患, 较大隐患, 已整改)
UNITS = {
    "桐柏县城关镇人民政府": ("chengguan@example.org", {"enterprise": (20, 9, 2, 11), "school": (4, 1, 0, 1),
                                                        "market": (6, 3, 0, 3)}),
    "桐柏县月河镇人民政府": ("yuehe@example.org", {"enterprise": (8, 2, 1, 3), "school": (2, 0, 0, 0),
                                                   "market": (5, 1, 1, 9)}),  # 已整改 9 > 隐患 2: S3
    "桐柏县固县镇人民政府": ("guxian@example.org", {}),  # sends nothing
}  # fmt: skip
COLUMNS = ("visits", "hz_general", "hz_major", "fixed")


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def values(unit: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        FORM.role("unit_name"): unit,
        FORM.role("year"): YEAR,
        FORM.role("date"): dt.date(2026, 1, 10),
        "base.filler": "张三",
        "notes.summary": "2025年，本镇开展安全生产检查，发现的隐患均已登记。",
        "notes.problems": "部分企业安全培训不到位。下一步将加强宣传和培训。",
    }
    for row, numbers in UNITS[unit][1].items():
        out.update({f"{GRID.key}.{row}.{c}": n for c, n in zip(COLUMNS, numbers, strict=True)})
    return out


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("mini_campaign")
    roster = base / "名单.csv"
    roster.write_text("单位名称,联系邮箱,联系人\n" + "".join(f"{u},{e},张三\n" for u, (e, _) in UNITS.items()),
                      encoding="utf-8")  # fmt: skip
    root = base / "安全检查"
    result = run("init", root, "--year", YEAR, "--roster", roster, "--form", MINI, "--county", "桐柏县",
                 "--deadline", "2026-01-31", "--from", "office@example.org")  # fmt: skip
    assert result.exit_code == 0, result.output
    box = mailbox.mbox(base / "returns.mbox")
    for i, (unit, (email, counts)) in enumerate(UNITS.items()):
        if not counts:
            continue
        made = write_template(FORM, UnitInfo(unit, "", YEAR), base / f"{i}.xlsx", values=values(unit)).path
        name = template_filename(FORM, unit, YEAR)
        box.add(message([(name, made.read_bytes(), XLSX)], subject=f"{unit}安全检查统计表", sender=email,
                        message_id=f"<mini.{i}@example.org>"))  # fmt: skip
    box.flush()
    result = run("collect", root, "--mbox", base / "returns.mbox")
    assert result.exit_code == 0, result.output
    return root


def test_the_campaign_records_the_form_and_names_templates_by_it(campaign: Path) -> None:
    assert load_campaign(campaign).form().id == FORM.id
    names = sorted(p.name for p in (campaign / "templates").iterdir())
    assert names == sorted(template_filename(FORM, u, YEAR) for u in UNITS)


def test_the_campaign_keeps_its_own_copy_of_the_form(campaign: Path, tmp_path: Path) -> None:
    """Moved to another PC, or with the original definition edited afterwards, the campaign runs on
    the definition it began with (a copy in the folder, named relatively in xltool.toml)."""
    import shutil

    from xltool.campaign.settings import FORM_COPY

    assert (campaign / FORM_COPY).read_bytes() == MINI.read_bytes()
    assert f'form = "{FORM_COPY}"' in (campaign / "xltool.toml").read_text(encoding="utf-8")
    moved = tmp_path / "另一台电脑" / campaign.name
    shutil.copytree(campaign, moved)
    result = run("status", moved, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == json.loads(run("status", campaign, "--json").stdout)["title"]
    assert load_campaign(moved).form().id == FORM.id
    # a newer version of the definition elsewhere does not change the campaign: it runs on its copy
    edited = tmp_path / "edited" / "form.toml"
    edited.parent.mkdir()
    edited.write_text(MINI.read_text(encoding="utf-8").replace('version = "1.0"', 'version = "2.0"'), "utf-8")
    settings = moved / "xltool.toml"
    assert load_campaign(moved).form().version == FORM.version
    # a folder made before the copy existed names the form by its absolute path: still loads
    older = settings.read_text(encoding="utf-8").replace(f'form = "{FORM_COPY}"', f'form = "{edited.as_posix()}"')
    settings.write_text(older, encoding="utf-8")
    assert load_campaign(moved).form().version == "2.0"
    # the copy lost: one Chinese line naming the folder, never a form found elsewhere
    settings.write_text(older.replace(f'form = "{edited.as_posix()}"', f'form = "{FORM_COPY}"'), "utf-8")
    (moved / FORM_COPY).unlink()
    lost = run("status", moved)
    assert lost.exit_code == 1 and f"缺少表单定义 {FORM_COPY}" in lost.output and "Traceback" not in lost.output


def test_status_by_the_forms_own_codes_without_unit_types(campaign: Path, tmp_path: Path) -> None:
    result = run("status", campaign, "--json")
    assert result.exit_code == 0, result.output
    rows = {r["unit"]: r for r in json.loads(result.stdout)["units"]}
    standing = {name: r["standing"] for name, r in rows.items()}
    assert standing == {
        "桐柏县城关镇人民政府": "pass",
        "桐柏县月河镇人民政府": "fix",
        "桐柏县固县镇人民政府": "missing",
    }
    assert rows["桐柏县月河镇人民政府"]["codes"] == ["S3"]
    out = tmp_path / "status.xlsx"
    assert run("status", campaign, "--xlsx", out).exit_code == 0
    header = [c.value for c in openpyxl.load_workbook(out).active[3]]
    assert "单位" in header and "单位类型" not in header  # the form has no unit types


def test_aggregate_sums_the_error_free_return_by_the_forms_sums(campaign: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    result = run("aggregate", campaign, "-o", out)
    assert result.exit_code == 0, result.output
    assert "月河镇" in result.output  # left out, with its reason
    book = openpyxl.load_workbook(out, data_only=True)
    sheet = book[SUMMARY]  # the cached sums xltool wrote
    total = FORM.fields[f"{GRID.key}.total.hz_total"]
    shown = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, int | float)}
    counts = UNITS["桐柏县城关镇人民政府"][1]
    assert sum(n[1] + n[2] for n in counts.values()) in shown  # 隐患合计 of the one passing unit
    assert total.parts  # the total is summed by the form's definition, not by code
    for name in (LEFT_OUT, SOURCES):  # the form has no unit types
        header = [c.value for c in book[name][1]]
        assert "单位" in header and "单位类型" not in header, (name, header)
    units = book[UNITS_SHEET]  # a unit per column, its header rows down the first column
    assert [units.cell(r, 1).value for r in (2, 3)] == ["单位", "校验结论"]


def test_replies_name_the_forms_codes_and_cells(campaign: Path) -> None:
    result = run("reply", campaign)
    assert result.exit_code == 0, result.output
    drafts = {p.parent.name: p for p in (campaign / "replies").rglob("*.eml")}
    failing = drafts["桐柏县月河镇人民政府"].read_bytes().decode("utf-8", "replace")
    import email
    from email import policy

    msg = email.message_from_string(failing, policy=policy.default)
    body = msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    cell = FORM.fields[f"{GRID.key}.market.fixed"].cell
    assert "【S3】" in body and cell in body
    assert "政府信息公开" not in body
    assert "\n桐柏县人民政府办公室\n" in body and "政务公开" not in body  # the default signature, from the county


def test_init_writes_the_signature_setting_and_reply_signs_with_it(campaign: Path, tmp_path: Path) -> None:
    settings = (campaign / "xltool.toml").read_text(encoding="utf-8")
    assert 'signature = "桐柏县人民政府办公室"' in settings
    copy = tmp_path / "copy"
    shutil.copytree(campaign, copy)
    shutil.rmtree(copy / "replies", ignore_errors=True)
    toml = copy / "xltool.toml"
    toml.write_text(settings.replace('signature = "桐柏县人民政府办公室"', 'signature = "桐柏县应急管理局"'),
                    encoding="utf-8")  # fmt: skip
    assert load_campaign(copy).signature == "桐柏县应急管理局"
    with sqlite3.connect(copy / "register.sqlite") as db:
        db.execute("DELETE FROM replies")
    result = run("reply", copy)
    assert result.exit_code == 0, result.output
    [eml] = [p for p in (copy / "replies").rglob("*.eml") if "月河镇" in str(p)]
    assert "桐柏县应急管理局" in read_body(eml)
    older = "\n".join(line for line in settings.splitlines() if not line.startswith("signature"))
    toml.write_text(older, encoding="utf-8")  # a campaign made before the setting existed
    assert load_campaign(copy).signature == ""
    assert load_campaign(copy).reply_signature() == "桐柏县人民政府办公室"


def read_body(eml: Path) -> str:
    import email
    from email import policy

    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    return str(msg.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]


def test_reports_for_the_error_free_return_only(campaign: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = run("report", campaign, "-o", out)
    assert result.exit_code == 1, result.output  # not every unit got its report
    assert "月河镇人民政府：有 2 个错误（S3）" in result.output
    written = sorted(out.glob("*.docx"))
    assert len(written) == 1 and "城关镇" in written[0].name
    text = "\n".join(p.text for p in docx.Document(str(written[0])).paragraphs)
    assert "一、安全生产检查情况" in text and "政府信息公开" not in text


def test_console_pages_follow_the_form(campaign: Path) -> None:
    from xltool.console.app import create_app

    client = create_app(campaign).test_client()
    board = client.get("/", headers={"Host": "127.0.0.1"})
    assert board.status_code == 200
    page = board.get_data(as_text=True)
    assert "安全生产检查" in page and "单位类型" not in page
    unit = client.get("/unit/桐柏县月河镇人民政府", headers={"Host": "127.0.0.1"})
    assert unit.status_code == 200
    text = unit.get_data(as_text=True)
    assert "S3" in text and FORM.fields[f"{GRID.key}.market.fixed"].cell in text and "单位类型" not in text
    assert "<h2>报告</h2>" in text and "年度报告" not in text


def test_a_unit_the_register_lacks_is_a_chinese_error(campaign: Path) -> None:
    """A unit page asked for a name the register has not (a stale link, a unit renamed meanwhile)."""
    from xltool.app.unit import unit_view
    from xltool.errors import XltoolError

    with pytest.raises(XltoolError, match="登记簿中没有单位“桐柏县某某镇人民政府”"):
        unit_view(load_campaign(campaign), "桐柏县某某镇人民政府")
    from xltool.console.app import create_app

    page = create_app(campaign).test_client().get("/unit/桐柏县某某镇人民政府", headers={"Host": "127.0.0.1"})
    assert page.status_code in (400, 404) and "登记簿中没有单位" in page.get_data(as_text=True)  # why, no 500


ANNUAL = "gov-info-disclosure-annual-report"


@pytest.mark.parametrize(
    "command",
    [("status",), ("aggregate", "-o", "{tmp}/汇总.xlsx"), ("report", "-o", "{tmp}/reports"),
     ("report", "--county", "--unit", "桐柏县城关镇人民政府", "-o", "{tmp}/县.docx")],
)  # fmt: skip
def test_form_option_naming_another_form_is_refused(campaign: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = run(args[0], campaign, *args[1:], "--form", ANNUAL)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and FORM.name in lines[0] and "--form" in lines[0], result.output
    assert not any(tmp_path.iterdir())  # nothing written


def test_form_option_naming_the_campaigns_own_form_is_fine(campaign: Path) -> None:
    for spec in (MINI, MINI.parent):
        result = run("status", campaign, "--json", "--form", spec)
        assert result.exit_code == 0, result.output


def test_init_with_last_years_returns_says_nothing_of_carrying_over_for_a_form_without_cross_year_rules(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,联系邮箱,联系人\n桐柏县城关镇人民政府,a@example.org,张三\n", encoding="utf-8")
    last = tmp_path / "last"
    last.mkdir()
    result = run("init", tmp_path / "camp", "--year", YEAR, "--roster", roster, "--form", MINI, "--previous", last)
    assert result.exit_code == 0, result.output
    assert "上年结转" not in result.output and "预填" not in result.output


def test_the_applications_chart_counts_in_the_forms_own_unit(campaign: Path, tmp_path: Path) -> None:
    from xltool.campaign.status import campaign_status
    from xltool.campaign.status_files import write_status_html

    text = MINI.read_text(encoding="utf-8").replace("[roles]\n", f'[roles]\napplications = "{GRID.key}.total.visits"\n')
    variant = tmp_path / "form.toml"
    variant.write_text(text, encoding="utf-8")
    form = load_form(variant)
    assert form.types[form.fields[form.role("applications")].type].unit == "次"
    status = campaign_status(load_campaign(campaign), form=form)
    assert status.applications_unit == "次"
    page = write_status_html(status, tmp_path / "status.html").read_text(encoding="utf-8")
    visits = sum(n[0] for n in UNITS["桐柏县城关镇人民政府"][1].values())
    assert f"桐柏县城关镇人民政府：{visits} 次</title>" in page and " 件<" not in page


def test_the_form_names_who_signs_the_replies(tmp_path: Path) -> None:
    """The annual report is collected by the county's 政务公开办 ([form] reply_signature); a form that
    says nothing is signed by the county's government office; a pattern may hold only {county}."""
    from xltool.campaign.settings import default_signature
    from xltool.errors import FormDefinitionError

    assert default_signature("桐柏县", load_form()) == "桐柏县人民政府办公室（政务公开办）"
    assert default_signature("桐柏县", FORM) == "桐柏县人民政府办公室"
    assert default_signature("", load_form()) == ""
    bad = tmp_path / "form.toml"
    bad.write_text(MINI.read_text(encoding="utf-8").replace("[form]\n", '[form]\nreply_signature = "{unit}办"\n', 1),
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(FormDefinitionError, match="reply_signature"):
        load_form(bad)
