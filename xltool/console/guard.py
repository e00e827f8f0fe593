"""Which Host names the console answers to, in every mode: the address it is served on, the PC's own
addresses and names, localhost when it listens on loopback, and the names the clerk allowed
(``serve --allow-host``). Anything else is a page of another site rebound to this PC (DNS rebinding):
it gets 421 before any other check runs.

The PC's addresses are found without new dependencies: its name and full name resolved, the address
a UDP socket would leave from (no packet is sent), and on Linux every interface's address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::", "")
# no packet is sent: connecting a UDP socket only picks the address a packet would leave from
PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET, "10.255.255.255"), (socket.AF_INET6, "2001:db8::1"))
SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def host_name(host_header: str) -> str:
    """The name in a Host header, without port or brackets, lower case ("" when unreadable)."""
    try:
        return (urlsplit(f"//{host_header}").hostname or "").lower()
    except ValueError:
        return ""


def _plain(name: str) -> str:
    return name.strip().strip("[]").lower()


def is_loopback_name(host: str) -> bool:
    if _plain(host) == "localhost":
        return True
    try:
        return ipaddress.ip_address(_plain(host)).is_loopback
    except ValueError:
        return False


def allowed_hosts(served_on: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Every Host name the console served on ``served_on`` answers to."""
    names = {_plain(served_on), *(_plain(n) for n in extra), *own_names()}
    if is_loopback_name(served_on) or _plain(served_on) in WILDCARD:
        names.update(LOOPBACK)  # the clerk's own browser on this PC
    names.discard("")
    names.difference_update(("0.0.0.0", "::"))
    return frozenset(names)


def own_names() -> set[str]:
    """The PC's host names and addresses (those that can be found; none is required)."""
    names: set[str] = set()
    for name in (socket.gethostname(), socket.getfqdn()):
        names.add(name.lower())
        with contextlib.suppress(OSError, UnicodeError):
            names.update(str(info[4][0]).split("%")[0] for info in socket.getaddrinfo(name, None))
    names.update(_outbound())
    if sys.platform.startswith("linux"):
        names.update(_linux_interfaces())
    return {n.lower() for n in names if n}


def _outbound() -> set[str]:
    found = set()
    for family, probe in PROBES:
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))
            found.add(str(s.getsockname()[0]).split("%")[0])
    return found


def _linux_interfaces() -> set[str]:
    import fcntl  # Linux only (imported here: the module must load on Windows)

    found = set()
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _, name in socket.if_nameindex():
            with contextlib.suppress(OSError):
                packed = fcntl.ioctl(s.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
                found.add(socket.inet_ntoa(packed[20:24]))
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            raw = line.split()[0]
            found.add(str(ipaddress.IPv6Address(bytes.fromhex(raw))))
    return found


def misdirected_text(host_header: str, urls: Iterable[str]) -> str:
    shown = "、".join(urls)
    return (
        f"控制台不接受这个地址（{host_header or '无 Host'}）：它可能是另一个网站借用的名称。请用 {shown} 访问；"
        "确需用其他名称访问时，启动时加 --allow-host 名称。"
    )


def served_url(host: str, port: int) -> str:
    """The address the clerk types for a console served on ``host`` (a wildcard: this PC's 127.0.0.1)."""
    shown = "127.0.0.1" if _plain(host) in WILDCARD else _plain(host)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"
