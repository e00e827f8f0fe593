"""Every example command in README.md (``xltool …`` lines in code blocks) and in every command's ``-h``
(its 示例： block) runs: no usage error, no traceback, the exit code expected.

Examples are read from the text, so a new command's examples are run as soon as it has them. Each runs
in a folder of its own, where the file names it uses are real files: a placeholder is given a file by
what it means (a campaign folder, a roster, a return, a mailbox, a published report, a form…), never
by which command names it — see MEANINGS. What a command writes goes to the placeholder's own name in
that folder. A placeholder with no meaning known fails the test, naming the example: add its meaning.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from mailbox import mbox
from pathlib import Path
from typing import Any

import click
import pytest

from tests.campaign.conftest import Collector, start_smtp
from tests.forms import minifixtures as mini
from tests.forms import quarterlyfixtures as quarterly
from tests.returns import make_return
from xltool.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
YEAR = 2025  # the year the examples collect; a placeholder naming another year is last year's data

# Examples whose input has problems on purpose (the command finds them and exits 1), with the reason.
FINDS_PROBLEMS = {
    "xltool verify 安棚镇.xlsx --previous 2024年报表/ --strict B6,D4": "上年数字与本年的结转不符，--strict 使警告成为错误",
    "xltool audit 安棚镇2024年报.docx": "已发布的样例报告按国家格式检查有问题",
    "xltool audit 已发布报告/ --previous 2023年报告/ --out 问题清单.xlsx": "已发布的样例报告按国家格式检查有问题",
    "xltool audit 年报网页.html --json": "已发布的样例报告按国家格式检查有问题",
    "xltool audit 安棚镇2025年报.docx --previous 安棚镇2024年报.html --out 问题清单.xlsx": "同上",
}
# Examples that name a mail server. Sending (--smtp-host) goes to a real aiosmtpd on 127.0.0.1: the
# server, its port and "--tls none" replace the county's, and an ASCII secret the 授权码 placeholder.
# Receiving (--imap-host) needs a mailbox with the county's mail in it on a server of its own (Dovecot
# as root, set up by tests/campaign/test_imap.py): only its arguments are checked here.
SENDS_MAIL = "--smtp-host"
NEEDS_MAIL_SERVER = re.compile(r"^--imap-host$")
SECRET = "secret"


@dataclass(frozen=True)
class Example:
    where: str  # README.md:123, or "collect -h"
    text: str  # as written, after "xltool" (without environment variables and redirections)
    env: tuple[tuple[str, str], ...]

    @property
    def args(self) -> list[str]:
        return shlex.split(self.text)[1:]

    @property
    def command(self) -> click.Command:
        ctx = click.Context(main)
        cmd = main.get_command(ctx, self.args[0])
        assert cmd is not None, f"{self.where}: no command “{self.args[0]}”"
        return cmd


def parse_line(where: str, line: str) -> Example | None:
    """An ``xltool`` command line (``VAR=value`` before it, ``# comment`` or ``> file`` after it)."""
    words = shlex.split(line, comments=True)
    env = []
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        env.append(tuple(words.pop(0).split("=", 1)))
    if not words or not (words[0] == "xltool" or words[0].endswith("/xltool")):
        return None
    if ">" in words:
        words = words[: words.index(">")]  # the shell's redirection: the output is not checked here
    return Example(where, shlex.join(["xltool", *words[1:]]), tuple(env))  # type: ignore[arg-type]


def readme_examples() -> Iterator[Example]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    in_code, pending, start = False, "", 0
    for no, line in enumerate(lines, start=1):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if not in_code:
            continue
        pending, start = (pending + " " + line.strip(), start) if pending else (line.strip(), no)
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        example, pending = parse_line(f"README.md:{start}", pending), ""
        if example:
            yield example


def help_examples() -> Iterator[Example]:
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        cmd = main.get_command(ctx, name)
        block = (cmd.help or "").partition("示例：")[2] if cmd else ""
        for line in block.splitlines():
            text = re.split(r"\s{3,}", line.strip())[0]  # "xltool reply 2025年报      只生成草稿": the words after
            example = parse_line(f"{name} -h", text)
            if example:
                yield example


EXAMPLES = [*readme_examples(), *help_examples()]


def test_the_examples_are_found() -> None:
    commands = {e.args[0] for e in EXAMPLES if e.where.endswith("-h")}
    assert commands == set(main.list_commands(click.Context(main)))  # every command shows how it is used
    assert sum(e.where.startswith("README") for e in EXAMPLES) >= 20


# --- what a placeholder means ---------------------------------------------------------------------


@dataclass
class World:
    """The example's own folder, and the real files placeholders are given."""

    root: Path
    demo: Path  # a finished demo: a campaign with every unit's mail collected, reports
    form: str  # the example's --form, "" for the default form

    def place(self, name: str, make: Callable[[Path], object]) -> None:
        path = self.root / name.rstrip("/")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            make(path)


def copy(source: Path) -> Callable[[Path], object]:
    return lambda to: shutil.copytree(source, to) if source.is_dir() else shutil.copyfile(source, to)


def folder_of(*files: Path) -> Callable[[Path], object]:
    def make(to: Path) -> None:
        to.mkdir(parents=True)
        for f in files:
            shutil.copyfile(f, to / f.name)

    return make


def a_return(world: World, year: int) -> Callable[[Path], object]:
    """A complete, clean return of the example's form (last year's: the sample of a real 2024 one)."""
    if "季报" in world.form:  # the quarterly form's: a return on its 2025Q1 template
        return lambda to: quarterly.quarterly_return(to)
    if world.form:
        base = mini.valid_values()
        return lambda to: make_return(to.parent, name=to.name, the_form=mini.FORM, base=base, unit=mini.UNIT)
    if year != YEAR:
        return copy(SAMPLES / "returns" / "安棚镇_2024_真实报告数据.xlsx")
    return copy(SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx")


def an_eml(to: Path) -> None:
    box = mbox(SAMPLES / "mail" / "returns.mbox")
    to.write_bytes(next(m.as_bytes() for m in box if m.is_multipart()))


def a_published_report(world: World, suffix: str) -> Callable[[Path], object]:
    if suffix == ".txt":
        return copy(ROOT / "tests" / "data" / "anpeng_2024_report.txt")  # a whole report: an excerpt lacks tables
    if suffix == ".pdf":
        return lambda to: run_cli(world.root, ["report", str(SAMPLES / "returns" / "安棚镇_2024_真实报告数据.xlsx"),
                                               "-o", str(to)])  # fmt: skip  # LibreOffice renders it
    return copy(world.demo / "reports" / f"安棚镇_2024_真实报告数据{suffix}")


def year_of(name: str) -> int:
    found = re.search(r"(20\d\d)", name)
    return int(found.group(1)) if found else YEAR


def meaning(world: World, name: str) -> tuple[str, Callable[[Path], object]] | None:
    """What a placeholder stands for, and how to make it: the table of meanings."""
    stem, suffix = Path(name.rstrip("/")).name, Path(name.rstrip("/")).suffix.lower()
    if (ROOT / name).exists():  # the README runs from the repository: samples/roster.xlsx is that file
        return "仓库中的文件", copy(ROOT / name)
    if re.fullmatch(r"\d{4}年报", name.rstrip("/")):
        return "报送工作文件夹", copy(world.demo / "campaign")
    if re.fullmatch(r"\d{4}年报/returns/?", name):
        return "上年报送工作的报表", folder_of(SAMPLES / "returns" / "安棚镇_2024_真实报告数据.xlsx")
    if "名单" in stem and suffix in (".xlsx", ".csv"):
        return "名单", copy(SAMPLES / f"roster{suffix}")
    if suffix == ".mbox":
        return "邮箱导出的 mbox", copy(SAMPLES / "mail" / "returns.mbox")
    if suffix == ".eml":
        return "一封邮件", an_eml
    if stem == "form.toml":
        return "表单定义", copy(mini.MINI)
    if suffix == ".toml" and "季报" in stem:  # a form collected by quarter (--period 2025Q1)
        return "表单定义", copy(quarterly.QUARTERLY)
    if suffix in (".docx", ".html", ".pdf", ".txt"):
        return "已发布的报告", a_published_report(world, suffix)
    if suffix == ".xlsx":
        return "一份报表", a_return(world, year_of(stem))
    if not suffix and "报告" in stem:
        return "已发布报告的文件夹", folder_of(world.demo / "reports" / "安棚镇_2024_真实报告数据.docx")
    if not suffix and "报表" in stem:
        return "报表文件夹", lambda to: (to.mkdir(), a_return(world, year_of(stem))(to / "报表.xlsx"))
    return None


# --- which words are files ------------------------------------------------------------------------


def bound(cmd: click.Command, args: list[str]) -> Iterator[tuple[str, click.Parameter | None]]:
    """Each value of ``args`` with the parameter it is given to (options by name, the rest in order)."""
    options = {name: p for p in cmd.params if isinstance(p, click.Option) for name in p.opts + p.secondary_opts}
    positional = [p for p in cmd.params if isinstance(p, click.Argument)]
    words = iter(args)
    for word in words:
        name, eq, value = word.partition("=")
        option = options.get(name)
        if option is not None:
            if not option.is_flag and not option.count:
                yield (value if eq else next(words, "")), option
        elif positional:
            yield word, positional[0]
            if positional[0].nargs == 1:
                positional.pop(0)
        else:
            yield word, None


# What a command only ever reads, whatever its option's type says (template --roster is not checked
# by click, to say in Chinese that the roster is missing); the campaign folder is made by init.
ALWAYS_READ = ("名单", "表单定义", "邮箱导出的 mbox", "一封邮件", "报送工作文件夹", "仓库中的文件")


def inputs(example: Example, world: World) -> Iterator[tuple[str, Callable[[Path], object]]]:
    """The placeholders the example reads, each with how to make it: a path that must exist, and a
    path that means something only ever read (ALWAYS_READ)."""
    for value, param in bound(example.command, example.args[1:]):
        kind = getattr(param, "type", None)
        found = meaning(world, value)
        must_exist = isinstance(kind, click.Path) and kind.exists
        form_file = getattr(param, "name", "") == "form_spec" and value.endswith(".toml")
        read = found is not None and found[0] in ALWAYS_READ and isinstance(kind, click.Path) or form_file
        if found and found[0] == "报送工作文件夹" and example.args[0] == "init":
            continue  # the folder init makes
        if must_exist or read:
            assert found, f"{example.where}: “{value}” in “{example.text}” means nothing known; add it to meaning()"
            yield value, found[1]


# --- running --------------------------------------------------------------------------------------


def run_cli(cwd: Path, args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "BROWSER": "true", **(env or {})}
    return subprocess.run([sys.executable, "-m", "xltool", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=600)  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(world: World, args: list[str], given: dict[str, str]) -> tuple[int, str]:
    """A command that serves until stopped (it takes --port): started on a free port with the
    example's environment and no terminal to prompt on, stopped once it listens."""
    port = str(free_port())
    args = (
        [*args, "--port", port]
        if "--port" not in args
        else [port if a == args[args.index("--port") + 1] else a for a in args]
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BROWSER": "true", "PYTHONUNBUFFERED": "1", **given}
    proc = subprocess.Popen([sys.executable, "-m", "xltool", *args], cwd=world.root, env=env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", int(port))) == 0:
                    break
            time.sleep(0.2)
        running = proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    return (0 if running else proc.returncode), out + err


def _any_login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=auth_data.password == SECRET.encode(), handled=False)


def send_mail(world: World, example: Example) -> tuple[int, str]:
    """The example against a real SMTP server on 127.0.0.1, which must receive what it sends."""
    handler = Collector()
    controller = start_smtp(handler, authenticator=_any_login, auth_require_tls=False)
    args = example.args
    args[args.index(SENDS_MAIL) + 1] = "127.0.0.1"
    args += ["--smtp-port", str(handler.port), "--tls", "none"]
    try:
        done = run_cli(world.root, args, {name: SECRET for name, _ in example.env})
    finally:
        controller.stop()
    assert handler.received, done.stdout + done.stderr  # the campaign's pending replies went out
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    done = run_cli(out.parent, ["demo", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.where} {e.text}" for e in EXAMPLES])
def test_the_example_runs(example: Example, demo: Path, tmp_path: Path) -> None:
    args = example.args
    form = args[args.index("--form") + 1] if "--form" in args else ""
    world = World(tmp_path, demo, form if form.endswith(".toml") else "")
    if any(NEEDS_MAIL_SERVER.fullmatch(a) for a in args):
        with example.command.make_context(args[0], args[1:]) as ctx:  # a usage error raises here
            assert ctx.params
        return
    for name, make in inputs(example, world):
        world.place(name, make)
    if any(p.name == "port" for p in example.command.params):
        code, output = serve(world, args, dict(example.env))
    elif SENDS_MAIL in args:
        code, output = send_mail(world, example)
    else:
        done = run_cli(tmp_path, args, dict(example.env))
        code, output = done.returncode, done.stdout + done.stderr
    assert "Traceback" not in output and "程序内部错误" not in output, output
    expected = 1 if example.text in FINDS_PROBLEMS else 0
    assert code == expected, f"{example.where}: {example.text}\n{output[-3000:]}"


def test_the_readme_gives_each_speed_figure_once() -> None:
    """The English summary quotes the figures of the 速度 table (one `make bench` run), not others."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## 速度")[1].split("\n## ")[0]
    measured = {float(x) for x in re.findall(r"(\d+(?:\.\d+)?) 秒", table)}
    quoted = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?) s\b", text.split("## English")[1])]
    assert quoted and all(any(abs(q - m) < 0.15 or round(m) == q for m in measured) for q in quoted), quoted
