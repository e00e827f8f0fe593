"""A unit's page (the console's use cases of one unit): every version with its verdict and problems, its reply draft, its reports.

Read from the register as ``xltool status`` and ``xltool reply`` read it; the annotated copy is made
as ``xltool reply`` makes it (the register's problems marked on a copy of the version), and a draft's
text is edited in its .eml (atomically) while it is still a draft.
"""

from __future__ import annotations

import functools
import stat
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from xltool.app.reports import REPORTS_DIR, report_stem
from xltool.campaign.register import STATE_ZH, VERDICT_ZH, Action, Reply, Submission, UnitRecord, Verdict
from xltool.campaign.reply import problem_from_dict
from xltool.campaign.settings import Campaign
from xltool.checks.verify import FileResult, VerifyResult
from xltool.errors import XltoolError
from xltool.form.problems import SEVERITY_ZH, Problem
from xltool.outputs import write_output

ANNOTATED_DIR = "annotated"  # annotated copies asked for on a unit's page
REPLY_STATUS_ZH = {
    "draft": "草稿（未发送）",
    "sending": "发送结果不明，需人工核实",
    "sent": "已发送",
    "failed": "发送失败",
}


@dataclass(frozen=True)
class ProblemRow:
    severity: str
    code: str
    sheet: str
    cell: str
    labels: str
    value: str
    message: str
    fix: str

    @classmethod
    def of(cls, p: Problem) -> ProblemRow:
        labels = " / ".join(x for x in (p.row_label, p.col_label) if x)
        value = "" if p.value is None else str(p.value)
        return cls(SEVERITY_ZH[p.severity], p.code, p.sheet or "", p.cell or "", labels, value, p.message, p.fix)


@dataclass(frozen=True)
class VersionView:
    submission: Submission
    verdict: Verdict | None
    file_name: str
    sender: str
    source: str
    flag: str
    problems: list[ProblemRow]

    @property
    def verdict_zh(self) -> str:
        return VERDICT_ZH[self.verdict.verdict] if self.verdict else "待校验"


@dataclass
class UnitView:
    unit: UnitRecord
    versions: list[VersionView]
    current: VersionView | None
    reply: Reply | None
    reply_text: str
    state_zh: str
    reports: dict[str, Path] = field(default_factory=dict)  # format -> existing report file
    actions: list[Action] = field(default_factory=list)  # the clerk's decisions on its versions
    others: list[str] = field(default_factory=list)  # the other units (where a version can be moved)

    @property
    def reply_status_zh(self) -> str:
        return REPLY_STATUS_ZH[self.reply.status] if self.reply else ""

    @property
    def reply_editable(self) -> bool:
        return self.reply is not None and self.reply.status in ("draft", "failed")


def unit_view(campaign: Campaign, name: str) -> UnitView:
    """XltoolError when the register has no such unit."""

    form = campaign.form()
    with campaign.register() as reg:
        unit = reg.unit(name)
        views = []
        for sub in reg.versions(unit.id):
            message, attachment = reg.origin(sub)
            verdict = reg.verdict(sub.id)
            problems = [ProblemRow.of(problem_from_dict(form, p)) for p in (verdict.problems if verdict else ())]
            views.append(VersionView(sub, verdict, attachment.name or attachment.safe_name, message.sender,
                                     message.source, attachment.flag or "", problems))  # fmt: skip
        current_sub = reg.current(unit.id)
        decisions = reg.actions(unit.id)
        others = [u.name for u in reg.units() if u.id != unit.id]
        status = reg.status_of(unit)  # this unit's alone: a page made after a change costs no whole summary
    current = next((v for v in views if current_sub and v.submission.id == current_sub.id), None)
    reply = status.reply
    text = draft_text(campaign.root / reply.eml_path) if reply and reply.eml_path else ""
    stem = report_stem(campaign, form, unit.name)
    reports = {
        fmt: p for fmt in ("docx", "html", "pdf") if (p := campaign.root / REPORTS_DIR / f"{stem}.{fmt}").is_file()
    }
    return UnitView(unit, list(reversed(views)), current, reply, text, STATE_ZH[status.state], reports, decisions,
                    others)  # fmt: skip


def annotated_copy(campaign: Campaign, submission_id: int) -> tuple[Path, str]:
    """The version with its problem cells marked and commented (as the reply attaches it), and the
    name to download it by (the unit's and the version's)."""
    from xltool.checks.problem_files import annotate_copies

    form = campaign.form()
    with campaign.register() as reg:
        try:
            sub = reg.submission(submission_id)
        except KeyError:
            raise XltoolError("没有这个版本。") from None
        verdict = reg.verdict(sub.id)
        unit = reg.unit(sub.unit_id)
    problems = [problem_from_dict(form, p) for p in (verdict.problems if verdict else ())]
    if not any(p.cell for p in problems):
        raise XltoolError("这个版本没有需要标注到单元格的问题。")
    result = FileResult(campaign.root / sub.stored_path, sub.unit_name, None, problems)
    outdir = campaign.root / ANNOTATED_DIR / unit.file_stem / f"v{sub.version_no}"
    written = annotate_copies(VerifyResult([result]), outdir, replace=True, form=form)
    if not written:
        raise XltoolError("无法为这个版本生成标注副本（文件无法读取）。")
    from xltool.checks.problem_files import ANNOTATED_SUFFIX

    return written[0], f"{unit.file_stem}_第{sub.version_no}版{ANNOTATED_SUFFIX}"


def _body(msg: EmailMessage) -> EmailMessage | None:
    part = msg.get_body(preferencelist=("plain",))
    return part if isinstance(part, EmailMessage) else None


def draft_text(path: Path) -> str:
    """The text of a reply draft: parsed again only when its file has changed (parsing a message was
    most of the time of making a unit's page, made again after every change of the register)."""
    try:
        st = path.stat()
    except OSError:
        return ""
    if not stat.S_ISREG(st.st_mode):
        return ""
    return _draft_text(str(path), st.st_mtime_ns, st.st_size, st.st_ino)


@functools.lru_cache(maxsize=512)
def _draft_text(path: str, mtime_ns: int, size: int, inode: int) -> str:  # the file's state is the key
    msg = BytesParser(policy=policy.SMTP).parsebytes(Path(path).read_bytes())
    assert isinstance(msg, EmailMessage)
    body = _body(msg)
    return str(body.get_content()) if body is not None else ""


def save_draft_text(campaign: Campaign, reply_id: int, text: str) -> None:
    """Replace the text of a draft not yet sent (its attachment and headers stay)."""
    with campaign.register() as reg:
        try:
            reply = reg.reply(reply_id)
        except KeyError:
            raise XltoolError("没有这封回复。") from None
        if reply.status not in ("draft", "failed") or not reply.eml_path:
            raise XltoolError(f"这封回复{REPLY_STATUS_ZH[reply.status]}，不能再修改。")
        path = campaign.root / reply.eml_path
        msg = BytesParser(policy=policy.SMTP).parsebytes(path.read_bytes())
        assert isinstance(msg, EmailMessage)
        body = _body(msg)
        if body is None:
            raise XltoolError("这封回复草稿没有正文，无法修改。")
        body.set_content(text.replace("\r\n", "\n"), charset="utf-8", cte="base64")
        write_output(path, lambda tmp: tmp.write_bytes(msg.as_bytes()), replace=True)
