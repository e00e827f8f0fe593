"""Mail as it arrives at the county office, read into messages and their attachments.

``parse_message`` takes the raw bytes of one message from any source (``iter_eml``, ``iter_mbox``,
``iter_maildir``, ``iter_imap``) and never raises: a malformed message gives what can be read of it.
Attachments are found the way a clerk would find them: forwarded mail (message/rfc822, or an attached
.eml) is opened, a .zip is unpacked within limits, a workbook (itself a zip) is never unpacked, and
signature images and body text are not attachments. Every name is kept as received for the record
and made safe (``safe_name``) for anything that touches a disk.
"""

from __future__ import annotations

import binascii
import datetime as dt
import email
import email.utils
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any, TypeVar

from xltool.campaign.mailnames import (
    b64,
    decode_header_text,
    header_params,
    limit_length,
    param_text,
    raw_bytes,
    safe_name,
    split_ext,
    unfold,
    unique_names,
)
from xltool.campaign.mailzip import MAX_MESSAGE_UNPACKED, classify, expand_zip, is_zip_archive
from xltool.campaign.sources import MailError, iter_eml, iter_imap, iter_maildir, iter_mbox

__all__ = [
    "Attachment",
    "MailError",
    "MailMessage",
    "iter_eml",
    "iter_imap",
    "iter_maildir",
    "iter_mbox",
    "parse_message",
]

T = TypeVar("T")
FORWARDED = "转发邮件"
MAX_DEPTH = 12  # multipart and forward nesting; real mail is 3–5 deep, a crafted one could recurse forever
MAX_ATTACHMENTS = 1000  # per message, zip members included
_CUT_SHORT = "未读完的内容"
_FORWARD_TYPES = {"message/rfc822", "message/global"}
_BODY_TYPES = {"text/plain", "text/html"}
_MIME_EXT = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "text/plain": ".txt",
    "text/html": ".html",
}


@dataclass(frozen=True)
class Attachment:
    name: str  # as received, decoded; for the record only, never a path
    safe_name: str  # unique within its message; the only name that may touch a disk
    data: bytes
    kind: str  # "workbook", "other" or "refused"
    what: str  # Chinese description for the clerk and the reply
    via: str  # "" direct, "转发邮件", "压缩包 X.zip", or both joined by " / "
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "safe_name": self.safe_name,
            "kind": self.kind,
            "what": self.what,
            "via": self.via,
            "size": len(self.data),
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class MailMessage:
    raw: bytes  # byte for byte what the source gave
    sha256: str
    message_id: str
    sender: str  # lower-cased address
    sender_name: str
    subject: str
    date: dt.datetime | None  # timezone-aware
    attachments: tuple[Attachment, ...]
    references: str = ""  # the References header, unfolded: a reply threads after it

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "sha256": self.sha256,
            "size": len(self.raw),
            "sender": self.sender,
            "sender_name": self.sender_name,
            "subject": self.subject,
            "date": self.date.isoformat() if self.date else None,
            "attachments": [a.to_dict() for a in self.attachments],
        }


@dataclass
class _Found:
    """An attachment before names are made unique and zips unpacked."""

    name: str
    safe: str
    data: bytes
    via: tuple[str, ...]
    kind: str = ""
    what: str = ""


def parse_message(raw: bytes) -> MailMessage:
    """The message in ``raw``; never raises (one bad message must not sink a collection)."""
    digest = hashlib.sha256(raw).hexdigest()
    msg = _parse(raw)
    found: list[_Found] = []
    try:
        _walk(msg, (), 0, found)
        attachments = _finish(found)
    except Exception:  # noqa: BLE001 - degrade to what was found; the raw bytes are kept for a person
        found.append(_Found("", "无法读取的内容", b"", (), "refused", "邮件结构异常，部分内容无法读取"))
        attachments = _finish(
            [f if f.kind else _Found(f.name, f.safe, f.data, f.via, "other", "未识别的附件") for f in found]
        )
    sender_name, sender = _quietly(lambda: _address(_header(msg, "from")), ("", ""))
    return MailMessage(
        raw=raw,
        sha256=digest,
        message_id=_quietly(lambda: unfold(_header(msg, "message-id") or "").strip(), "")
        or f"<{digest}@xltool.invalid>",
        sender=sender,
        sender_name=sender_name,
        subject=_quietly(lambda: _text(_header(msg, "subject")), ""),
        date=_quietly(lambda: _date(_header(msg, "date")), None),
        attachments=attachments,
        references=_quietly(lambda: " ".join(unfold(_header(msg, "references") or "").split()), ""),
    )


def _quietly(read: Callable[[], T], default: T) -> T:
    """``read()``, or ``default`` if a header defeats it: a header is never worth losing the message."""
    try:
        return read()
    except Exception:  # noqa: BLE001
        return default


def _parse(raw: bytes) -> Message:
    if raw.startswith(b"From "):  # an mbox separator line saved with the message is not a header
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    try:
        return email.message_from_bytes(raw)
    except Exception:  # noqa: BLE001 - the parser is lenient; this is the last resort
        return Message()


def _header(msg: Message, name: str) -> str | None:
    """The first ``name`` header as the parser read it (8-bit bytes kept as surrogate escapes)."""
    for key, value in msg.raw_items():
        if key.lower() == name and isinstance(value, str):
            return value
    return None


def _text(value: str | None) -> str:
    if value is None:
        return ""
    text = decode_header_text(value)
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _address(value: str | None) -> tuple[str, str]:
    if not value:
        return "", ""
    name, addr = email.utils.parseaddr(unfold(value))
    if not addr and "@" in value:  # strict parsing gave up on a mangled header: take the bare address
        addr = next((w.strip("<>\"'(),;") for w in unfold(value).split() if "@" in w), "")
    addr = raw_bytes(addr).decode("utf-8", errors="replace")
    return _text(name), addr.strip().lower()


def _date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(unfold(value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)  # "-0000": the zone is unknown


def _content_type(part: Message) -> str:
    value = (_header(part, "content-type") or "").split(";", 1)[0].strip().lower()
    return value if "/" in value else part.get_default_type()


def _walk(part: Message, via: tuple[str, ...], depth: int, out: list[_Found]) -> None:
    if depth > MAX_DEPTH or len(out) >= MAX_ATTACHMENTS:
        if not any(f.safe == _CUT_SHORT for f in out):  # said once, where the reading stopped
            what = f"邮件嵌套超过 {MAX_DEPTH} 层或附件超过 {MAX_ATTACHMENTS} 个，其余内容未读取"
            out.append(_Found("", _CUT_SHORT, b"", via, "refused", what))
        return
    ctype = _content_type(part)
    if ctype in _FORWARD_TYPES and part.is_multipart():
        inner = _forwarded(part)
        if inner is not None:
            _walk(inner, (*via, FORWARDED), depth + 1, out)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _walk(sub, via, depth + 1, out)
        return
    _leaf(part, ctype, via, depth, out)


def _leaf(part: Message, ctype: str, via: tuple[str, ...], depth: int, out: list[_Found]) -> None:
    disposition_header = _header(part, "content-disposition") or ""
    disposition = disposition_header.split(";", 1)[0].strip().lower()
    name = param_text(header_params(disposition_header), "filename")
    if not name:
        name = param_text(header_params(_header(part, "content-type") or ""), "name")
    if not name and disposition != "attachment" and (ctype in _BODY_TYPES or ctype.startswith("image/")):
        return  # the body, or a signature's logo
    data = _payload(part)
    if split_ext(name or "")[1].lower() == ".eml" or ctype in _FORWARD_TYPES:
        _walk(_parse(data), (*via, FORWARDED), depth + 1, out)  # a forward attached as a file
        return
    out.append(_Found(name or "", safe_name(name or "", _MIME_EXT.get(ctype, "")), data, via))


def _payload(part: Message) -> bytes:
    cte = (_header(part, "content-transfer-encoding") or "").strip().lower()
    body = part.get_payload()
    if cte == "base64" and isinstance(body, str):
        return b64(raw_bytes(body))  # lenient: a damaged part still gives its readable bytes
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - an undecodable part is an empty attachment, not a failure
        return b""
    return data if isinstance(data, bytes) else b""


def _forwarded(part: Message) -> Message | None:
    """The message inside a message/rfc822 part; one sent base64-encoded is decoded first."""
    inner = part.get_payload(0)
    if not isinstance(inner, Message):
        return None
    cte = (_header(part, "content-transfer-encoding") or "").strip().lower()
    if cte in ("base64", "quoted-printable") and not inner.keys():
        body = raw_bytes(str(inner.get_payload()))
        return _parse(b64(body) if cte == "base64" else binascii.a2b_qp(body))
    return inner


def _finish(found: list[_Found]) -> tuple[Attachment, ...]:
    """Unpack zips, classify, then make names unique across the whole message."""
    items: list[_Found] = []
    unpacked = 0
    for f in found:
        if f.kind:
            items.append(f)
        elif is_zip_archive(f.safe, f.data) and len(items) >= MAX_ATTACHMENTS:
            items.append(
                _Found(f.name, f.safe, f.data, f.via, "refused", f"附件超过 {MAX_ATTACHMENTS} 个，此压缩包未解压")
            )
        elif is_zip_archive(f.safe, f.data):
            members = _unpacked(f, MAX_MESSAGE_UNPACKED - unpacked)
            unpacked += sum(len(m.data) for m in members if m.via != f.via)  # not the zip kept whole
            items.extend(members)
        else:
            f.kind, f.what = classify(f.safe, f.data)
            f.safe = _workbook_name(f.safe) if f.kind == "workbook" else f.safe
            items.append(f)
    names = unique_names([f.safe for f in items])
    return tuple(
        Attachment(f.name, safe, f.data, f.kind, f.what, " / ".join(f.via), hashlib.sha256(f.data).hexdigest())
        for f, safe in zip(items, names, strict=True)
    )


def _unpacked(f: _Found, budget: int) -> list[_Found]:
    result = expand_zip(f.data, budget)
    if isinstance(result, str):  # refused: the zip stays as one attachment saying why
        return [_Found(f.name, f.safe, f.data, f.via, "refused", result)]
    if not result:
        return [_Found(f.name, f.safe, f.data, f.via, "other", "空压缩包（里面没有文件）")]
    via = (*f.via, f"压缩包 {f.safe}")
    members = []
    for name, data in result:
        safe = safe_name(name)
        kind, what = classify(safe, data, in_zip=True)
        members.append(_Found(name, _workbook_name(safe) if kind == "workbook" else safe, data, via, kind, what))
    return members


def _workbook_name(name: str) -> str:
    """A workbook known by its bytes ("报表.zip", "附件") is saved as .xlsx, so every tool opens it."""
    stem, ext = split_ext(name)
    return name if ext.lower() in (".xlsx", ".xlsm") else limit_length(stem, ".xlsx")
