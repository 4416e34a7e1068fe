"""Errors the user is shown. Each carries a message in Chinese that says what is wrong and what to do."""

from __future__ import annotations

import errno


class IpdeskError(Exception):
    """Base of every error meant for the user; ``str(error)`` is the Chinese message."""


class InvalidInput(IpdeskError, ValueError):
    """A value typed or passed in that cannot be accepted; nothing was changed."""


class UnitNotFound(IpdeskError, LookupError):
    def __init__(self, query: str, suggestions: list[str]):
        self.query = query
        self.suggestions = suggestions
        hint = "；相近的单位：" + "、".join(suggestions) if suggestions else "；用 ipdesk units 查看全部单位"
        super().__init__(f"找不到单位“{query}”{hint}")


class AmbiguousUnit(IpdeskError, LookupError):
    def __init__(self, query: str, matches: list[str]):
        self.query = query
        self.matches = matches
        super().__init__(f"“{query}”对应多个单位，请写得更完整：" + "、".join(matches))


class DatabaseError(IpdeskError):
    """The database file cannot be used; the file was left as it was."""


class NotAnIpdeskDatabase(DatabaseError):
    pass


class DatabaseTooNew(DatabaseError):
    pass


class CorruptDatabase(DatabaseError):
    pass


class BadDatabasePath(DatabaseError):
    pass


class WorkspaceInUse(DatabaseError):
    """Another copy of ipdesk has the database open for writing."""


class LinkedDatabase(WorkspaceInUse):
    """The database file has more than one name (hard links): two programs could write it without knowing of each
    other, which SQLite lists as a cause of corruption. Like a database in use, it may be opened read-only."""


class StorageError(IpdeskError):
    """A change could not be written (disk full, a failing disk or network share): nothing was changed, and the
    same change may be tried again once the cause is gone."""


# What the operating system's error numbers mean, said the way a clerk understands them.
_OS_ERRORS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有操作权限",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "超出了磁盘配额",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一级不是文件夹",
    errno.EEXIST: "同名文件已存在",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EIO: "读写磁盘时出错（磁盘、U 盘或网络盘可能有故障）",
    errno.EINVAL: "文件名或路径不合法",
    errno.EMFILE: "同时打开的文件太多",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.ETIMEDOUT: "网络连接超时",
    errno.EHOSTUNREACH: "无法连接到网络上的电脑",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.EPIPE: "接收输出的程序已关闭",
}
# Windows reports some errors only by its own numbers (winerror).
_WINDOWS_ERRORS = {
    2: "文件不存在",
    3: "文件夹不存在",
    5: "没有访问权限",
    19: "磁盘有写保护",
    21: "磁盘或 U 盘没有准备好",
    32: "文件正被其他程序（如 Excel、WPS）打开，请关闭后重试",
    33: "文件的一部分被其他程序锁定",
    53: "找不到网络路径",
    112: "磁盘空间已满",
    123: "文件名、文件夹名或卷标语法不正确",
    206: "文件名或路径太长",
    1920: "文件无法被访问",
}


def os_error_text(error: OSError) -> str:
    """What went wrong, in Chinese: "磁盘空间已满", never the operating system's English "No space left on device"."""
    winerror = getattr(error, "winerror", None)
    if winerror in _WINDOWS_ERRORS:
        return _WINDOWS_ERRORS[winerror]
    if error.errno in _OS_ERRORS:
        return _OS_ERRORS[error.errno]
    if isinstance(error, FileNotFoundError):
        return "文件或文件夹不存在"
    if isinstance(error, PermissionError):
        return "没有访问权限"
    detail = error.strerror or str(error) or type(error).__name__
    return f"操作系统报告错误（{detail}）"
