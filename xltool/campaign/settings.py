"""A campaign folder: its settings file (``xltool.toml``), its layout, and making one (``xltool init``).

Every later command takes the folder; what it needs (year, form, roster, deadline) is read from the
settings, so the clerk types it once. The settings never hold a password: mail passwords come from
the environment or a prompt at the moment they are needed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.campaign.prefill import last_year_fill
from xltool.campaign.register import Register
from xltool.errors import XltoolError
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.form.notice import Notice, checked_texts
from xltool.form.period import Period, PeriodError, parse_period
from xltool.form.registry import resolve_form, shipped_forms
from xltool.outputs import write_output
from xltool.roster import Roster, load_roster
from xltool.workbook.filenames import template_filename

SETTINGS_FILE = "xltool.toml"
TEMPLATES = "templates"
ROSTER_STEM = "名单"  # the roster is copied in as 名单.xlsx / 名单.csv
# A form of the county's own is copied in too: the campaign keeps the definition it began with when
# the original is edited, and the folder can be moved to another PC. A shipped form is named by id.
FORM_COPY = "表单定义.toml"


@dataclass(frozen=True)
class Campaign:
    """A campaign folder and its settings."""

    root: Path
    year: int
    form_spec: str  # a shipped form id, or a form.toml: relative to root (the copy) or absolute
    roster_file: str  # relative to root
    county: str = ""
    deadline: dt.date | None = None
    previous: str = ""  # last year's returns (a folder), "" when none
    from_addr: str = ""  # the address replies are sent from
    mail: Mapping[str, Any] = field(default_factory=dict)  # [mail] settings: imap_host, smtp_host, …
    signature: str = ""  # [mail] signature: who signs the replies ("" = default_signature(county))
    notice_texts: Mapping[str, str] = field(default_factory=dict)  # [notice]: the form's mail texts overridden
    period: str = ""  # a form not collected yearly: its half, quarter or month ("2025Q1"); "" = the year

    @property
    def when(self) -> Period:
        """The period collected: the half, quarter or month, else the year."""
        return parse_period(self.period) if self.period else Period(self.year)

    def form(self) -> Form:
        spec = self.form_spec
        if spec.lower().endswith(".toml") and not Path(spec).is_absolute():  # the copy made by init
            if not (self.root / spec).is_file():
                raise XltoolError(
                    f"报送工作文件夹 {self.root} 中缺少表单定义 {spec}（创建时复制进来的）。"
                    "请从备份中找回，或把原来的 form.toml 复制到这里并改为此名。"
                )
            return load_form(self.root / spec)
        return load_form(resolve_form(spec or None))

    def roster(self, form: Form | None = None) -> Roster:
        return load_roster(self.root / self.roster_file, (form or self.form()).units)

    def register(self) -> Register:
        return Register.for_campaign(self.root)

    def reply_signature(self) -> str:
        """The line a reply is signed with: the [mail] signature setting, else the county's office."""
        return self.signature.strip() or default_signature(self.county, self.form())

    def notice(self, form: Form | None = None) -> Notice:
        """The texts of the notices and reminders: the form's, with this campaign's [notice] over them."""
        return (form or self.form()).notice.over(self.notice_texts, notice_place(self.root))

    def days_left(self, today: dt.date | None = None) -> int | None:
        """Days to the deadline (negative: days late), None without a deadline."""
        if self.deadline is None:
            return None
        return (self.deadline - (today or dt.date.today())).days


def notice_place(root: Path) -> str:
    """Where a campaign's mail texts are, as an error about them names it."""
    return f"设置文件 {Path(root) / SETTINGS_FILE} 中的 [notice]"


def default_signature(county: str, form: Form | None = None) -> str:
    """Who signs the replies: the office the form names as collecting it ([form] reply_signature),
    else the county's government office; "" without a county name."""
    if not county:
        return ""
    pattern = form.reply_signature if form is not None and form.reply_signature else "{county}人民政府办公室"
    return pattern.replace("{county}", county)


def is_campaign(root: Path) -> bool:
    return (Path(root) / SETTINGS_FILE).is_file()


def load_campaign(root: Path) -> Campaign:
    """The campaign in ``root``; a Chinese error when the folder is not one."""
    root = Path(root)
    path = root / SETTINGS_FILE
    if not path.is_file():
        raise XltoolError(f"{root} 不是报送工作文件夹（其中没有 {SETTINGS_FILE}）。请先用 xltool init 创建。")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        c = data["campaign"]
        deadline = c.get("deadline") or None
        return Campaign(
            root=root,
            year=int(c["year"]),
            form_spec=str(c.get("form", "")),
            roster_file=str(c["roster"]),
            county=str(c.get("county", "")),
            deadline=dt.date.fromisoformat(str(deadline)) if deadline else None,
            previous=str(c.get("previous", "")),
            from_addr=str(data.get("mail", {}).get("from", "")),
            mail=dict(data.get("mail", {})),
            signature=str(data.get("mail", {}).get("signature", "")),  # absent in older campaigns
            notice_texts=checked_texts(data.get("notice", {}), notice_place(root)),
            period=_period(c),
        )
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, PeriodError) as err:
        raise XltoolError(f"设置文件 {path} 无法读取：{err}。请检查其内容，或重新用 xltool init 创建。") from None


def _period(c: Mapping[str, Any]) -> str:
    """[campaign] period, checked to be a period of the campaign's year ("" for a yearly campaign)."""
    if not c.get("period"):
        return ""
    when = parse_period(str(c["period"]))
    if when.year != int(c["year"]):
        raise PeriodError(f"period = {c['period']} 不在 year = {c['year']} 这一年内")
    return "" if when.yearly else when.code


def settings_text(c: Campaign) -> str:
    """The settings file, with comments a clerk can follow when editing it by hand."""

    def s(v: str) -> str:
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string is a JSON string

    lines = [
        "# xltool 报送工作设置（由 xltool init 生成，可手工修改；不要在此填写任何密码）",
        "",
        "[campaign]",
        f"year = {c.year}  # 报告年度",
        *([f"period = {s(c.period)}  # 报告期（{c.when.label_zh}）"] if c.period else []),
        f"county = {s(c.county)}  # 县（市、区）名称",
        f"deadline = {s(c.deadline.isoformat() if c.deadline else '')}  # 报送截止日期，如 2026-01-31",
        f"form = {s(c.form_spec)}  # 表单：内置表单的编号，或表单定义文件（自定义表单在本文件夹中有一份副本）",
        f"roster = {s(c.roster_file)}  # 单位名单（本文件夹中的副本）",
        f"previous = {s(c.previous)}  # 上年度报表所在文件夹（跨年度校验）",
        "",
        "[mail]",
        f"from = {s(c.from_addr)}  # 回复邮件的发件地址，如 gkb@example.gov.cn",
        f"signature = {s(c.signature)}  # 回复邮件的落款（发件单位名称）；留空则用表单的默认落款或“县名＋人民政府办公室”",
        '# imap_host = "imap.qiye.163.com"  # 收取报表的邮箱（密码用环境变量 XLTOOL_IMAP_PASSWORD）',
        '# smtp_host = "smtp.qiye.163.com"  # 发送回复的服务器（密码用环境变量 XLTOOL_SMTP_PASSWORD）',
        "",
        *NOTICE_EXAMPLE,
        *(PERIOD_NOTE if c.period else ()),
    ]
    return "\n".join(lines)


# How a campaign words its own notice and reminders (xltool distribute, xltool remind), commented out.
NOTICE_EXAMPLE = (
    "# 下发通知（xltool distribute）和催报（xltool remind）邮件的文字：不填则用表单中的文字。",
    "# 可用的占位符：{unit} 单位  {county} 县名  {year} 年度  {deadline} 截止日期  {due} 报送时限（“于…前”或“尽快”）",
    "#   {form} 表单名称  {office} 落款  {template} 模板文件名  {date} 发出日期；",
    "#   remind_fix、remind_review 另有 {version} 版本  {count} 问题个数  {codes} 问题编号  {replied} 已发的回复",
    "# [notice]",
    '# subject = "关于报送{year}年度{form}的通知"',
    '# body = """',
    "# {unit}：",
    "#",
    "# 现将{year}年度《{form}》填报模板（附件“{template}”）发给你单位，请{due}填写后以附件形式回复本邮件报送。",
    "#",
    "# {office}",
    "# {date}",
    '# """',
    '# remind_subject = "催报：{year}年度{form}（{unit}）"',
    '# remind_missing = """……"""  # 未报送',
    '# remind_fix = """……"""  # 待修改',
    '# remind_review = """……"""  # 待核实',
    "",
)

PERIOD_NOTE = (
    "# 按季度等报送时另有：{period} 报告期（如 2025年第一季度）  {quarter} 季度（一至四）  {month} 月份（月报）",
    "",
)


@dataclass(frozen=True)
class InitResult:
    campaign: Campaign
    units: int
    templates: list[Path]
    prefilled: int  # templates pre-filled from last year's returns

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.campaign.root),
            "year": self.campaign.year,
            **({"period": self.campaign.period} if self.campaign.period else {}),
            "units": self.units,
            "templates": [str(p) for p in self.templates],
            "prefilled": self.prefilled,
        }


def init_campaign(
    root: Path,
    year: int,
    roster_path: Path,
    *,
    form_spec: str = "",
    county: str = "",
    deadline: dt.date | None = None,
    previous: Path | None = None,
    from_addr: str = "",
    password: str = "",
    progress: Callable[[str], None] | None = None,
    period: Period | None = None,
) -> InitResult:
    """Create the campaign folder: settings, a copy of the roster, one template per unit (pre-filled
    from last year's return when ``previous`` is given) and the register with the units."""
    from xltool.workbook.write import UnitInfo, write_template  # xlsxwriter: only init writes templates

    root = Path(root)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise XltoolError(f"{root} 已存在且不是空文件夹。请指定一个新的文件夹名称。")
    form_path = resolve_form(form_spec or None)
    form = load_form(form_path)
    shipped = any(e.path == form_path for e in shipped_forms())
    roster = load_roster(roster_path, form.units)  # refuse a bad roster before anything is written
    if previous is not None and not previous.is_dir():
        raise XltoolError(f"上年度报表文件夹不存在：{previous}")
    root.mkdir(parents=True, exist_ok=True)
    roster_file = f"{ROSTER_STEM}{roster_path.suffix.lower()}"
    write_output(root / roster_file, lambda tmp: shutil.copyfile(roster_path, tmp))
    if not shipped:
        write_output(root / FORM_COPY, lambda tmp: shutil.copyfile(form_path, tmp))
    campaign = Campaign(
        root=root,
        year=year,
        form_spec=form.id if shipped else FORM_COPY,
        roster_file=roster_file,
        county=county,
        deadline=deadline,
        previous=str(previous.resolve()) if previous else "",
        from_addr=from_addr,
        signature=default_signature(county, form),  # written out, so the clerk sees what replies are signed with
        period=period.code if period and not period.yearly else "",
    )
    write_output(root / SETTINGS_FILE, lambda tmp: tmp.write_text(settings_text(campaign), encoding="utf-8"))
    fills = last_year_fill(form, previous, year) if previous else {}
    templates = []
    for unit in roster:
        out = root / TEMPLATES / template_filename(form, unit.name, campaign.when)
        fill = fills.get(unit.name)
        info = UnitInfo(unit.name, unit.unit_type, year, campaign.when if campaign.period else None)
        write_template(form, info, out, password=password, values=fill.values if fill else None,
                       notes=fill.notes if fill else None)  # fmt: skip
        templates.append(out)
        if progress:
            progress(unit.name)
    with campaign.register() as reg:
        reg.sync_units(roster)
    return InitResult(campaign, len(roster), templates, sum(1 for u in roster if u.name in fills))
