"""Regenerate samples/mail/returns.mbox: the county office's inbox after the 2025 campaign.

Each unit of samples/roster.xlsx sends its filled return from its roster address, the way returns
really arrive:
- most units: one message with the template file back, on different days of 12–26 January 2026;
- 城关镇 sends a return with a blank cell, then a correction two days later ("更正");
- 固县镇's return is forwarded by a colleague from another address (message/rfc822);
- 淮源镇 uses Foxmail: the file name RFC 2047-encoded in GBK and the subject labelled gb2312;
- 毛集镇 zips its return (GBK member names, as a Chinese Windows writes them);
- 吴城镇 attaches a stray Word file (情况说明.docx) beside the return;
- 平氏镇 forgets the attachment ("请查收"), then sends again with it;
- 月河镇's mail client sends the same message twice (same bytes, same Message-ID);
- 桐柏县市场监督管理局 sends the sample return samples/returns/市场监管局_2025_完整正确.xlsx;
- 桐柏县统计局 never sends.
Fixed dates and Message-IDs and byte-stable returns make the file the same on every run.

Run: .venv/bin/python samples/mail/make_mbox.py   (or .venv/bin/python -m samples.mail.make_mbox)
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import mailbox
import sys
import tempfile
import time
import zipfile
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the builders are the test fixtures: one way to make a return and a message

import docx  # noqa: E402

from tests.campaign import mailfixtures as F  # noqa: E402
from tests.returns import default_form, make_return, make_town_return  # noqa: E402
from xltool.roster import Unit, load_roster  # noqa: E402
from xltool.workbook.write import template_filename  # noqa: E402

OUT = ROOT / "samples" / "mail" / "returns.mbox"
YEAR = 2025
START = dt.datetime(2026, 1, 12, 8, 40, tzinfo=F.CST)
NEVER = "桐柏县统计局"
MARKET = "桐柏县市场监督管理局"
SUBJECTS = (
    "{unit}{year}年度政府信息公开工作年度报告",
    "报送：{unit}{year}年度政府信息公开工作年度报告",
    "回复：关于报送{year}年度政府信息公开工作年度报告的通知",
    "{unit}年报（{year}年度）",
)
Mail = tuple[dt.datetime, bytes]


def return_bytes(unit: Unit, scratch: Path, remove: tuple[str, ...] = ()) -> bytes:
    if unit.name == MARKET and not remove:
        return (ROOT / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx").read_bytes()
    name = unit.email.split("@")[0] + ("_first" if remove else "") + ".xlsx"  # scratch only
    if unit.unit_type == "乡镇":  # the full name typed over the roster's, as towns do
        changes = {"info.unit_name": "桐柏县" + unit.name}
        path = make_town_return(scratch, changes, unit=unit.name, year=YEAR, remove=list(remove), name=name)
    else:
        path = make_return(scratch, unit=unit.name, unit_type=unit.unit_type, year=YEAR, remove=list(remove), name=name)
    return path.read_bytes()


def stable_docx(text: str) -> bytes:
    """A real Word file, its zip times fixed (python-docx stamps the current time)."""
    doc = docx.Document()
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, F.ZIP_TIME), src.read(info), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ident(n: int, unit: Unit, when: dt.datetime) -> str:
    return f"<{when:%Y%m%d%H%M%S}.{n}.{unit.email.split('@')[0]}@example.org>"


def plain(unit: Unit, n: int, when: dt.datetime, files: list[F.Attach], body: str = "", subject: str = "") -> bytes:
    short = unit.name.removesuffix("人民政府")
    return F.message(
        files,
        subject=subject or SUBJECTS[n % len(SUBJECTS)].format(unit=short, year=YEAR),
        sender=f"{short} {unit.contact} <{unit.email}>",
        date=when,
        message_id=ident(n, unit, when),
        body=body or f"您好！附件是{unit.name}{YEAR}年度政府信息公开工作年度报告，请审核。\n\n{unit.contact}",
    )


def foxmail(unit: Unit, n: int, when: dt.datetime, name: str, data: bytes) -> bytes:
    """Foxmail's way: GBK everywhere, the file name as encoded words inside quotes, a gb2312 label."""
    short = unit.name.removesuffix("人民政府")
    gbk_b64 = lambda text: base64.b64encode(text.encode("gbk"))  # noqa: E731
    head = [
        b"From: =?gb2312?B?" + gbk_b64(f"{short} {unit.contact}") + b"?= <" + unit.email.encode() + b">",
        b"To: " + F.OFFICE.encode(),
        b"Subject: =?gb2312?B?" + gbk_b64(f"{short}{YEAR}年度政务公开年报（经办：{unit.contact}，审核：王喆）") + b"?=",
        b"Date: " + format_datetime(when).encode(),
        b"Message-ID: " + ident(n, unit, when).encode(),
        b"X-Mailer: Foxmail 7.2.25.375[cn]",
    ]
    disposition = b'Content-Disposition: attachment; filename="=?GBK?B?' + gbk_b64(name) + b'?="'
    ctype = b'application/octet-stream; name="=?GBK?B?' + gbk_b64(name) + b'?="'
    body = F.part(
        [b"Content-Type: text/plain; charset=gb2312", b"Content-Transfer-Encoding: base64"],
        F.b64_body("请查收。".encode("gbk")),
    )
    return F.multipart(head, [body, F.file_part(disposition, data, ctype)], boundary=b"----=_NextPart_5F3A_1C2B")


def forwarded(unit: Unit, n: int, sent: dt.datetime, when: dt.datetime, name: str, data: bytes) -> bytes:
    original = plain(unit, n, sent, [(name, data, F.XLSX)])
    fwd = EmailMessage(policy=policy.SMTP)
    fwd["From"] = f"{unit.name.removesuffix('人民政府')}党政办 <dzb.{unit.email}>"
    fwd["To"] = F.OFFICE
    fwd["Subject"] = f"转发：{message_from_bytes(original, policy=policy.SMTP)['Subject']}"
    fwd["Date"] = format_datetime(when)
    fwd["Message-ID"] = ident(n + 100, unit, when)
    fwd.set_content(f"{unit.contact}的邮件发到了我这里，转给你们。")
    fwd.add_attachment(message_from_bytes(original, policy=policy.SMTP))
    return F.stable_bytes(fwd)


def unit_mail(i: int, count: int, unit: Unit, scratch: Path) -> list[Mail]:
    """The mail of the i-th of ``count`` units: sent in office hours, spread over two weeks."""
    n = 2 * i  # message numbers n and n + 1 in Message-IDs
    when = START + dt.timedelta(days=i * 14 // count, minutes=i * 97 % 520)
    later = when + dt.timedelta(days=2, hours=1)
    name = template_filename(default_form(), unit.name, YEAR)
    short = unit.name.removesuffix("人民政府")
    if unit.name == NEVER:
        return []
    data = return_bytes(unit, scratch)
    if short == "城关镇":
        first = return_bytes(unit, scratch, remove=("info.phone",))
        fixed = f"更正：{short}{YEAR}年度政府信息公开工作年度报告"
        body = "上午发的报告漏填了联系电话，以此份为准。"
        return [
            (when, plain(unit, n, when, [(name, first, F.XLSX)])),
            (later, plain(unit, n + 1, later, [(name, data, F.XLSX)], body, fixed)),
        ]
    if short == "固县镇":
        return [(later, forwarded(unit, n, when, later, name, data))]
    if short == "淮源镇":
        return [(when, foxmail(unit, n, when, f"{short}2025年度政府信息公开年报.xlsx", data))]
    if short == "毛集镇":
        blob = F.zip_bytes([(f"年报/{name}", data)], gbk=True)
        return [(when, plain(unit, n, when, [(f"{short}年报.zip", blob, "application/zip")]))]
    if short == "吴城镇":
        note = stable_docx(f"{unit.name}关于{YEAR}年度政府信息公开工作年度报告的情况说明。")
        return [(when, plain(unit, n, when, [(name, data, F.XLSX), ("情况说明.docx", note, F.DOCX)]))]
    if short == "平氏镇":
        again = when + dt.timedelta(minutes=12)
        forgot = plain(unit, n, when, [], body="请查收")
        return [
            (when, forgot),
            (again, plain(unit, n + 1, again, [(name, data, F.XLSX)], "不好意思，刚才忘了加附件。")),
        ]
    raw = plain(unit, n, when, [(name, data, F.XLSX)])
    if short == "月河镇":
        return [(when, raw), (when + dt.timedelta(seconds=40), raw)]
    return [(when, raw)]


def from_line(raw: bytes, when: dt.datetime) -> bytes:
    sender = message_from_bytes(raw)["From"] or "MAILER-DAEMON"
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip() or "MAILER-DAEMON"
    return f"From {address} {time.asctime(when.astimezone(dt.UTC).timetuple())}\n".encode()


def main() -> None:
    roster = load_roster(ROOT / "samples" / "roster.xlsx", default_form().units)
    with tempfile.TemporaryDirectory() as scratch:
        units = roster.units
        mails = [m for i, unit in enumerate(units) for m in unit_mail(i, len(units), unit, Path(scratch))]
    mails.sort(key=lambda m: m[0])
    work = OUT.with_suffix(".tmp")
    work.unlink(missing_ok=True)
    box = mailbox.mbox(work)
    for when, raw in mails:
        box.add(from_line(raw, when) + raw)  # our own "From " line: mailbox would stamp the current time
    box.close()
    work.replace(OUT)
    print(f"{OUT.relative_to(ROOT)}: {len(mails)} messages")


if __name__ == "__main__":
    main()
