"""Replies to the units: for each current version with a verdict, a Chinese email answering the
message that brought it (the verdict in words, every problem as ``xltool verify`` lists it, the
annotated copy attached), kept as an .eml in ``<campaign>/replies/`` and sent over SMTP.

A verdict of a version is sent at most once: a reply is claimed in the register before it is handed
to the server, and marked sent only when the server accepted it. A refused send is recorded with the
server's answer and sent again on a later run; a kill while the server was taking it leaves it
"sending", for a person to check, never sent twice by itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from xltool.campaign.addressing import own_template, sender_unit_name, with_wrong_template, wrong_template
from xltool.campaign.records import Message
from xltool.campaign.register import Register, Submission, Verdict
from xltool.campaign.settings import default_signature
from xltool.campaign.smtp import TLS_MODES, MailServerError, SmtpServer, deliver  # noqa: F401 - MailServerError: raised from here
from xltool.campaign.smtp import address as _address
from xltool.campaign.smtp import message_id as _message_id
from xltool.checks.verify import FileResult, VerifyResult
from xltool.errors import FormDefinitionError, XltoolError
from xltool.form.model import Form
from xltool.form.problems import Problem
from xltool.outputs import write_output
from xltool.workbook.filenames import safe_filename

REPLIES_DIR = "replies"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_RE_PREFIX = re.compile(r"^(?:\s*(?:re|reply|回复|答复|回覆)\s*[:：]\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class ReplyDraft:
    submission_id: int
    unit: str
    verdict: str  # "pass" | "warn" | "fix"
    to_addr: str  # "" when the unit has no address: a person sends it (需人工发送)
    subject: str
    message: EmailMessage
    annotated: Path | None = None  # the annotated copy attached, when there are problems
    eml_path: Path | None = None  # set by write_drafts
    reply_id: int | None = None  # set by write_drafts

    @property
    def manual(self) -> bool:
        return not self.to_addr


@dataclass
class SendResult:
    sent: list[ReplyDraft] = field(default_factory=list)
    failed: list[tuple[ReplyDraft, str]] = field(default_factory=list)  # with the server's answer
    skipped: list[tuple[ReplyDraft, str]] = field(default_factory=list)  # with the reason (Chinese)
    unknown: list[tuple[ReplyDraft, str]] = field(default_factory=list)  # cut off while the server took it

    def to_dict(self) -> dict[str, Any]:
        pair = lambda d, why: {"unit": d.unit, "to": d.to_addr, "reason": why}  # noqa: E731
        return {
            "sent": [{"unit": d.unit, "to": d.to_addr} for d in self.sent],
            "failed": [pair(d, why) for d, why in self.failed],
            "skipped": [pair(d, why) for d, why in self.skipped],
            "unknown": [pair(d, why) for d, why in self.unknown],
        }


# --- the text ------------------------------------------------------------------------------------


def reply_subject(original: str, fallback: str) -> str:
    """ "回复：" + the original subject, never "回复：回复：" (nor "回复：Re:")."""
    rest = _RE_PREFIX.sub("", " ".join((original or "").split()))  # one line, whatever came in
    return "回复：" + (rest or fallback)


def subject_for(message: Message, form: Form, unit: str) -> str:
    """A reply's subject: "回复：" + the unit's own subject; a file dropped on the console was never
    mailed by the unit, so its reply has a subject of its own (not "回复：拖入报表：…")."""
    if message.dropped:
        return f"{form.name}校验结果（{unit}）"
    return reply_subject(message.subject, f"{form.name}（{unit}）")


def problem_from_dict(form: Form, d: Mapping[str, Any]) -> Problem:
    """A problem as the register keeps it (``Problem.to_dict()``), with the row and column labels of
    its field taken from the form again, so that ``Problem.line()`` reads as ``xltool verify`` prints."""
    f = form.fields.get(d.get("field") or "")
    if f is not None and f.cell != d.get("cell"):
        f = None  # the return was of another version of the form: its labels may not fit
    return Problem(
        code=str(d.get("code", "")),
        severity=str(d.get("severity", "error")),
        message=str(d.get("message") or ""),
        fix=str(d.get("fix") or ""),
        sheet=d.get("sheet"),
        cell=d.get("cell"),
        field=d.get("field"),
        value=d.get("value"),
        row_label=(f.row_label if f.grid else f.label) if f else "",
        col_label=f.col_label if f and f.grid else "",
        rule=str(d.get("rule") or ""),  # absent in the register of an older xltool
        explanation=str(d.get("explanation") or ""),
    )


def reply_body(
    form: Form,
    unit: str,
    submission: Submission,
    verdict: Verdict,
    problems: Sequence[Problem],
    *,
    file_name: str,
    annotated_name: str | None,
    signature: str,
    deadline: str | None = None,
    late: bool = False,
) -> str:
    """The reply's text, in Chinese: greeting, what was received, the verdict, every problem (what
    needs the unit first), what to do; ``late``: the deadline has passed (then "请尽快")."""
    when = _local(submission.received)
    again = f"（第 {submission.version_no} 次报送）" if submission.version_no > 1 else ""
    problems = in_reply_order(form, problems)
    lines = [f"{unit}：", "", f"贵单位于 {when} 报送的《{form.name}》（附件“{file_name}”）{again}已收到，经校验：", ""]
    lines += [f"结论：{verdict.zh}。{_verdict_words(form, verdict, problems)}"]
    if problems:
        lines += ["", f"问题清单（共 {len(problems)} 项）："]
        lines += [f"{i}. {p.line()}" for i, p in enumerate(problems, start=1)]
    if annotated_name:
        lines += [
            "",
            f"附件“{annotated_name}”是贵单位报送文件的标注副本：有问题的单元格已标红（错误）或标黄（警告）并加了批注，"
            "最前面的“问题清单”工作表逐条列出了问题。请在原文件上修改，不要报送标注副本。",
        ]
    request = _request(form, verdict, problems, deadline, late)
    if request:
        lines += ["", request]
    lines += ["", "如对校验结果有疑问，请直接回复本邮件。", "", *([signature] if signature else []),
              _local(None, with_time=False)]  # fmt: skip
    lines += ["", "（本邮件根据 xltool 自动校验结果生成。）"]
    return "\n".join(lines) + "\n"


def in_reply_order(form: Form, problems: Sequence[Problem]) -> list[Problem]:
    """Errors first, then the warnings the unit must look at, then what needs nothing of it (a rule
    marked ``no_action`` in the catalogue or the form, such as H8 "已按重新计算的结果校验，无需处理"):
    a reply opens with what the unit has to do. Stable within each group (the order verify lists)."""
    return sorted(problems, key=lambda p: (not p.is_error, _no_action(form, p)))


def _no_action(form: Form, p: Problem) -> bool:
    try:
        return bool(p.rule) and not p.is_error and form.rule(p.rule).no_action
    except FormDefinitionError:  # a problem of an older xltool or form version: treated as a real one
        return False


def _verdict_words(form: Form, verdict: Verdict, problems: Sequence[Problem]) -> str:
    """The verdict in words: 通过 asks for nothing, 有警告 asks to check and explain (not to resend a
    corrected file), 待修改 asks to correct and resend."""
    if verdict.verdict == "pass":
        return "未发现问题，无需修改。感谢配合！"
    if verdict.verdict == "fix":
        counts = f"{verdict.errors} 个错误" + (f"、{verdict.warnings} 个警告" if verdict.warnings else "")
        return f"发现 {counts}。请按下面的问题清单在原文件上逐项核对，请修改后重新报送。"
    open_ = _open_warnings(form, problems)
    if not open_:
        return f"没有错误；{verdict.warnings} 个警告均已说明或无需处理，无需再报送。"
    where = _explanation_place(form)
    return f"没有错误，有 {open_} 个警告，请核实并说明：确属实际情况的，请在{where}写明原因；数据填写有误的，请更正。"


def _open_warnings(form: Form, problems: Sequence[Problem]) -> int:
    """Warnings the unit has neither explained nor may leave alone."""
    return sum(not p.is_error and not p.explanation and not _no_action(form, p) for p in problems)


def _request(form: Form, verdict: Verdict, problems: Sequence[Problem], deadline: str | None, late: bool) -> str:
    """What the unit is asked to send back and by when ("" when nothing): "请尽快" once the deadline
    has passed, never a date already gone."""
    if verdict.verdict == "pass" or (verdict.verdict == "warn" and not _open_warnings(form, problems)):
        return ""
    when = "请尽快" if late else f"请于 {deadline} 前" if deadline else ""
    if not when:
        return ""
    if verdict.verdict == "warn":
        return f"{when}核实并说明，以附件形式回复本邮件。"
    return f"{when}以附件形式回复本邮件重新报送。"


def _explanation_place(form: Form) -> str:
    f = form.fields.get(form.role("explanation"))
    return f"报表“{form.sheet(f.sheet).name}”工作表的“{f.label}”中" if f is not None else "回复邮件中"


def _local(iso: str | None, *, with_time: bool = True) -> str:
    moment = datetime.fromisoformat(iso).astimezone() if iso else datetime.now().astimezone()
    text = f"{moment.year}年{moment.month}月{moment.day}日"
    return text + moment.strftime(" %H:%M") if with_time else text


# --- drafting ------------------------------------------------------------------------------------


def draft_replies(
    register: Register,
    campaign_dir: Path,
    form: Form,
    *,
    from_addr: str,
    county_name: str,
    deadline: str | date | None = None,
    signature: str | None = None,
    today: date | None = None,
) -> list[ReplyDraft]:
    """A reply for every current version with a verdict not yet answered (nothing is recorded yet:
    see ``write_drafts``). Annotated copies are written under ``<campaign>/replies/``. A deadline
    given as a date before ``today`` (default: the local date) is past: the replies say "请尽快"."""
    if not _address(from_addr):
        raise XltoolError(f"发件人地址“{from_addr}”不是有效的邮箱地址，应类似 gk@example.gov.cn。")
    late = isinstance(deadline, date) and deadline < (today or date.today())
    if isinstance(deadline, date):
        deadline = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    sign = default_signature(county_name, form) if signature is None else signature  # a campaign: reply_signature()
    return [
        _draft(register, Path(campaign_dir), form, sub, verdict, from_addr, sign, deadline, late)
        for sub, verdict in register.unanswered()
    ]


def _draft(
    register: Register,
    campaign_dir: Path,
    form: Form,
    sub: Submission,
    verdict: Verdict,
    from_addr: str,
    signature: str,
    deadline: str | None,
    late: bool = False,
) -> ReplyDraft:
    unit = register.unit(sub.unit_id)
    message, attachment = register.origin(sub)
    problems = [problem_from_dict(form, p) for p in verdict.problems]
    file_name = attachment.name or attachment.safe_name
    used = wrong_template(campaign_dir, sub, unit.name)  # another unit's template: not to be fixed in place
    annotate = verdict.verdict != "pass" and not used
    annotated = _annotated_copy(campaign_dir, sub, unit.file_stem, problems, form) if annotate else None
    shown = None
    if annotated:
        from xltool.checks.problem_files import ANNOTATED_SUFFIX  # with openpyxl: only when a copy is annotated

        shown = safe_filename(Path(file_name).stem) + ANNOTATED_SUFFIX
    greeted = sender_unit_name(register, message.sender, unit.name)
    body = reply_body(
        form,
        greeted,
        sub,
        verdict,
        problems,
        file_name=file_name,
        annotated_name=shown,
        signature=signature,
        deadline=deadline,
        late=late,
    )
    template = own_template(campaign_dir, form, unit.name) if used else None
    if used:
        body = with_wrong_template(body, used, template.name if template else "")
    to_addr = _address(message.sender) or _address(unit.email)
    subject = subject_for(message, form, unit.name)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = from_addr
    if to_addr:
        msg["To"] = formataddr((greeted, to_addr))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg["Message-ID"] = _message_id(from_addr)
    if message.message_id:
        original = _bracketed(message.message_id)
        msg["In-Reply-To"] = original
        refs = [_bracketed(r) for r in message.refs.split()]
        refs = refs[:1] + refs[-18:] if len(refs) > 19 else refs  # RFC 5322 §3.6.4: keep the first, trim the middle
        msg["References"] = " ".join([*refs, original])
    msg["Auto-Submitted"] = "auto-replied"  # RFC 3834: vacation responders do not answer into the inbox
    msg.set_content(body, charset="utf-8", cte="base64")
    if annotated and shown:
        msg.add_attachment(annotated.read_bytes(), *XLSX_TYPE, filename=shown)
    if template is not None:
        msg.add_attachment(template.read_bytes(), *XLSX_TYPE, filename=template.name)
    return ReplyDraft(sub.id, unit.name, verdict.verdict, to_addr, subject, msg, annotated)


def _annotated_copy(
    campaign_dir: Path, sub: Submission, file_stem: str, problems: list[Problem], form: Form
) -> Path | None:
    """The return with its problem cells marked, in replies/<unit>/ (written again on a rerun); None
    when no problem has a cell or the file cannot be annotated (the reply then goes without it)."""
    if not any(p.cell for p in problems):
        return None
    from xltool.checks.problem_files import annotate_copies  # openpyxl (0.3 s): only when a cell is to be marked

    result = FileResult(campaign_dir / sub.stored_path, sub.unit_name, None, list(problems))
    written = annotate_copies(VerifyResult([result]), campaign_dir / REPLIES_DIR / file_stem, replace=True, form=form)
    return written[0] if written else None


def _bracketed(message_id: str) -> str:
    mid = "".join(message_id.split())
    return mid if mid.startswith("<") else f"<{mid}>"


# --- keeping them --------------------------------------------------------------------------------


def write_drafts(register: Register, campaign_dir: Path, drafts: Sequence[ReplyDraft]) -> list[ReplyDraft]:
    """Each draft as ``replies/<unit>/v<version>_<verdict>.eml`` (atomic), then recorded as a draft.
    A reply already sent (or being sent) is left alone, its .eml too."""
    out = []
    for d in drafts:
        existing = register.reply_for(d.submission_id, d.verdict)
        if existing is not None and existing.status in ("sent", "sending"):
            continue
        sub = register.submission(d.submission_id)
        rel = f"{REPLIES_DIR}/{register.unit(sub.unit_id).file_stem}/v{sub.version_no}_{d.verdict}.eml"
        path = Path(campaign_dir) / rel
        _save(path, d.message.as_bytes())
        reply = register.add_reply(d.submission_id, d.verdict, to_addr=d.to_addr, subject=d.subject, eml_path=rel)
        if reply is not None:
            out.append(replace(d, eml_path=path, reply_id=reply.id))
    return out


def _save(path: Path, data: bytes) -> None:
    """Atomically; a draft of this verdict not yet sent is replaced (a rerun after a kill or a failure)."""
    write_output(path, lambda tmp: tmp.write_bytes(data), replace=path.exists())


def pending_drafts(register: Register, campaign_dir: Path) -> list[ReplyDraft]:
    """Drafts recorded but not sent (also failed ones), read back from their .eml files."""
    out = []
    for r in register.replies("draft", "failed"):
        if not r.eml_path or not (Path(campaign_dir) / r.eml_path).is_file():
            continue
        path = Path(campaign_dir) / r.eml_path
        msg = BytesParser(policy=policy.SMTP).parsebytes(path.read_bytes())
        assert isinstance(msg, EmailMessage)
        unit = register.submission(r.submission_id).unit_name
        out.append(ReplyDraft(r.submission_id, unit, r.verdict, r.to_addr, r.subject, msg, None, path, r.id))
    return out


# --- sending -------------------------------------------------------------------------------------


def send_replies(
    register: Register,
    drafts: Sequence[ReplyDraft],
    host: str,
    port: int,
    user: str | None,
    password: str | None,
    tls: str,
    cafile: str | Path | None = None,
    timeout: float = 30,
) -> SendResult:
    """Send the recorded drafts that still need sending; the register says what was sent and when,
    what failed with the server's answer. MailServerError (Chinese, naming host:port, never the
    password) when the server cannot be reached or refuses the login."""
    if tls not in TLS_MODES:
        raise XltoolError(f"加密方式只能是 {'、'.join(TLS_MODES)}，不能是“{tls}”。")
    result = SendResult()
    todo = []
    for d in drafts:
        why = _why_not(register, d)
        (result.skipped.append((d, why)) if why else todo.append(d))
    done = deliver(todo, _ReplyLedger(register), SmtpServer(host, port, user, password, tls, cafile, timeout))
    result.sent, result.failed, result.unknown = done.sent, done.failed, done.unknown
    result.skipped += [(d, "已发送或正在由另一个程序发送") for d in done.busy]
    return result


class _ReplyLedger:
    """Where a reply's sending is recorded: the register's replies table."""

    def __init__(self, register: Register) -> None:
        self.register = register

    def claim(self, d: ReplyDraft) -> bool:
        assert d.reply_id is not None
        return self.register.claim_reply(d.reply_id)

    def sent(self, d: ReplyDraft, answer: str) -> None:
        self.register.mark_sent(d.reply_id or 0, answer)

    def failed(self, d: ReplyDraft, answer: str) -> None:
        self.register.mark_failed(d.reply_id or 0, answer)

    def unknown(self, d: ReplyDraft, answer: str) -> None:
        self.register.mark_unknown(d.reply_id or 0, answer)


def _why_not(register: Register, d: ReplyDraft) -> str:
    """Why this draft is not sent now ("" when it is)."""
    if d.reply_id is None:
        return "回复草稿尚未保存（先保存草稿再发送）"
    if not d.to_addr:
        return "没有邮箱地址，需人工发送"
    reply = register.reply(d.reply_id)
    if reply.status == "sent":
        return f"已于 {_local(reply.sent_at)} 发送过，不再重复发送"
    if reply.status == "sending":
        return "上次发送时连接中断，对方可能已收到，需人工核实"
    sub = register.submission(d.submission_id)
    current = register.current(sub.unit_id)
    if current is None or current.id != sub.id:
        return "该单位已报送更新的版本，这份回复不再发送"
    verdict = register.verdict(sub.id)
    if verdict is None or verdict.verdict != d.verdict:
        return "校验结论已变化，请重新生成回复"
    return ""
