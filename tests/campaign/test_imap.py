"""iter_imap against a real Dovecot on 127.0.0.1: plain, implicit TLS and STARTTLS, each throw-away.

Dovecot is started from a private config in a temporary folder (REAL_COMPONENTS.md, "IMAP: Dovecot on
loopback"): a passwd-file user tester/secret, a static userdb mapped to a system user (Dovecot refuses
root for mail), listeners on free ports. Without Dovecot the tests skip, or fail under
XLTOOL_REQUIRE_REAL=1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.campaign import mailfixtures as F
from tests.conftest import _required
from xltool.campaign.mail import MailError, iter_imap, parse_message
from xltool.campaign.sources import decode_folder, encode_folder

MAIL_USER = "xltoolmail"  # owns the Maildir: Dovecot will not deliver or read mail as root
USER, PASSWORD = "tester", "secret"


@dataclass(frozen=True)
class Dovecot:
    imap_port: int  # plain IMAP (STARTTLS offered when TLS is on)
    imaps_port: int  # implicit TLS, 0 when TLS is off
    cert: Path | None


def _find_dovecot() -> str | None:
    return shutil.which("dovecot", path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mail_user() -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(MAIL_USER)
    if os.geteuid() != 0:
        _required(None, f"the system user {MAIL_USER} (creating it needs root)")
    nologin = "/usr/sbin/nologin"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", nologin, MAIL_USER], check=True)
    return pwd.getpwnam(MAIL_USER)


def _config(root: Path, user: pwd.struct_passwd, imap_port: int, imaps_port: int, tls: bool) -> str:
    ssl_lines = (
        f"ssl = required\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem\n"
        if tls
        else "ssl = no\ndisable_plaintext_auth = no\n"
    )
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
{ssl_lines}auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = {user.pw_uid}
first_valid_gid = {user.pw_gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={user.pw_uid} gid={user.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
  # Dovecot trusts a client whose address is its own (127.0.0.1 to 127.0.0.1) as if it were
  # encrypted; on 127.0.0.2 the client comes from 127.0.0.1 and is treated like a remote one.
  inet_listener imap_remote {{
    address = 127.0.0.2
    port = {imap_port}
  }}
}}
"""


def _wait_for(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"dovecot exited with {proc.returncode}: {log.read_text(errors='replace') if log.exists() else ''}"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    pytest.fail(f"dovecot did not listen on {port}")


@contextlib.contextmanager
def _dovecot(tls: bool) -> Iterator[Dovecot]:
    binary = _required(_find_dovecot(), "Dovecot (apt-get install dovecot-imapd)")
    user = _mail_user()
    # Not pytest's tmp_path: its parents are private to root, and Dovecot's workers run as other users.
    root = Path(tempfile.mkdtemp(prefix="xltool-dovecot-"))
    root.chmod(0o755)
    proc = None
    try:
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (root / "mail").mkdir()
        os.chown(root / "mail", user.pw_uid, user.pw_gid)
        cert = None
        if tls:
            cert = root / "cert.pem"
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "2"]
                + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(root / "key.pem"), "-out", str(cert)],
                check=True,
                capture_output=True,
            )
        imap_port, imaps_port = _free_port(), _free_port() if tls else 0
        conf = root / "dovecot.conf"
        conf.write_text(_config(root, user, imap_port, imaps_port, tls))
        proc = subprocess.Popen([binary, "-c", str(conf), "-F"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for(imap_port, proc, root / "dovecot.log")
        if tls:
            _wait_for(imaps_port, proc, root / "dovecot.log")
        yield Dovecot(imap_port, imaps_port, cert)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def plain() -> Iterator[Dovecot]:
    with _dovecot(tls=False) as server:
        yield server


@pytest.fixture(scope="module")
def secure() -> Iterator[Dovecot]:
    with _dovecot(tls=True) as server:
        yield server


MESSAGES = [
    F.message([("城关镇年度报告.xlsx", F.tiny_workbook(), F.XLSX)], message_id="<imap.1@example.org>"),
    F.zip_message(),
    F.forwarded(),
    F.rfc2047_split_name()[0],  # hand-written, 8-bit free but not what the email package writes
    F.raw_gbk_name()[0],  # raw 8-bit bytes in a header
]
ARRIVED = [dt.datetime(2026, 1, d, 9, 0, tzinfo=F.CST) for d in (10, 12, 14, 16, 18)]


def _append(port: int, folder: str, messages: list[bytes], arrived: list[dt.datetime]) -> None:
    """Deliver with plain imaplib (the test's own client, independent of the code under test)."""
    imap = imaplib.IMAP4("127.0.0.1", port)
    try:
        imap.login(USER, PASSWORD)
        if folder != "INBOX":
            imap.create(f'"{encode_folder(folder)}"')
        for raw, when in zip(messages, arrived, strict=True):
            status, _ = imap.append(f'"{encode_folder(folder)}"', r"", imaplib.Time2Internaldate(when), raw)
            assert status == "OK"
    finally:
        imap.logout()


@pytest.fixture(scope="module")
def mailbox_plain(plain: Dovecot) -> Dovecot:
    _append(plain.imap_port, "INBOX", MESSAGES, ARRIVED)
    _append(plain.imap_port, "年度报告", MESSAGES[:2], ARRIVED[:2])
    return plain


def sha(messages: list[bytes]) -> list[str]:
    return [hashlib.sha256(m).hexdigest() for m in messages]


def test_messages_come_back_byte_identical(mailbox_plain: Dovecot) -> None:
    got = list(iter_imap("127.0.0.1", mailbox_plain.imap_port, USER, PASSWORD, tls="none"))
    assert sha(got) == sha(MESSAGES)
    assert parse_message(got[0]).attachments[0].data == F.tiny_workbook()


def test_nothing_is_marked_read(mailbox_plain: Dovecot) -> None:
    list(iter_imap("127.0.0.1", mailbox_plain.imap_port, USER, PASSWORD, tls="none"))
    imap = imaplib.IMAP4("127.0.0.1", mailbox_plain.imap_port)
    imap.login(USER, PASSWORD)
    imap.select("INBOX", readonly=True)
    status, data = imap.search(None, "UNSEEN")
    imap.logout()
    assert status == "OK" and len(data[0].split()) == len(MESSAGES)


def test_since_filters_by_arrival(mailbox_plain: Dovecot) -> None:
    got = list(iter_imap("127.0.0.1", mailbox_plain.imap_port, USER, PASSWORD, tls="none", since=dt.date(2026, 1, 14)))
    assert sha(got) == sha(MESSAGES[2:])


def test_chinese_folder(mailbox_plain: Dovecot) -> None:
    got = list(iter_imap("127.0.0.1", mailbox_plain.imap_port, USER, PASSWORD, folder="年度报告", tls="none"))
    assert sha(got) == sha(MESSAGES[:2])


def test_missing_folder_names_the_folders_there_are(mailbox_plain: Dovecot) -> None:
    with pytest.raises(MailError, match="没有文件夹“收件箱”") as err:
        list(iter_imap("127.0.0.1", mailbox_plain.imap_port, USER, PASSWORD, folder="收件箱", tls="none"))
    assert "INBOX" in str(err.value) and "年度报告" in str(err.value)
    assert f"127.0.0.1:{mailbox_plain.imap_port}" in str(err.value)


def test_wrong_password(plain: Dovecot) -> None:
    wrong = "Wr0ng-P@ss-7781"
    with pytest.raises(MailError) as err:
        list(iter_imap("127.0.0.1", plain.imap_port, USER, wrong, tls="none"))
    text = str(err.value)
    assert text.startswith("IMAP 登录失败：用户名或密码不正确（服务器 127.0.0.1）")
    assert wrong not in text and wrong not in repr(err.value.__cause__) and err.value.__suppress_context__


def test_closed_port() -> None:
    port = _free_port()
    with pytest.raises(MailError, match=f"无法连接 IMAP 服务器 127.0.0.1:{port}"):
        list(iter_imap("127.0.0.1", port, USER, PASSWORD, tls="none", timeout=5))


def test_unknown_host_and_tls_mode() -> None:
    with pytest.raises(MailError, match="找不到 IMAP 服务器"):
        list(iter_imap("no-such-host.invalid", None, USER, PASSWORD, timeout=5))
    with pytest.raises(MailError, match="不支持的加密方式"):
        list(iter_imap("127.0.0.1", None, USER, PASSWORD, tls="tls"))


@pytest.fixture(scope="module")
def mailbox_secure(secure: Dovecot) -> Dovecot:
    assert secure.cert is not None
    context = ssl.create_default_context(cafile=secure.cert)
    imap = imaplib.IMAP4_SSL("127.0.0.1", secure.imaps_port, ssl_context=context)
    try:
        imap.login(USER, PASSWORD)
        assert imap.append("INBOX", "", imaplib.Time2Internaldate(F.DATE), MESSAGES[0])[0] == "OK"
    finally:
        imap.logout()
    return secure


@pytest.mark.parametrize("mode", ["ssl", "starttls"])
def test_tls_with_the_servers_certificate(mailbox_secure: Dovecot, mode: str) -> None:
    port = mailbox_secure.imaps_port if mode == "ssl" else mailbox_secure.imap_port
    got = list(iter_imap("127.0.0.1", port, USER, PASSWORD, tls=mode, cafile=mailbox_secure.cert))
    assert sha(got) == sha([MESSAGES[0]])


def test_self_signed_certificate_is_not_trusted_silently(secure: Dovecot) -> None:
    with pytest.raises(MailError, match="证书验证失败"):
        list(iter_imap("127.0.0.1", secure.imaps_port, USER, PASSWORD, tls="ssl"))
    with pytest.raises(MailError, match="证书验证失败"):
        list(iter_imap("127.0.0.1", secure.imap_port, USER, PASSWORD, tls="starttls"))


def test_plain_login_refused_where_tls_is_required(secure: Dovecot) -> None:
    with pytest.raises(MailError, match="不允许未加密登录"):
        list(iter_imap("127.0.0.2", secure.imap_port, USER, PASSWORD, tls="none"))


def test_ssl_against_a_plain_port(plain: Dovecot) -> None:
    with pytest.raises(MailError, match=f"127.0.0.1:{plain.imap_port}"):
        list(iter_imap("127.0.0.1", plain.imap_port, USER, PASSWORD, tls="ssl", timeout=5))


def test_folder_names_in_modified_utf7() -> None:
    assert encode_folder("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-"  # RFC 3501 5.1.3
    assert encode_folder("A&B") == "A&-B"
    for name in ("年度报告", "A&B 报表", "INBOX", "已发送/2026"):
        assert decode_folder(encode_folder(name)) == name


def test_non_ascii_password_is_sent_as_utf8(secure: Dovecot) -> None:
    # Last, and on the other server: after a failed login Dovecot delays every further login from
    # the same address (seconds, growing), so failures come after the successful logins of each server
    with pytest.raises(MailError, match="IMAP 登录失败") as err:
        list(iter_imap("127.0.0.1", secure.imaps_port, USER, "密码123", tls="ssl", cafile=secure.cert))
    assert "密码123" not in str(err.value)
