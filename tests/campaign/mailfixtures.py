"""Mail as the county office receives it, built in code so each test shows what it sends.

``message(...)`` builds a well-formed message with the email package (what Outlook, Foxmail or a
webmail send); the nasty cases are written as raw bytes by hand, the way broken or old clients write
them: RFC 2047 names split inside a GBK character, raw 8-bit GBK names, GB2312 labels on GBK text,
zips with GBK member names, zip bombs, encrypted members, hostile names, truncated mail.
Everything is deterministic (fixed dates and ids), so samples/mail/make_mbox.py can use it too.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import struct
import zipfile
from collections.abc import Sequence
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache

import xlsxwriter

CST = dt.timezone(dt.timedelta(hours=8))
DATE = dt.datetime(2026, 1, 16, 9, 30, tzinfo=CST)
OFFICE = "gkb@tongbai.example.org"  # the county office's collecting mailbox
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP_TIME = (2026, 1, 16, 9, 30, 0)
Attach = tuple[str, bytes, str]  # (file name, bytes, MIME type)


@cache
def tiny_workbook(title: str = "报表") -> bytes:
    """A real, tiny .xlsx (one sheet, two cells), byte-stable."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.set_properties({"created": dt.datetime(2026, 1, 5, 9, 0)})
    ws = wb.add_worksheet(title)
    ws.write(0, 0, "单位名称")
    ws.write(0, 1, 42)
    wb.close()
    return out.getvalue()


@cache
def tiny_docx() -> bytes:
    """The parts that make a zip a Word document (enough for anything that sniffs)."""
    return zip_bytes(
        [
            ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
            ("word/document.xml", "<w:document>说明</w:document>".encode()),
        ]
    )


def zip_bytes(members: Sequence[tuple[str, bytes]], *, gbk: bool = False, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``members``; with ``gbk`` the names are GBK bytes without the UTF-8 flag, as the
    zip built into a Chinese Windows writes them (zipfile itself always writes UTF-8)."""
    out = io.BytesIO()
    swaps = []
    with zipfile.ZipFile(out, "w") as zf:
        for i, (name, data) in enumerate(members):
            raw = name.encode("gbk")
            stand_in = name if not gbk or raw.isascii() else (f"~{i}~" + "Q" * len(raw))[: len(raw)]
            if stand_in != name:
                swaps.append((stand_in.encode("ascii"), raw))
            zf.writestr(zipfile.ZipInfo(stand_in, ZIP_TIME), data, compress_type=method)
    blob = out.getvalue()
    for placeholder, gbk_name in swaps:  # the name sits in the local header and in the central directory
        assert blob.count(placeholder) == 2, placeholder
        blob = blob.replace(placeholder, gbk_name)
    return blob


def with_flag(blob: bytes, bit: int) -> bytes:
    """``blob`` (a zip) with a general-purpose flag bit set on every member (0x1: encrypted)."""
    data = bytearray(blob)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        while at >= 0:
            (flags,) = struct.unpack_from("<H", data, at + offset)
            struct.pack_into("<H", data, at + offset, flags | bit)
            at = data.find(sig, at + 4)
    return bytes(data)


def zip_bomb() -> bytes:
    """One 10 MB member of zeros packed to ~10 KB (ratio ~1000), under the per-member size limit."""
    return zip_bytes([("报表.xlsx", bytes(10 * 1024 * 1024))])


def encrypted_zip() -> bytes:
    return with_flag(zip_bytes([("城关镇.xlsx", tiny_workbook())]), 0x1)


def crowded_zip(n: int) -> bytes:
    return zip_bytes([(f"{i}.txt", b"x") for i in range(n)])


def message(
    attachments: Sequence[Attach] = (),
    *,
    subject: str = "桐柏县城关镇2025年度政府信息公开工作年度报告",
    sender: str = "城关镇 王磊 <chengguan@example.org>",
    date: dt.datetime | None = DATE,
    message_id: str | None = "<20260116093000.1@example.org>",
    body: str = "您好，附件是我单位的年度报告，请查收。",
    html: bool = False,
) -> bytes:
    """A message as a normal client sends it (non-ASCII file names go out RFC 2231-encoded)."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = OFFICE
    msg["Subject"] = subject
    if date is not None:
        msg["Date"] = format_datetime(date)
    if message_id is not None:
        msg["Message-ID"] = message_id
    msg.set_content(body)
    if html:
        msg.add_alternative(f"<p>{body}</p>", subtype="html")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return stable_bytes(msg)


def stable_bytes(msg: EmailMessage) -> bytes:
    """The message's bytes with boundaries made from its content (the email package draws random ones)."""
    multiparts = [p for p in msg.walk() if p.is_multipart()]
    for i, p in enumerate(multiparts):
        p.set_boundary(f"==xltool.{i}==")
    seed = hashlib.sha256(msg.as_bytes()).hexdigest()[:24]  # a boundary must not occur in the content
    for i, p in enumerate(multiparts):
        p.set_boundary(f"==xltool.{seed}.{i}==")
    return msg.as_bytes()


def part(headers: Sequence[bytes], body: bytes) -> bytes:
    return b"\r\n".join(headers) + b"\r\n\r\n" + body


def b64_body(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def multipart(headers: Sequence[bytes], parts: Sequence[bytes], boundary: bytes = b"==b0undary==") -> bytes:
    """A multipart/mixed message written by hand, for headers the email package would not write."""
    head = [*headers, b"MIME-Version: 1.0", b'Content-Type: multipart/mixed; boundary="' + boundary + b'"']
    out = b"\r\n".join(head) + b"\r\n\r\n"
    for p in parts:
        out += b"--" + boundary + b"\r\n" + p + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


def text_part(text: str = "请查收附件。") -> bytes:
    return part(
        [b"Content-Type: text/plain; charset=utf-8", b"Content-Transfer-Encoding: base64"], b64_body(text.encode())
    )


def file_part(disposition: bytes, data: bytes, ctype: bytes = b"application/octet-stream") -> bytes:
    """An attachment part whose Content-Disposition header is exactly ``disposition``."""
    return part([b"Content-Type: " + ctype, b"Content-Transfer-Encoding: base64", disposition], b64_body(data))


HEAD = [
    b"From: =?utf-8?B?" + base64.b64encode("淮源镇 李娜".encode()) + b"?= <HuaiYuan@Example.org>",
    b"To: " + OFFICE.encode(),
    b"Subject: report",
    b"Date: Fri, 16 Jan 2026 10:00:00 +0800",
    b"Message-ID: <hand.1@example.org>",
]


def rfc2047_split_name() -> tuple[bytes, str]:
    """Foxmail-style: filename="=?GBK?B?…?=" in quotes, split into two encoded words inside a character."""
    name = "淮源镇2025年度政府信息公开工作年度报告.xlsx"
    raw = name.encode("gbk")
    words = b" ".join(b"=?GBK?B?" + base64.b64encode(chunk) + b"?=" for chunk in (raw[:7], raw[7:]))
    disposition = b'Content-Disposition: attachment; filename="' + words + b'"'
    return multipart(HEAD, [text_part(), file_part(disposition, tiny_workbook())]), name


def rfc2231_name() -> tuple[bytes, str]:
    """filename*=UTF-8''… continued over two lines, as Thunderbird writes long names."""
    name = "平氏镇人民政府2025年度报告（定稿）.xlsx"
    quoted = "".join(f"%{b:02X}" for b in name.encode())
    cut = quoted.index("%", len(quoted) // 2)
    disposition = (
        b"Content-Disposition: attachment;\r\n filename*0*=UTF-8''"
        + quoted[:cut].encode()
        + b";\r\n filename*1*="
        + quoted[cut:].encode()
    )
    return multipart(HEAD, [text_part(), file_part(disposition, tiny_workbook())]), name


def raw_gbk_name() -> tuple[bytes, str]:
    """The file name as raw 8-bit GBK bytes in both headers, as old Outlook Express and some webmail do."""
    name = "埠江镇年度报告.xlsx"
    headers = [
        b'Content-Type: application/vnd.ms-excel; name="' + name.encode("gbk") + b'"',
        b"Content-Transfer-Encoding: base64",
        b'Content-Disposition: attachment; filename="' + name.encode("gbk") + b'"',
    ]
    return multipart(HEAD, [text_part(), part(headers, b64_body(tiny_workbook()))]), name


def raw_utf8_name() -> tuple[bytes, str]:
    name = "月河镇年度报告.xlsx"
    disposition = b'Content-Disposition: attachment; filename="' + name.encode() + b'"'
    return multipart(HEAD, [file_part(disposition, tiny_workbook())]), name


def gb2312_subject() -> tuple[bytes, str]:
    """A subject labelled gb2312 holding 喆 (GBK only): Python's gb2312 codec would refuse it."""
    subject = "吴城镇刘喆报送2025年度报告"
    word = b"=?gb2312?B?" + base64.b64encode(subject.encode("gbk")) + b"?="
    head = [h if not h.startswith(b"Subject:") else b"Subject: " + word for h in HEAD]
    return multipart(head, [text_part()]), subject


def forwarded(as_eml_file: bool = False) -> bytes:
    """A colleague forwards the unit's original message (with its attachment) from their own address."""
    original = message([("固县镇年度报告.xlsx", tiny_workbook(), XLSX)], sender="固县镇 赵敏 <guxian@example.org>")
    fwd = EmailMessage(policy=policy.SMTP)
    fwd["From"] = "赵同事 <zhao.colleague@example.net>"
    fwd["To"] = OFFICE
    fwd["Subject"] = "转发：固县镇年度报告"
    fwd["Date"] = format_datetime(DATE)
    fwd["Message-ID"] = "<fwd.1@example.net>"
    fwd.set_content("转发固县镇的报告，请查收。")
    if as_eml_file:
        fwd.add_attachment(original, maintype="application", subtype="octet-stream", filename="原邮件.eml")
    else:
        fwd.add_attachment(message_from_bytes(original, policy=policy.SMTP))
    return stable_bytes(fwd)


def zip_message() -> bytes:
    """A zip made on a Chinese Windows: two workbooks with GBK names and a stray Word file."""
    blob = zip_bytes(
        [
            ("报表/毛集镇年度报告.xlsx", tiny_workbook()),
            ("报表/毛集镇年度报告（附表）.xlsx", tiny_workbook("附表")),
            ("说明.docx", tiny_docx()),
        ],
        gbk=True,
    )
    return message([("毛集镇报表.zip", blob, "application/zip")], sender="maoji@example.org")


def hostile_names() -> tuple[bytes, list[str]]:
    """Names that would escape a folder or break a file system, each in its own part."""
    names = [
        "../../x.xlsx",
        "/etc/passwd.xlsx",
        "C:\\x\\y.xlsx",
        "a\x00b\x01c\x7f.xlsx",
        "长" * 300 + ".xlsx",
        "..",
        ".hidden.xlsx",
        "CON.xlsx",
        "re\u202egnp.xlsx",
    ]
    parts = [
        file_part(b"Content-Disposition: attachment; filename*=UTF-8''" + _pct(n).encode(), tiny_workbook())
        for n in names
    ]
    return multipart(HEAD, parts), names


def nfc_nfd_twins() -> bytes:
    """One name twice, once composed (NFC, Windows) and once decomposed (NFD, macOS): é in "Résumé"."""
    nfc, nfd = "R\u00e9sum\u00e9.xlsx", "Re\u0301sume\u0301.xlsx"
    parts = [
        file_part(b"Content-Disposition: attachment; filename*=UTF-8''" + _pct(n).encode(), tiny_workbook())
        for n in (nfc, nfd)
    ]
    return multipart(HEAD, parts)


def signature_image() -> bytes:
    """An HTML message whose signature logo is an inline image without a name (not an attachment)."""
    related = b"==rel=="
    html = part(
        [b"Content-Type: text/html; charset=utf-8"], b'<p>\xe8\xaf\xb7\xe6\x9f\xa5\xe6\x94\xb6</p><img src="cid:logo">'
    )
    image = part(
        [
            b"Content-Type: image/png",
            b"Content-Transfer-Encoding: base64",
            b"Content-ID: <logo>",
            b"Content-Disposition: inline",
        ],
        b64_body(b"\x89PNG\r\n\x1a\nfake"),
    )
    body = b"--" + related + b"\r\n" + html + b"\r\n--" + related + b"\r\n" + image + b"\r\n--" + related + b"--\r\n"
    alt = part([b'Content-Type: multipart/related; boundary="' + related + b'"'], body)
    disposition = b"Content-Disposition: attachment; filename=report.xlsx"
    return multipart(HEAD, [alt, file_part(disposition, tiny_workbook())])


def truncated() -> bytes:
    """Cut off in the middle of the attachment's base64, the closing boundary never comes."""
    whole = message([("城关镇.xlsx", tiny_workbook(), XLSX)])
    return whole[: len(whole) // 2 + 3]


def broken_base64() -> bytes:
    data = b64_body(tiny_workbook())
    broken = data[:200] + b"!!%%$$ not base64 @@\r\n" + data[200:-3]
    disposition = b'Content-Disposition: attachment; filename="broken.xlsx"'
    headers = [b"Content-Type: application/octet-stream", b"Content-Transfer-Encoding: base64", disposition]
    return multipart(HEAD, [part(headers, broken)])


def _pct(name: str) -> str:
    return "".join(chr(b) if chr(b).isalnum() and b < 128 else f"%{b:02X}" for b in name.encode())
