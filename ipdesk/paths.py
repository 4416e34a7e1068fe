"""Where ipdesk finds its own files (the embedded plans, fonts, migrations) and where it keeps the user's data.

In a source checkout ``resources/`` and ``db/`` sit beside the package; an installed wheel carries them inside it
(``ipdesk/resources``, ``ipdesk/db``), and a frozen bundle under ``sys._MEIPASS``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "ipdesk"
APP_AUTHOR = "ipdesk"
DATABASE_FILE = "ipdesk.db"


def _data_dir(name: str) -> Path:
    package = Path(__file__).resolve().parent
    candidates = [package / name, package.parent / name]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / "ipdesk" / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ipdesk 的程序文件不完整：找不到 {name} 目录（查找了 {', '.join(map(str, candidates))}）")


def resources_dir() -> Path:
    return _data_dir("resources")


def migrations_dir() -> Path:
    return _data_dir("db") / "migrations"


def user_data_dir() -> Path:
    """The per-user folder for the database, evidence files and keys (the README's 用户数据目录): local, not roaming —
    ``%LOCALAPPDATA%\\ipdesk\\ipdesk`` on Windows, ``$XDG_DATA_HOME/ipdesk`` on Linux; ``IPDESK_HOME`` overrides it."""
    override = os.environ.get("IPDESK_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, APP_AUTHOR, roaming=False)


def user_cache_dir() -> Path:
    """The per-user folder for caches that can be thrown away (the parsed fonts):
    ``%LOCALAPPDATA%\\ipdesk\\ipdesk\\Cache`` on Windows, ``$XDG_CACHE_HOME/ipdesk`` (``~/.cache/ipdesk``) on Linux."""
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, APP_AUTHOR)


def default_database_path() -> Path:
    return user_data_dir() / DATABASE_FILE
