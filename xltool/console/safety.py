"""What keeps the console the clerk's own: where it listens, who may act, which files it hands out.

- It listens on 127.0.0.1 unless told otherwise, and another address needs a password.
- Every state-changing request carries the page's CSRF token and comes from the page's own origin.
- The Host header must name this PC or a name the clerk allowed (``guard``: a rebound DNS name is refused).
- A password has at least 8 characters and comes from the environment, a prompt or ``--token``.
- Which files are served: ``files`` (an allow-list of folders and kinds, never through a link).
"""

from __future__ import annotations

import ipaddress
import secrets

from xltool.errors import XltoolError

LOOPBACK_NAMES = ("localhost",)
MIN_PASSWORD = 8
CONSOLE_LOG = "控制台日志.txt"  # every login attempt (login.py)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, password: str | None) -> None:
    """XltoolError when ``host`` is not a loopback address and no password protects the console, or
    when the password is too weak."""
    if not is_loopback(host) and not password:
        raise XltoolError(
            f"控制台要在 {host} 上开放，同一网络中的其他电脑都能访问它：必须设置密码（环境变量 "
            "XLTOOL_CONSOLE_PASSWORD，或在启动时输入），或加 --token 由程序生成一个。只在本机使用时不要加 --host。"
        )
    check_password(password)


def check_password(password: str | None) -> None:
    """XltoolError when ``password`` is too short or only blanks (None: no password, checked elsewhere)."""
    if password is None:
        return
    if not password.strip():
        raise XltoolError("控制台密码不能只有空格。请换一个至少 8 个字符的密码，或加 --token 由程序生成一个。")
    if len(password) < MIN_PASSWORD:
        raise XltoolError(
            f"控制台密码太短（{len(password)} 个字符）：至少要 {MIN_PASSWORD} 个字符。请换一个，或加 --token 由程序生成一个。"
        )


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same_token(given: str | None, expected: str | None) -> bool:
    # as bytes: a clerk's password may be Chinese, and compare_digest takes only ASCII str
    return bool(given and expected) and secrets.compare_digest(str(given).encode(), str(expected).encode())
