"""A file dropped on the console, recorded in the register as a message of its own source.

A dropped .xlsx is wrapped as a one-attachment message (no sender, so the reply goes to the roster's
address; a Message-ID named by the file's content, so dropping the same file again adds nothing) and
handed to ``collect`` like any mail; a dropped .eml is a message already; a .mbox is a mailbox.
"""

from __future__ import annotations

import hashlib
import mailbox
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from xltool.campaign.collect import CollectResult, collect
from xltool.campaign.records import DROPPED_SOURCE
from xltool.campaign.settings import Campaign
from xltool.errors import XltoolError
from xltool.workbook.limits import MAX_FILE_BYTES

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
MAX_EML_BYTES = 2 * MAX_FILE_BYTES  # a return in base64 is 4/3 of its size, with the text around it
MAX_REQUEST_BYTES = 64 * 1024 * 1024  # one drop of several files, or one exported mailbox
KINDS = {".xlsx": "报表", ".eml": "邮件", ".mbox": "邮箱导出文件"}
SOURCE = DROPPED_SOURCE  # the source of every dropped file in the register ("upload:<file name>")


class UploadRefused(XltoolError):
    """A dropped file the console does not take (its kind or its size), said in Chinese."""


@dataclass(frozen=True)
class Dropped:
    name: str
    data: bytes


def check_dropped(name: str, size: int) -> str:
    """The file's kind (its suffix); UploadRefused when it is no return, mail or mailbox, or too big."""
    suffix = Path(name).suffix.lower()
    if suffix not in KINDS:
        raise UploadRefused(f"“{name}”不是可以拖入的文件：请拖入报表（.xlsx）、邮件（.eml）或邮箱导出文件（.mbox）。")
    limit = {".xlsx": MAX_FILE_BYTES, ".eml": MAX_EML_BYTES}.get(suffix, MAX_REQUEST_BYTES)
    if size > limit:
        raise UploadRefused(f"“{name}”太大（{size / 2**20:.1f} MB），{KINDS[suffix]}最大 {limit // 2**20} MB。")
    return suffix


def wrap_return(name: str, data: bytes, when: datetime | None = None) -> bytes:
    """A dropped return as the raw bytes of a message carrying it (deterministic but for its date)."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = f"拖入报表：{name}"
    msg["Date"] = format_datetime((when or datetime.now()).astimezone())
    msg["Message-ID"] = f"<{hashlib.sha256(data).hexdigest()[:40]}.dropped@xltool.invalid>"
    msg.set_content(f"在 xltool 控制台拖入的报表“{name}”。", charset="utf-8")
    msg.add_attachment(data, *XLSX_TYPE, filename=Path(name).name)
    return msg.as_bytes()


def _messages(files: list[Dropped]) -> Iterator[bytes]:
    for f in files:
        suffix = check_dropped(f.name, len(f.data))
        if suffix == ".xlsx":
            yield wrap_return(f.name, f.data)
        elif suffix == ".eml":
            yield f.data
        else:
            yield from _mbox(f.data)


def _mbox(data: bytes) -> Iterator[bytes]:
    with tempfile.TemporaryDirectory(prefix="xltool-drop-") as tmp:
        path = Path(tmp) / "dropped.mbox"
        path.write_bytes(data)
        box = mailbox.mbox(path, create=False)
        try:
            for key in box.iterkeys():
                yield box.get_bytes(key)
        finally:
            box.close()


def collect_dropped(campaign: Campaign, files: list[Dropped]) -> CollectResult:
    """Every dropped file into the register (and verified), as ``xltool collect`` takes mail."""
    for f in files:
        check_dropped(f.name, len(f.data))  # refuse the whole drop before anything is recorded
    source = f"{SOURCE}:" + "、".join(Path(f.name).name for f in files)
    return collect(campaign, _messages(files), source)
