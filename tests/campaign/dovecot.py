"""A real Dovecot on 127.0.0.1, throw-away, for the tests that read mail over IMAP.

Dovecot is started from a private config in a temporary folder (REAL_COMPONENTS.md, "IMAP: Dovecot on
loopback"): a passwd-file user tester/secret, a static userdb mapped to a system user (Dovecot refuses
root for mail), listeners on free ports. Without Dovecot the tests skip, or fail under
XLTOOL_REQUIRE_REAL=1. ``append`` delivers with plain imaplib, independent of the code under test.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import _required
from xltool.campaign.sources import encode_folder

MAIL_USER = "xltoolmail"  # owns the Maildir: Dovecot will not deliver or read mail as root
USER, PASSWORD = "tester", "secret"


@dataclass(frozen=True)
class Dovecot:
    imap_port: int  # plain IMAP (STARTTLS offered when TLS is on)
    imaps_port: int  # implicit TLS, 0 when TLS is off
    cert: Path | None


def _find_dovecot() -> str | None:
    return shutil.which("dovecot", path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin")


def free_port() -> int:
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
def dovecot_server(tls: bool) -> Iterator[Dovecot]:
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
        imap_port, imaps_port = free_port(), free_port() if tls else 0
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


def append(port: int, folder: str, messages: list[bytes], arrived: list[dt.datetime]) -> None:
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
