"""iter_imap against a real Dovecot on 127.0.0.1: plain, implicit TLS and STARTTLS, each throw-away.

Dovecot is started from a private config in a temporary folder (REAL_COMPONENTS.md, "IMAP: Dovecot on
loopback"): a passwd-file user tester/secret, a static userdb mapped to a system user (Dovecot refuses
root for mail), listeners on free ports. Without Dovecot the tests skip, or fail under
XLTOOL_REQUIRE_REAL=1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import imaplib
import ssl
from collections.abc import Iterator

import pytest

from tests.campaign import mailfixtures as F
from tests.campaign.dovecot import PASSWORD, USER, Dovecot, append, dovecot_server, free_port
from xltool.campaign.mail import MailError, iter_imap, parse_message
from xltool.campaign.sources import decode_folder, encode_folder


@pytest.fixture(scope="module")
def plain() -> Iterator[Dovecot]:
    with dovecot_server(tls=False) as server:
        yield server


@pytest.fixture(scope="module")
def secure() -> Iterator[Dovecot]:
    with dovecot_server(tls=True) as server:
        yield server


MESSAGES = [
    F.message([("城关镇年度报告.xlsx", F.tiny_workbook(), F.XLSX)], message_id="<imap.1@example.org>"),
    F.zip_message(),
    F.forwarded(),
    F.rfc2047_split_name()[0],  # hand-written, 8-bit free but not what the email package writes
    F.raw_gbk_name()[0],  # raw 8-bit bytes in a header
]
ARRIVED = [dt.datetime(2026, 1, d, 9, 0, tzinfo=F.CST) for d in (10, 12, 14, 16, 18)]


@pytest.fixture(scope="module")
def mailbox_plain(plain: Dovecot) -> Dovecot:
    append(plain.imap_port, "INBOX", MESSAGES, ARRIVED)
    append(plain.imap_port, "年度报告", MESSAGES[:2], ARRIVED[:2])
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
    port = free_port()
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
