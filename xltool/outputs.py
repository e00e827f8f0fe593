"""Every file xltool writes goes through here: atomic, exclusive unless replacing is asked for, never
over an input, and a failure is one Chinese line that names the path and leaves no partial file.

The content is written to a temporary file in the target's folder, then put in place: by a hard link
when the target must not exist yet (two runs cannot both claim it; the link fails if it does), by a
rename when replacing. A kill at any moment leaves either no target or a complete one.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from xltool.errors import XltoolError


class OutputExists(XltoolError):
    """The target exists and replacing it was not asked for."""


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (hard links and symlinks count), False when either is absent."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_inputs(out: Path, inputs: Iterable[Path], what: str = "被校验的报表") -> None:
    """An output never replaces a file xltool reads (a return, last year's return, the roster)."""
    for path in inputs:
        if same_file(out, path) or Path(out).resolve() == Path(path).resolve():
            raise XltoolError(f"输出文件不能写到{what}上：{out}（与 {path} 是同一个文件）。请换一个文件名。")


def write_output(out: Path, write: Callable[[Path], object], *, replace: bool = False) -> Path:
    """Write ``out`` with ``write(temporary_path)``, atomically; OutputExists when it exists and
    ``replace`` is False."""
    out = Path(out)
    if out.exists() or out.is_symlink():
        if not replace:
            raise OutputExists(f"文件已存在：{out}。如确需覆盖，请加 --force。")
        if out.is_symlink() or not out.is_file():
            raise XltoolError(f"不能覆盖：{out} 不是普通文件（可能是链接或文件夹）。")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp, mode = _new_temporary(out.parent, out.suffix)
    except OSError as err:
        raise XltoolError(f"无法写入 {out}：{_reason(err)}") from None
    try:
        write(tmp)
        # the mode the file was created with, in case the writer replaced it; on Windows chmod only
        # clears the read-only flag, which a mode with the owner's write bit leaves unset
        os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, out)
        else:
            _link_new(tmp, out)
    except OSError as err:
        raise XltoolError(f"无法写入 {out}：{_reason(err)}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _link_new(tmp: Path, out: Path) -> None:
    try:
        os.link(tmp, out)  # fails when out exists: exclusive, even against another run
    except FileExistsError:
        raise OutputExists(
            f"文件已存在：{out}（可能是另一个同时运行的程序刚写的）。如确需覆盖，请加 --force。"
        ) from None
    except OSError as err:
        if not _no_links(err):
            raise
        # a file system without links: claim the name, then put the content in place (the empty
        # placeholder's own mode does not last: the temporary with its umask-given mode replaces it)
        fd = os.open(out, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        os.close(fd)
        os.replace(tmp, out)


def _new_temporary(folder: Path, suffix: str) -> tuple[Path, int]:
    """A new empty hidden file in ``folder`` and its mode. It is created with 0o666, so the kernel
    applies the user's umask (0644 under 022, 0640 under 027) and a shared folder's default ACL,
    as for any file the user saves: colleagues can open it when the user's settings allow it, and
    not otherwise (mkstemp would make it 0600). Reading the umask instead (os.umask(0), then restore)
    would change it for the whole process for a moment, under every thread; this touches nothing."""
    for _ in range(100):
        path = folder / f".xltool-{secrets.token_hex(8)}{suffix}"
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            continue  # practically never: 64 random bits
        try:
            mode = os.fstat(fd).st_mode & 0o777
        finally:
            os.close(fd)
        return path, mode
    raise FileExistsError(errno.EEXIST, "没有可用的临时文件名", str(folder))


# Windows: ERROR_INVALID_FUNCTION (FAT/exFAT USB drives), ERROR_ACCESS_DENIED, ERROR_NOT_SAME_DEVICE,
# ERROR_NOT_SUPPORTED (network shares), ERROR_INVALID_PARAMETER, ERROR_TOO_MANY_LINKS
_NO_LINK_WINERRORS = frozenset({1, 5, 17, 50, 87, 1142})
_NO_LINK_ERRNOS = frozenset(
    {errno.EPERM, errno.EACCES, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.EINVAL, errno.ENOSYS}
)


def _no_links(err: OSError) -> bool:
    """The file system cannot hard-link (or refuses to): write the file without a link. A real
    permission problem then shows up in the fallback's own open/replace with its own reason."""
    winerror = getattr(err, "winerror", None)  # set on Windows only; errno is then a rough mapping
    return winerror in _NO_LINK_WINERRORS if winerror is not None else err.errno in _NO_LINK_ERRNOS


def _reason(err: OSError) -> str:
    reasons = {
        errno.ENOSPC: "磁盘已满",
        errno.EROFS: "磁盘或文件夹是只读的",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
        errno.EISDIR: "这是一个文件夹",
        errno.ENAMETOOLONG: "文件名太长",
    }
    return reasons.get(err.errno or 0, err.strerror or type(err).__name__)
