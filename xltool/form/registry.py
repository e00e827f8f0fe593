"""Where form definitions live and how ``--form`` names one.

The shipped definitions are the folders of ``workbook_templates/`` that hold a ``form.toml``.
``--form`` takes a path (a form.toml file, or a folder holding one) or a shipped form's id or folder
name; without it every command uses the annual report.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from xltool.errors import FormDefinitionError

FORMS_DIR = Path(__file__).resolve().parents[2] / "workbook_templates"
DEFAULT_FORM = "annual_report_2021"
FORM_FILE = "form.toml"


@dataclass(frozen=True)
class FormEntry:
    """A shipped definition as ``xltool forms`` lists it."""

    id: str
    version: str
    name: str
    path: Path
    default: bool = False

    def to_dict(self) -> dict[str, str | bool]:
        return {
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "path": str(self.path),
            "default": self.default,
        }


def default_form_path() -> Path:
    return FORMS_DIR / DEFAULT_FORM / FORM_FILE


@cache
def shipped_forms() -> tuple[FormEntry, ...]:
    """Every shipped definition whose [form] header can be read (a broken one is left out)."""
    out = []
    for path in sorted(FORMS_DIR.glob(f"*/{FORM_FILE}")):
        try:
            head = tomllib.loads(path.read_text(encoding="utf-8")).get("form", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        out.append(
            FormEntry(
                str(head.get("id", path.parent.name)),
                str(head.get("version", "")),
                str(head.get("name", "")),
                path,
                path == default_form_path(),
            )
        )
    return tuple(out)


def resolve_form(spec: str | Path | None) -> Path:
    """The form.toml that ``--form`` names: a path, a shipped form's id or its folder name."""
    if spec is None or str(spec).strip() == "":
        return default_form_path()
    path = Path(spec)
    if path.is_dir() and (path / FORM_FILE).is_file():
        return path / FORM_FILE
    if path.is_file():
        return path
    for entry in shipped_forms():
        if str(spec) in (entry.id, entry.path.parent.name):
            return entry.path
    known = "、".join(f"{e.id}（{e.name}）" for e in shipped_forms())
    raise FormDefinitionError(
        f"找不到表单定义“{spec}”：既不是文件或文件夹，也不是自带表单的编号。自带的表单有：{known}"
    )
