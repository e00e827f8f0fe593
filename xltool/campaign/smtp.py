"""Sending mail through SMTP, each message at most once: the replies, the notices and the reminders
go through ``deliver``. A message is claimed in its ledger before it is handed to the server and
marked sent only when the server accepted it; a refused one is recorded with the server's answer (to
be sent again later); a kill while the server was taking it leaves it claimed, for a person to check,
never sent twice by itself. Errors name host:port and never the password.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from xltool.errors import XltoolError

TLS_MODES = ("ssl", "starttls", "none")


class MailServerError(XltoolError):
    """The mail server cannot be reached or refuses the login (the message names host:port)."""


class _Unknown(Exception):
    """The connection broke after the message was handed over: the server may have it."""


class Outgoing(Protocol):
    """A message to one recipient."""

    @property
    def to_addr(self) -> str: ...
    @property
    def message(self) -> EmailMessage: ...


_Out = TypeVar("_Out", bound=Outgoing)
_In = TypeVar("_In", bound=Outgoing, contravariant=True)


class Ledger(Protocol[_In]):
    """Where the sending of each message is recorded: claimed before it is handed to the server
    (False: sent or claimed already), then sent, failed (send again later) or unknown (the server
    may have it: never sent again by itself)."""

    def claim(self, item: _In, /) -> bool: ...
    def sent(self, item: _In, answer: str, /) -> None: ...
    def failed(self, item: _In, answer: str, /) -> None: ...
    def unknown(self, item: _In, answer: str, /) -> None: ...


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str | None
    password: str | None
    tls: str
    cafile: str | Path | None = None
    timeout: float = 30


@dataclass
class Delivered(Generic[_Out]):
    sent: list[_Out] = field(default_factory=list)
    failed: list[tuple[_Out, str]] = field(default_factory=list)  # with the server's answer
    unknown: list[tuple[_Out, str]] = field(default_factory=list)  # cut off while the server took it
    busy: list[_Out] = field(default_factory=list)  # the ledger refused the claim


def deliver(items: Sequence[_Out], ledger: Ledger[_Out], server: SmtpServer) -> Delivered[_Out]:
    """Send ``items`` through one connection (opened at the first, again after a broken one), each
    claimed in ``ledger`` first. MailServerError when the server cannot be reached or refuses the login."""
    if server.tls not in TLS_MODES:
        raise XltoolError(f"加密方式只能是 {'、'.join(TLS_MODES)}，不能是“{server.tls}”。")
    s, done = server, Delivered[_Out]()
    smtp: smtplib.SMTP | None = None
    try:
        for item in items:
            smtp = smtp or _connect(s.host, s.port, s.user, s.password, s.tls, s.cafile, s.timeout)
            if not ledger.claim(item):
                done.busy.append(item)
                continue
            try:
                answer = _send(smtp, item)
            except smtplib.SMTPRecipientsRefused as err:
                why = "；".join(f"{a}：{_answer(c, t)}" for a, (c, t) in err.recipients.items())
                _failed(ledger, done, item, why)
            except smtplib.SMTPResponseException as err:
                _failed(ledger, done, item, _answer(err.smtp_code, err.smtp_error))
            except _Unknown as err:
                ledger.unknown(item, str(err))
                done.unknown.append((item, str(err)))
                smtp = _drop(smtp)  # the next one connects again
            except (smtplib.SMTPException, OSError) as err:
                _failed(ledger, done, item, f"发送中断：{_reason(err)}")
                smtp = _drop(smtp)  # the next one connects again
            else:
                ledger.sent(item, answer)
                done.sent.append(item)
    finally:
        _drop(smtp)
    return done


def address(text: str) -> str:
    """The mail address in ``text`` ("名称 <a@b.cn>" or "a@b.cn"), "" when there is none that could work."""
    addr = parseaddr(text or "")[1]
    return addr if re.fullmatch(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+", addr) else ""


def message_id(from_addr: str) -> str:
    """Fresh and short enough never to be folded (some clients then lose the reply's thread)."""
    domain = parseaddr(from_addr)[1].rpartition("@")[2] or "xltool.invalid"
    return f"<{uuid.uuid4().hex}.xltool@{domain}>"


def _failed(ledger: Ledger[_Out], done: Delivered[_Out], item: _Out, answer: str) -> None:
    ledger.failed(item, answer)
    done.failed.append((item, answer))


def _send(smtp: smtplib.SMTP, d: Outgoing) -> str:
    """One SMTP transaction to the one recipient; the server's final answer ("250 … queued as …")."""
    data = d.message.as_bytes()
    smtp.ehlo_or_helo_if_needed()
    code, text = smtp.mail(parseaddr(str(d.message["From"]))[1])
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, text, str(d.message["From"]))
    code, text = smtp.rcpt(d.to_addr)
    if code not in (250, 251):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused({d.to_addr: (code, text)})
    try:
        code, text = smtp.data(data)
    except smtplib.SMTPResponseException:
        raise  # refused before the content went over (not 354): a clean failure
    except (smtplib.SMTPException, OSError) as err:
        raise _Unknown(f"发送内容时连接中断，对方服务器可能已收到：{_reason(err)}") from None
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPDataError(code, text)
    return _answer(code, text)


def _connect(
    host: str, port: int, user: str | None, password: str | None, tls: str, cafile: str | Path | None, timeout: float
) -> smtplib.SMTP:
    where = f"{host}:{port}"
    context = ssl.create_default_context(cafile=str(cafile) if cafile else None) if tls != "none" else None
    smtp: smtplib.SMTP | None = None
    stage = "connect"
    try:
        if tls == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            stage = "starttls"
            if tls == "starttls":
                smtp.starttls(context=context)
        stage = "login"
        if user:
            smtp.login(user, password or "")
        return smtp
    except smtplib.SMTPAuthenticationError as err:
        _drop(smtp)
        text = _scrub(_answer(err.smtp_code, err.smtp_error), password)
        raise MailServerError(
            f"邮件服务器 {where} 拒绝登录（用户 {user}）：{text}。请检查用户名和密码（授权码）。"
        ) from None
    except UnicodeEncodeError:  # smtplib sends user names and passwords as ASCII only
        _drop(smtp)
        raise MailServerError(
            f"无法登录邮件服务器 {where}：用户名或密码中有中文等字符，邮件登录只支持英文字母、数字和符号。"
            "请使用邮箱的授权码。"
        ) from None
    except smtplib.SMTPNotSupportedError:
        _drop(smtp)
        what = "STARTTLS 加密" if stage == "starttls" else "登录（AUTH），或要求先加密（请用 ssl 或 starttls）"
        raise MailServerError(f"邮件服务器 {where} 不支持{what}。请检查端口和加密方式。") from None
    except (smtplib.SMTPException, OSError) as err:
        _drop(smtp)
        raise MailServerError(f"无法连接邮件服务器 {where}：{_scrub(_reason(err), password)}") from None


def _drop(smtp: smtplib.SMTP | None) -> smtplib.SMTP | None:
    """Close a connection, quietly (it may be broken already); None, to forget it."""
    if smtp is not None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return None


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}"


def _reason(err: BaseException) -> str:
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"服务器证书校验失败（{err.verify_message}）"
    if isinstance(err, ssl.SSLError):
        return f"加密连接失败（{err.reason or err}）"
    if isinstance(err, socket.gaierror):
        return "找不到这个服务器，请检查服务器地址"
    if isinstance(err, ConnectionRefusedError):
        return "连接被拒绝（端口不对或服务器没有运行）"
    if isinstance(err, TimeoutError):
        return "连接超时"
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return "服务器断开了连接"
    if isinstance(err, smtplib.SMTPResponseException):
        return _answer(err.smtp_code, err.smtp_error)
    return str(err) or type(err).__name__


def _scrub(text: str, password: str | None) -> str:
    """A server may echo what it was sent: a password never appears in any message."""
    return text.replace(password, "***") if password else text
