"""What keeps the console the clerk's own: where it listens, who may act, which files it hands out.

- It listens on 127.0.0.1 unless told otherwise, and another address needs a password.
- Every state-changing request carries the page's CSRF token and comes from the page's own origin.
- The Host header must name this PC or a name the clerk allowed (``guard``: a rebound DNS name is refused).
- A password has at least 8 characters and comes from the environment, a prompt or ``--token``.
- A file is served only when its real path (links resolved) lies inside the campaign folder.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

from xltool.errors import XltoolError

LOOPBACK_NAMES = ("localhost",)
MIN_PASSWORD = 8
CONSOLE_LOG = "控制台日志.txt"  # every login attempt (login.py)
HIDDEN = ("register.sqlite", "xltool.toml", CONSOLE_LOG)  # the console's own files, not downloads


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


def inside(root: Path, rel: str) -> Path | None:
    """The file ``rel`` names inside ``root`` — None when it is absolute, climbs out, is reached
    through a link leading out, is hidden (a dot-file, the register, the settings) or is no file."""
    if not rel or rel.startswith(("/", "\\")) or "\x00" in rel or ":" in rel.split("/")[0]:
        return None
    base = root.resolve()
    try:
        path = (base / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(base) or not path.is_file():
        return None
    parts = path.relative_to(base).parts
    if any(p.startswith(".") for p in parts) or (len(parts) == 1 and parts[0] in HIDDEN):
        return None
    return path
