"""What any error means for the user, in Chinese: the one place the window's error handler and the command line ask."""

from __future__ import annotations

import sqlite3

from ipdesk.domain.errors import IpdeskError, os_error_text
from ipdesk.store.connection import is_damage, storage_error_text


def user_message(error: BaseException) -> str:
    """A sentence the clerk can act on; never an English traceback line."""
    if isinstance(error, IpdeskError):
        return str(error)
    if isinstance(error, sqlite3.Error):
        return storage_error_text(error)
    if isinstance(error, OSError):
        where = f"：{error.filename}" if getattr(error, "filename", None) else ""
        return f"{os_error_text(error)}{where}"
    if isinstance(error, MemoryError):
        return "电脑内存不足，操作没有完成。请关闭其他程序后重试。"
    return f"程序内部出错（{type(error).__name__}），操作没有完成。"


def is_damaged_database(error: BaseException) -> bool:
    """True when ``error`` means the workspace database is damaged (the window then offers the newest good backup)."""
    return is_damage(error)
