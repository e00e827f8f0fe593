"""Where mail comes from: .eml files, an mbox, a Maildir, or an IMAP mailbox (read-only).

Each source yields the raw bytes of each message exactly as stored, so a message's sha256 is the same
whichever way it was fetched. IMAP is only ever read: the folder is EXAMINEd and messages fetched with
BODY.PEEK[], so the office mailbox keeps its unread marks. The password never appears in any message.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import imaplib
import mailbox
import re
import socket
import ssl
from collections.abc import Iterable, Iterator
from pathlib import Path

from xltool.errors import XltoolError

TLS_MODES = {"ssl": 993, "starttls": 143, "none": 143}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FETCHED = re.compile(rb"BODY\[\]", re.IGNORECASE)


class MailError(XltoolError):
    """A mail source cannot be read (missing file, IMAP login or connection failure)."""


def iter_eml(paths: Iterable[Path]) -> Iterator[bytes]:
    """Each .eml file's bytes; a folder gives its *.eml files in name order."""
    for path in paths:
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml") if path.is_dir() else [path]
        for file in files:
            try:
                yield file.read_bytes()
            except OSError as err:
                raise MailError(f"无法读取邮件文件 {file}：{err.strerror or err}") from None


def iter_mbox(path: Path) -> Iterator[bytes]:
    """Each message of an mbox file, in file order, without its "From " separator line."""
    if not path.is_file():
        raise MailError(f"找不到 mbox 邮件文件：{path}")
    with open(path, "rb") as fh:
        head = fh.read(5)
    if head and head != b"From ":  # mailbox would find no message in it and say nothing
        raise MailError(f"{path} 不是 mbox 格式的邮件文件（mbox 以“From ”行开头；单封邮件请按 .eml 读取）")
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key)
    except (OSError, mailbox.Error) as err:
        raise MailError(f"无法读取 mbox 邮件文件 {path}：{err}") from None
    finally:
        box.close()


def iter_maildir(path: Path) -> Iterator[bytes]:
    """Each message in a Maildir's cur/ and new/ (never tmp/, still being delivered), by file name,
    which starts with the delivery time."""
    if not (path / "cur").is_dir() and not (path / "new").is_dir():
        raise MailError(f"{path} 不是 Maildir 邮件文件夹（其中没有 cur 或 new 文件夹）")
    files = [f for sub in ("cur", "new") if (path / sub).is_dir() for f in (path / sub).iterdir()]
    for file in sorted((f for f in files if not f.name.startswith(".")), key=lambda f: (f.name, f.parent.name)):
        try:
            yield file.read_bytes()
        except OSError as err:
            raise MailError(f"无法读取邮件文件 {file}：{err.strerror or err}") from None


def iter_imap(
    host: str,
    port: int | None,
    user: str,
    password: str,
    folder: str = "INBOX",
    tls: str = "ssl",
    since: dt.date | None = None,
    timeout: float = 30,
    cafile: Path | None = None,
) -> Iterator[bytes]:
    """Each message of ``folder`` (received on or after ``since``, by the server's arrival date), by UID.

    ``tls``: "ssl" (port 993), "starttls" or "none" (port 143). The server's certificate is always
    verified, against the system's authorities or, given ``cafile``, that certificate file.
    """
    if tls not in TLS_MODES:
        raise MailError(f"不支持的加密方式“{tls}”：可选 ssl、starttls、none")
    where = f"{host}:{port or TLS_MODES[tls]}"
    imap = _connect(host, port or TLS_MODES[tls], tls, timeout, cafile, where)
    try:
        _login(imap, user, password, host, where)
        _examine(imap, folder, where)
        yield from _fetch_all(imap, since, where, password)
    except (imaplib.IMAP4.error, OSError) as err:
        raise MailError(_scrub(f"与 IMAP 服务器 {where} 的通信中断：{err}", password)) from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):  # the connection may be gone already
            imap.logout()


def _connect(host: str, port: int, tls: str, timeout: float, cafile: Path | None, where: str) -> imaplib.IMAP4:
    try:
        context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as err:
        raise MailError(f"无法读取证书文件 {cafile}：{err}") from None
    try:
        if tls == "ssl":
            return imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
        imap = imaplib.IMAP4(host, port, timeout=timeout)
        if tls == "starttls":
            imap.starttls(ssl_context=context)
        return imap
    except ssl.SSLCertVerificationError as err:
        raise MailError(
            f"IMAP 服务器 {where} 的证书验证失败（{err.verify_message}）：请确认服务器地址，"
            "自签名证书请用 cafile 指定该证书"
        ) from None
    except ssl.SSLError as err:
        raise MailError(f"与 IMAP 服务器 {where} 建立加密连接失败（{err.reason}）：请检查端口和加密方式") from None
    except socket.gaierror:
        raise MailError(f"找不到 IMAP 服务器 {host}：请检查服务器地址和网络") from None
    except ConnectionRefusedError:
        raise MailError(f"无法连接 IMAP 服务器 {where}：连接被拒绝，请检查端口和服务器是否开启 IMAP") from None
    except TimeoutError:
        raise MailError(f"连接 IMAP 服务器 {where} 超时：请检查网络和端口") from None
    except (OSError, imaplib.IMAP4.error) as err:
        raise MailError(f"无法连接 IMAP 服务器 {where}：{err}") from None


def _login(imap: imaplib.IMAP4, user: str, password: str, host: str, where: str) -> None:
    if "LOGINDISABLED" in imap.capabilities:
        raise MailError(f"IMAP 服务器 {where} 不允许未加密登录：请改用 ssl 或 starttls 加密方式")
    try:
        if user.isascii() and password.isascii():
            imap.login(user, password)
        else:  # LOGIN is ASCII-only in imaplib; AUTHENTICATE PLAIN carries UTF-8
            imap.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())
    except imaplib.IMAP4.error:
        raise MailError(
            f"IMAP 登录失败：用户名或密码不正确（服务器 {host}）。部分邮箱需使用“授权码”而不是登录密码"
        ) from None
    if "ID" in imap.capabilities:
        # 163.com and 126.com refuse SELECT ("Unsafe Login") until the client names itself (RFC 2971)
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            imap.xatom("ID", '("name" "xltool" "version" "1")')


def _examine(imap: imaplib.IMAP4, folder: str, where: str) -> None:
    status, _ = imap.select(_quote(encode_folder(folder)), readonly=True)  # EXAMINE: nothing is changed
    if status != "OK":
        raise MailError(f"IMAP 服务器 {where} 上没有文件夹“{folder}”。{_folders(imap)}")


def _folders(imap: imaplib.IMAP4) -> str:
    try:
        status, lines = imap.list()
    except (imaplib.IMAP4.error, OSError):
        return ""
    names = []
    for line in lines if status == "OK" else []:
        if isinstance(line, bytes) and (m := re.search(rb'"([^"]*)"\s*$|(\S+)\s*$', line)):
            names.append(decode_folder((m.group(1) or m.group(2)).decode("ascii", "replace")))
    return f"服务器上的文件夹有：{'、'.join(names[:20])}" if names else ""


def _fetch_all(imap: imaplib.IMAP4, since: dt.date | None, where: str, password: str) -> Iterator[bytes]:
    criteria = ["SINCE", f"{since.day:02d}-{_MONTHS[since.month - 1]}-{since.year}"] if since else ["ALL"]
    status, data = imap.uid("SEARCH", *criteria)
    if status != "OK":
        raise MailError(_scrub(f"IMAP 服务器 {where} 拒绝了搜索：{data!r}", password))
    uids = sorted({int(u) for u in (data[0] or b"").split()})
    for uid in uids:
        status, data = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
        if status != "OK":
            raise MailError(_scrub(f"IMAP 服务器 {where} 无法读取第 {uid} 封邮件：{data!r}", password))
        raw = next((item[1] for item in data if isinstance(item, tuple) and _FETCHED.search(item[0])), None)
        if raw is not None:  # None: deleted by another client since the search
            yield raw


def _scrub(text: str, password: str) -> str:
    return text.replace(password, "******") if password else text


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_folder(name: str) -> str:
    """IMAP's modified UTF-7 (RFC 3501 5.1.3): "报表" is "&YqVoaA-", as every server spells it."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            b = base64.b64encode("".join(run).encode("utf-16-be")).rstrip(b"=").replace(b"/", b",")
            out.append("&" + b.decode("ascii") + "-")
            run.clear()

    for ch in name:
        if " " <= ch <= "~":
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def decode_folder(name: str) -> str:
    def one(m: re.Match[str]) -> str:
        if not m.group(1):
            return "&"
        b = m.group(1).replace(",", "/")
        try:
            return base64.b64decode(b + "=" * (-len(b) % 4)).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            return m.group(0)

    return re.sub(r"&([A-Za-z0-9+,]*)-", one, name)
