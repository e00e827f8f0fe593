"""Mail settings and sources: what was given, else the campaign's [mail], else the defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from xltool.campaign.settings import Campaign
from xltool.campaign.sources import iter_eml, iter_imap, iter_maildir, iter_mbox
from xltool.errors import XltoolError


def smtp_port(tls: str) -> int:
    """The usual port of an SMTP server with this encryption (IMAP's: ``campaign.sources``)."""
    return 465 if tls == "ssl" else 587


@dataclass(frozen=True)
class MailSettings:
    """An IMAP or SMTP server: given, else from the campaign's [mail] (the password never is)."""

    host: str
    port: int | None
    user: str
    password: str
    tls: str = "ssl"
    folder: str = "INBOX"

    def smtp_port(self) -> int:
        return self.port or smtp_port(self.tls)


def mail_settings(campaign: Campaign, kind: str, given: Mapping[str, str], *, required: bool = True) -> MailSettings:
    """``kind`` "imap" or "smtp": the values ``given`` (host, port, user, password, tls, folder; empty
    counts as not given), else the campaign's settings. ``required``: a missing server (and, for IMAP,
    account) is an error said in Chinese; without it the caller says so in its own words."""
    m = campaign.mail

    def get(key: str, default: str = "") -> str:
        return (given.get(key) or "").strip() or str(m.get(f"{kind}_{key}", default))

    port = get("port")
    if port and not port.isdigit():
        raise XltoolError(f"端口“{port}”应为数字，如 993。")
    host, user = get("host"), get("user")
    if required and not host:
        raise XltoolError(f"请填写{'收信（IMAP）' if kind == 'imap' else '发信（SMTP）'}服务器。")
    if required and kind == "imap" and not user:
        raise XltoolError("请填写邮箱账号。")
    return MailSettings(host, int(port) if port else None, user, given.get("password") or "", get("tls", "ssl"),
                        get("folder", "INBOX"))  # fmt: skip


def sender(campaign: Campaign, given: str = "", *, option: str = "") -> str:
    """The replies' From: given, else the campaign's; an error naming where to set it when none.
    ``option``: the caller's own way to give it (the command line's --from), named in the error."""
    address = given or campaign.from_addr or str(campaign.mail.get("from", ""))
    if not address:
        how = f"请加 {option}，或在" if option else "请在"
        raise XltoolError(f"没有发件地址：{how} {campaign.root / 'xltool.toml'} 的 [mail] 中填写 from。")
    return address


@dataclass(frozen=True)
class MailSource:
    """Where the mail comes from: .eml files (or folders of them), an mbox, a Maildir or an IMAP folder."""

    eml: tuple[Path, ...] = ()
    mbox: Path | None = None
    maildir: Path | None = None
    imap: MailSettings | None = None
    since: dt.date | None = None
    cafile: Path | None = None
    name: str = ""  # what the register calls the source (default: said by the source itself)


def open_source(source: MailSource) -> tuple[Iterable[bytes], str]:
    """(the raw messages, the source's name as the register records it)."""
    messages, name = _open(source)
    return messages, source.name or name


def _open(source: MailSource) -> tuple[Iterable[bytes], str]:

    if source.eml:
        return iter_eml(source.eml), "eml:" + ", ".join(p.name for p in source.eml)
    if source.mbox is not None:
        return iter_mbox(source.mbox), f"mbox:{source.mbox}"
    if source.maildir is not None:
        return iter_maildir(source.maildir), f"maildir:{source.maildir}"
    s = source.imap
    if s is None:
        raise XltoolError("没有邮件来源。")
    messages = iter_imap(s.host, s.port, s.user, s.password, s.folder, s.tls, source.since, cafile=source.cafile)
    return messages, f"imap:{s.user}@{s.host}/{s.folder}"
