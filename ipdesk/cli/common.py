"""What every ``ipdesk`` sub-command shares: the Chinese argument parser, the value parsers (year, date), opening the
workspace (read-only when another ipdesk writes it and the command only reads), the passphrase and reviewer asked
for, output folders, and printing a table or ``--json``.

The commands reach the data only through the ``Workspace`` facade (tests/test_layering.py holds them to it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from ipdesk.domain.periods import Period
    from ipdesk.workspace import Workspace

EXIT_OK = 0
EXIT_REFUSED = 1  # something was looked at and found wanting (a file refused, a check failed, nothing saved)
EXIT_USAGE = 2

# How a command is added to the parser: its name, one-line summary and handler; it gets ``--json``.
Command = Callable[[str, str, Callable[[argparse.Namespace], int]], argparse.ArgumentParser]

_ARGPARSE_CHINESE = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def install_chinese_argparse() -> None:
    """argparse takes its messages through gettext; give it Chinese ones so bad input is explained in Chinese.

    Once per process; each other message is looked up in gettext's catalogues once (a search of the disk that
    building the parser would otherwise repeat for every option of every command)."""
    if getattr(argparse._, "ipdesk_chinese", False):  # type: ignore[attr-defined]
        return
    english = argparse._  # type: ignore[attr-defined]

    @functools.cache
    def chinese(message: str) -> str:
        return _ARGPARSE_CHINESE.get(message) or english(message)

    chinese.ipdesk_chinese = True  # type: ignore[attr-defined]
    argparse._ = chinese  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are said in Chinese and exit with status 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：错误：{message}\n")


# -- values given on the command line -----------------------------------------------------------------------------
def year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"年份应为四位数字，如 2025，而不是“{text}”") from None
    if not 1900 <= value <= 9999:
        raise argparse.ArgumentTypeError(f"年份不合理：{value}")
    return value


def date(text: str) -> dt.date:
    """A day written as ISO 8601 (2025-10-03); spaces around it do not matter."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 2025-10-03 这样，而不是“{text}”") from None


# -- the workspace ------------------------------------------------------------------------------------------------
READ_ONLY_COMMANDS = frozenset(
    {"plan", "units", "tasks", "show", "indicators", "verify", "keys", "backup", "audit", "todo"}
)
READ_ONLY_STEPS = frozenset(
    {("city", "status"), ("city", "show"), ("city", "remind"), ("city", "report"), ("trust", "list")}
)


def open_workspace(args: argparse.Namespace) -> Workspace:
    """The workspace; commands that only read fall back to read-only when another ipdesk is writing it.

    Backing up and checking only read the database: they run beside an open window too.
    """
    from ipdesk.domain.errors import WorkspaceInUse
    from ipdesk.workspace import Workspace

    try:
        return Workspace(args.db)
    except WorkspaceInUse:
        step = getattr(args, "city_command", None) or getattr(args, "action", None)
        if (args.command in READ_ONLY_COMMANDS and not (args.command == "keys" and step in ("import", "create"))) or (
            args.command,
            step,
        ) in READ_ONLY_STEPS:
            return Workspace(args.db, read_only=True)
        raise


def plan_period(ws: Workspace, text: str) -> Period:
    """The --period given, checked against the plan's span (the same rule as in the window)."""
    return ws.plan_period(text)


def backup_advice(db: Path | None) -> str:
    """Where the newest good backup of a damaged database is, and the command that restores it."""
    from ipdesk.paths import default_database_path
    from ipdesk.workspace import Workspace

    database = db or default_database_path()
    try:
        newest = Workspace.newest_good_backup(database)
    except OSError:
        newest = None
    if newest is None:
        return "\n没有找到完好的备份（备份在数据库旁的 backups 文件夹中）。请不要再使用这个文件，并联系技术支持。"
    option = f'--db "{database}" ' if db else ""
    return (
        f"\n最近一份完好的备份：{newest.path}（{newest.made_at:%Y-%m-%d %H:%M}）。"
        f'\n恢复（损坏的文件会改名保留）：ipdesk {option}restore "{newest.path}"'
    )


# -- what is asked for at the terminal ----------------------------------------------------------------------------
def passphrase(args: argparse.Namespace, creating: bool) -> str:
    """The signing passphrase: the first line of ``--passphrase-file``, else typed (twice when a key is made)."""
    from ipdesk.domain.errors import InvalidInput, os_error_text

    if args.passphrase_file:
        try:
            lines = args.passphrase_file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise InvalidInput(f"无法读取口令文件：{args.passphrase_file}（{os_error_text(error)}）") from error
        if not lines or not lines[0]:
            raise InvalidInput(f"口令文件是空的：{args.passphrase_file}")
        return lines[0]
    if not sys.stdin.isatty():
        raise InvalidInput("没有终端可输入口令：请用 --passphrase-file 指定口令文件")
    import getpass

    first = getpass.getpass("审核人签署口令：")
    if creating and getpass.getpass("再输入一次（创建签署密钥）：") != first:
        raise InvalidInput("两次输入的口令不一致，未签署")
    return first


def reviewer(args: argparse.Namespace, ws: Workspace) -> str:
    """The reviewer who signs: --reviewer, else the one in 设置, else asked for at the terminal."""
    from ipdesk.domain.reports import person_name

    if args.reviewer:
        return person_name(args.reviewer)
    configured = ws.settings.get(ws.settings.REVIEWER_NAME)
    if configured:
        return person_name(configured)
    if not sys.stdin.isatty():
        return person_name("")  # says what to do: --reviewer or 设置
    return person_name(input("审核人姓名："))


# -- output -------------------------------------------------------------------------------------------------------
# Where each command writes with --out: a folder (export) or a file (keys export-cert, backup) whose folder is made.
OUTPUT_IS_FOLDER = {"export": True, "keys": False, "backup": False}


def prepare_output(args: argparse.Namespace) -> None:
    """Create the folder ``--out`` names (or the folder of the file it names) when it does not exist yet."""
    out = getattr(args, "out", None)
    if out is not None and args.command in OUTPUT_IS_FOLDER:
        folder(out if OUTPUT_IS_FOLDER[args.command] else out.parent)


def folder(path: Path) -> Path:
    """An output folder, created when it does not exist yet."""
    from ipdesk.domain.errors import InvalidInput, os_error_text

    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"无法创建文件夹“{path}”：{os_error_text(error)}") from error
    if not path.is_dir():
        raise InvalidInput(f"“{path}”不是文件夹")
    return path


def emit(args: argparse.Namespace, data: object, table: Callable[[], str]) -> int:
    """Print ``data`` as JSON (``--json``) or the readable table; the command succeeded."""
    if args.json:
        text = json.dumps(data, ensure_ascii=False, indent=2)
        try:
            text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            # a pipe on an English Windows is code page 1252: the same JSON with \uXXXX escapes, never "?"
            text = json.dumps(data, ensure_ascii=True, indent=2)
        print(text)
    else:
        print(table())
    return EXIT_OK


def number(value: float | None) -> float | int | None:
    """A figure for JSON: whole numbers as integers, others to four places."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 4)
