"""The versions held for the clerk's review (待核实) — a file sent from another unit's address, a
wrong unit's template, the same file from two units — each with what to do about it, for
``xltool status`` (text, .xlsx, .html, ``--json``'s ``needs_review``) and the console."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltool.campaign.register import Register, Submission


@dataclass(frozen=True)
class Review:
    unit: str
    version: int
    note: str  # why it is held
    current: bool  # counts for now (a unit's first version), marked 待核实 until confirmed
    sender: str
    file: str  # stored path, relative to the campaign folder
    command: str  # the exact command that lists the unit's versions

    def todo(self) -> str:
        """What the clerk does, in Chinese, with the exact commands."""
        use = f"{self.command} --use {self.version} --reason 已核实"
        void = f"{self.command} --void {self.version} --reason 误发"
        now = "暂按当前版本计入，" if self.current else "未计入，"
        return f"{now}请与单位核实：确认无误用 {use}；误发的用 {void}；是其他单位的用 --move {self.version} --to 单位。"

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "version": self.version,
            "note": self.note,
            "current": self.current,
            "sender": self.sender,
            "file": self.file,
            "command": self.command,
            "todo": self.todo(),
        }


def shell_word(text: str) -> str:
    """``text`` as one word of a command line: quoted only when the shell would split or read it
    (a Chinese name stays readable)."""
    return text if re.fullmatch(r"[^\s'\"\\$`;&|<>()*?!#~{}\[\]]+", text) else shlex.quote(text)


def needs_review(reg: Register, root: Path, versions: dict[int, list[Submission]] | None = None) -> list[Review]:
    """Every version held for review and not voided, in the roster's order (``versions``: the
    register's ``all_versions()`` when known)."""
    out = []
    versions = reg.all_versions() if versions is None else versions
    currents = reg.currents(versions)
    for unit in reg.units():
        current = currents.get(unit.id)
        for sub in versions.get(unit.id, []):
            if not sub.held or sub.voided:
                continue
            message, _ = reg.origin(sub)
            command = f"xltool versions {shell_word(str(root))} {shell_word(unit.name)}"
            is_current = current is not None and current.id == sub.id
            out.append(Review(unit.name, sub.version_no, sub.review, is_current, message.sender, sub.stored_path,
                              command))  # fmt: skip
    return out
