"""Where `xltool serve` takes its password from: the environment, a hidden prompt or --token (shown
once), never the command line (every local user reads it in the process list) — run as a real
process, its /proc/PID/cmdline read — and never a short or blank one."""

from __future__ import annotations

import os
import pty
import signal
import socket
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from tests.console.conftest import Client
from xltool.cli import main

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "报送-2025-口令"


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


@contextmanager
def xltool_serve(args: list[str], env: dict[str, str], **popen: Any) -> Iterator[subprocess.Popen[bytes]]:
    """`xltool serve …` as its own process, until it listens on the --port and --host it was given."""
    address, port = args[args.index("--host") + 1], int(args[args.index("--port") + 1])
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "BROWSER": "true", "PYTHONUNBUFFERED": "1", **env}
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    proc = subprocess.Popen([sys.executable, "-m", "xltool", "serve", *args], env=full_env, **popen)
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None:
            assert time.monotonic() < deadline, "the console did not start"
            with socket.socket() as s:
                if s.connect_ex((address if address != "0.0.0.0" else "127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def signs_in(address: str, port: int, password: str) -> bool:
    c = Client(SimpleNamespace(port=port), address=address)  # type: ignore[arg-type]
    status, _, data = c.request("GET", "/login")
    assert status == 200, data.decode()
    c.token = data.decode().split('name="csrf" value="')[1].split('"')[0]
    return c.post("/login", {"password": password, "csrf": c.token})[0] == 302 and c.request("GET", "/")[0] == 200


def test_the_password_from_the_environment_is_not_in_the_process_list(campaign: Path) -> None:
    port = free_port("127.0.0.2")
    args = [str(campaign), "--host", "127.0.0.2", "--port", str(port), "--no-browser"]
    with xltool_serve(args, {"XLTOOL_CONSOLE_PASSWORD": PASSWORD}) as proc:
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert b"serve" in cmdline and PASSWORD.encode() not in cmdline
        assert not signs_in("127.0.0.2", port, "wrong-password-1")
        assert signs_in("127.0.0.2", port, PASSWORD)


def test_a_token_is_made_and_shown_once(campaign: Path) -> None:
    port = free_port()
    args = [str(campaign), "--host", "0.0.0.0", "--port", str(port), "--no-browser", "--token"]
    with xltool_serve(args, {"XLTOOL_CONSOLE_PASSWORD": ""}) as proc:
        assert proc.stderr is not None
        said = b""
        while b"\n" not in said.split("访问密码：".encode())[-1] or "访问密码：".encode() not in said:
            said += os.read(proc.stderr.fileno(), 4096)
        token = said.decode().split("访问密码：")[1].split("（只显示这一次")[0]
        assert len(token) >= 16 and token.encode() not in Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert signs_in("127.0.0.1", port, token)


def test_the_password_can_be_typed_at_a_hidden_prompt(campaign: Path) -> None:
    port = free_port()
    primary, secondary = pty.openpty()
    args = [str(campaign), "--host", "0.0.0.0", "--port", str(port), "--no-browser"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "XLTOOL_CONSOLE_PASSWORD": ""}
    # a session of its own: no controlling terminal, its stdin the pty where the prompt is answered
    proc = subprocess.Popen([sys.executable, "-m", "xltool", "serve", *args], env=env, stdin=secondary,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        assert proc.stderr is not None
        said = b""
        for prompt in ("请设置控制台密码", "请再输入一次"):
            while prompt.encode() not in said:
                said += os.read(proc.stderr.fileno(), 4096)
            _wait(lambda: not termios.tcgetattr(secondary)[3] & termios.ECHO)  # typing is hidden
            os.write(primary, f"{PASSWORD}\n".encode())
        _wait(lambda: _listens(port))
        assert signs_in("127.0.0.1", port, PASSWORD)
        assert PASSWORD.encode() not in Path(f"/proc/{proc.pid}/cmdline").read_bytes() + said
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        os.close(primary)
        os.close(secondary)


def _wait(condition: Any) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _listens(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_a_password_on_the_command_line_is_refused(campaign: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(campaign), "--password", "x", "--no-browser"])
    assert result.exit_code == 2 and "进程列表" in result.output and "XLTOOL_CONSOLE_PASSWORD" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(("password", "said"), [("Pa55w0r", "太短"), (" " * 12, "空格")])
def test_a_short_or_blank_password_is_refused(campaign: Path, password: str, said: str) -> None:
    result = CliRunner().invoke(main, ["serve", str(campaign), "--host", "0.0.0.0", "--port", "0", "--no-browser"],
                                env={"XLTOOL_CONSOLE_PASSWORD": password})  # fmt: skip
    assert result.exit_code == 1 and said in result.output
