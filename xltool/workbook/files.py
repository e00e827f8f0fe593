"""Which files of the folders given are returns to read: every spreadsheet-like file, never an
office lock file, a hidden file or a file xltool wrote itself (annotated copies, problem lists).

Below every reader (verify, the cross-year checks, the import of last year's reports, the campaign),
so that none of them asks another for the files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

OWN_OUTPUTS = ("_问题标注.xlsx", "问题清单.xlsx", "问题清单.csv")  # annotated copies and problem lists (xltool verify)
CANDIDATE_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv"}


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and inside folders (recursively) every spreadsheet-like file."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and _is_candidate(f))
        else:
            out.append(p)
    return list(dict.fromkeys(out))


# What a file that is no spreadsheet probably is, by its extension (for the list of skipped files).
KIND_BY_SUFFIX = {
    ".doc": "Word 文档", ".docx": "Word 文档", ".wps": "WPS 文字文档", ".pdf": "PDF 文件",
    ".txt": "文本文件", ".html": "网页", ".htm": "网页", ".eml": "邮件", ".msg": "邮件",
    ".zip": "压缩包", ".rar": "压缩包", ".7z": "压缩包",
    ".jpg": "图片", ".jpeg": "图片", ".png": "图片", ".gif": "图片", ".bmp": "图片", ".tif": "图片",
    ".ppt": "演示文稿", ".pptx": "演示文稿", ".dps": "演示文稿", ".ofd": "OFD 版式文件",
}  # fmt: skip


def skipped_files(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Files inside the folders given that verify passes over, each with what it seems to be; office
    lock files, hidden files and xltool's own outputs are not worth a mention."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                hidden = f.name.startswith(("~$", ".~lock", ".")) or f.name.endswith(OWN_OUTPUTS)
                if f.is_file() and not hidden and not _is_candidate(f):
                    out.append((f, KIND_BY_SUFFIX.get(f.suffix.lower(), "不是表格文件")))
    return out


def _is_candidate(f: Path) -> bool:
    """A spreadsheet someone sent, not an office lock file or a file xltool wrote itself."""
    own = f.name.endswith(OWN_OUTPUTS)
    return f.suffix.lower() in CANDIDATE_SUFFIXES and not f.name.startswith(("~$", ".~lock", ".")) and not own
