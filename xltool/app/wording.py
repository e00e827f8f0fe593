"""The Chinese lines of a use case's result, one wording for the command line, the console and the
demo. Each line carries its ``kind`` (an outcome key); each front end chooses its colour or tone."""

from __future__ import annotations

from dataclasses import dataclass

from xltool.campaign.aggregate import AggregateResult
from xltool.campaign.collect import OUTCOMES, CollectResult, Item
from xltool.campaign.register import VERDICT_ZH
from xltool.campaign.reply import ReplyDraft, SendResult
from xltool.campaign.status_files import number_text
from xltool.form.model import Form
from xltool.report.batch import BatchResult
from xltool.report.batch import Item as BatchItem


@dataclass(frozen=True)
class Line:
    text: str
    kind: str = ""  # "sent" | "failed" | "unknown" | "skipped" | "refused" | "missing" | "" …
    unit: str = ""  # the unit the line is about (the console links to its page)


# --- collect ---------------------------------------------------------------------------------------
def collect_item(item: Item) -> str:
    """ "[新版本] 单位：文件名（第 2 版，待修改）"."""
    who = item.unit or item.sender or "（无发件人）"
    text = f"[{OUTCOMES[item.outcome]}] {who}：{item.name or item.subject or '（无主题）'}"
    if item.version:
        text += f"（第 {item.version} 版{'，' + item.verdict if item.verdict else ''}）"
    return text


def collect_counts(result: CollectResult, *, zeros: bool = False) -> str:
    """ "新版本 3、重复 1" (outcomes with none left out unless ``zeros``)."""
    return "、".join(f"{OUTCOMES[k]} {n}" for k, n in result.counts().items() if n or zeros)


def collect_summary(result: CollectResult, *, zeros: bool = False) -> str:
    return f"共处理 {result.messages} 封邮件：{collect_counts(result, zeros=zeros) or '没有新内容'}。"


def drop_summary(result: CollectResult, files: int) -> str:
    """What a drop on the console did: files dropped, not mail processed."""
    return f"拖入 {files} 个文件：{collect_counts(result) or '没有新内容'}。"


# --- reply -----------------------------------------------------------------------------------------
NO_DRAFTS = "没有需要回复的新版本。"
NO_PENDING = "没有待发送的回复。"


def draft_line(d: ReplyDraft) -> str:
    """ "[草稿] 单位（待修改）→ 地址"."""

    to = d.to_addr or "没有邮箱地址，需人工发送"
    return f"[草稿] {d.unit}（{VERDICT_ZH[d.verdict]}）→ {to}"


def send_lines(result: SendResult) -> list[Line]:
    """A line for every draft: sent, failed (the server's answer), in doubt, not sent (why)."""
    lines = [Line(f"[已发送] {d.unit} → {d.to_addr}", "sent", d.unit) for d in result.sent]
    lines += [Line(f"[发送失败] {d.unit} → {d.to_addr}：{why}", "failed", d.unit) for d, why in result.failed]
    lines += [
        Line(f"[结果不明] {d.unit} → {d.to_addr}：{why}（请到发件箱核实，不会自动重发）", "unknown", d.unit)
        for d, why in result.unknown
    ]
    lines += [Line(f"[未发送] {d.unit}：{why}", "skipped", d.unit) for d, why in result.skipped]
    return lines


def send_summary(result: SendResult) -> str:
    return f"已发送 {len(result.sent)} 封，失败 {len(result.failed)} 封，未发送 {len(result.skipped)} 封。"


# --- aggregate -------------------------------------------------------------------------------------
def aggregate_counted(summed: AggregateResult, units: int) -> str:
    return f"已汇总 {len(summed.included)} 个单位的报表（名单共 {units} 个单位）。"


def applications_line(summed: AggregateResult, form: Form) -> str | None:
    """The county's total of the form's applications figure, when the form names one."""

    applications = summed.applications()
    if applications is None:
        return None
    return f"{summed.area}合计 {form.fields[form.role('applications')].label}：{number_text(applications)}"


# --- reports ---------------------------------------------------------------------------------------
def report_lines(result: BatchResult, missing: list[str]) -> list[Line]:
    """A line for every report written from a return with errors (--allow-errors), every report
    refused (why) and every unit that sent nothing."""
    lines = [Line(unchecked_line(item), "unchecked", item.job.unit) for item in result.written if _errors(item)]
    lines += [Line(refused_line(item), "refused", item.job.unit) for item in result.refused]
    return lines + [Line(f"[未生成] {unit}：尚未报送", "missing", unit) for unit in missing]


def _errors(item: BatchItem) -> list[str]:
    return list(dict.fromkeys(p.code for p in item.problems if p.is_error))


def unchecked_line(item: BatchItem) -> str:
    """ "[未通过校验] 单位：报表有 3 个错误（B1、E1），报告已标注…"."""
    codes = _errors(item)
    errors = sum(p.is_error for p in item.problems)
    return (f"[未通过校验] {item.job.unit or item.job.source.name}：报表有 {errors} 个错误（{'、'.join(codes)}），"
            "报告已标注“未通过校验”，仅供核对，不能作为正式报告发布")  # fmt: skip


def refused_line(item: BatchItem) -> str:
    return f"[未生成] {item.job.unit or item.job.source.name}：{item.refused}"


def report_summary(result: BatchResult, formats: list[str], missing: list[str], where: str = "") -> str:
    """ "已生成 5 份报告（docx、html）…（其中 1 份未通过校验）；未生成 1 份，另有 2 个单位尚未报送。"
    (``where``: "，保存在 …")."""
    left = f"，另有 {len(missing)} 个单位尚未报送" if missing else ""
    written, refused = len(result.written), len(result.refused)
    unchecked = sum(1 for i in result.written if _errors(i))
    marked = f"（其中 {unchecked} 份未通过校验）" if unchecked else ""
    return f"已生成 {written} 份报告（{'、'.join(formats)}）{where}{marked}；未生成 {refused} 份{left}。"
