"""What keeps the console the clerk's own: where it listens, who may act, which files it hands out.

- It listens on 127.0.0.1 unless told otherwise, and another address needs a password.
- Every state-changing request carries the page's CSRF token and comes from the page's own origin.
- On 127.0.0.1 the Host header must name 127.0.0.1 or localhost (a rebound DNS name is refused).
- A file is served only when its real path (links resolved) lies inside the campaign folder.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

from xltool.errors import XltoolError

LOOPBACK_NAMES = ("localhost",)
HIDDEN = ("register.sqlite", "xltool.toml")  # the register and settings are the console's, not downloads


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, password: str | None) -> None:
    """XltoolError when ``host`` is not a loopback address and no password protects the console."""
    if not is_loopback(host) and not password:
        raise XltoolError(
            f"控制台要在 {host} 上开放，同一网络中的其他电脑都能访问它：必须用 --password 设置密码"
            "（或加 --token 由程序生成一个）。只在本机使用时不要加 --host。"
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
