"""Words a clerk reads, kept Chinese and whole: why a file failed (never an English exception text)
and text cut to a length (always with "…", never silently)."""

from __future__ import annotations

import zipfile
import zlib
from xml.etree.ElementTree import ParseError

ELLIPSIS = "…"

# Checked in order: a subclass before its base (UnicodeDecodeError is a ValueError).
_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (zipfile.BadZipFile, "文件结构已损坏，不是完整的 Excel/Word 文件"),
    (zipfile.LargeZipFile, "文件结构超出允许的大小"),
    (zlib.error, "压缩的数据已损坏"),
    (EOFError, "文件在中途截断，不完整"),
    (UnicodeError, "文字编码无法识别"),
    (ParseError, "文件内部的 XML 内容已损坏"),
    (MemoryError, "内容过大，内存不足"),
    (RecursionError, "内容嵌套过深"),
    (KeyError, "缺少必要的组成部分"),
    (NotImplementedError, "使用了不支持的压缩或加密方式"),
    (PermissionError, "没有读取权限"),
    (FileNotFoundError, "文件不存在或已被移走"),
    (OSError, "读取文件时出错"),
    (ValueError, "内容不符合文件格式"),
    (TypeError, "内容不符合文件格式"),
)


def describe_error(err: BaseException) -> str:
    """Why ``err`` happened, in Chinese. An exception nobody foresaw keeps its type name (for the
    support staff the message asks to contact), marked as a technical code."""
    for kind, reason in _REASONS:
        if isinstance(err, kind):
            return reason
    return f"未预料的内部错误，技术代码 {type(err).__name__}"


def clip(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters; a cut one ends in "…" so nobody reads half a
    sentence as the whole."""
    if limit < 1:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def internal_error(err: BaseException) -> str:
    """An xltool bug met on one file (H0): the type is what support staff need, said as a code."""
    return f"技术代码 {type(err).__name__}"
