"""The ``ipdesk`` command: the window by default, sub-commands for scripted work.

Every sub-command prints a readable Chinese table, or with ``--json`` a stable JSON structure for scripts.
User errors (an unknown unit, a file that is not an ipdesk database …) print a message in Chinese to stderr and
exit with status 2; nothing is changed.

One module per group of commands, each adding its own to the parser (``register``): ``plans`` (ipdesk plan …),
``lists`` (units, tasks, indicators), ``reports`` (export, submit, demo), ``signing`` (sign, revise, verify, keys),
``database`` (backup, restore, audit), ``exchange`` (city …, trust …, feedback import); ``common`` holds what they
share. They reach the data only through the ``Workspace`` facade.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from ipdesk import __version__, collector
from ipdesk.cli.common import EXIT_USAGE, Parser, backup_advice, install_chinese_argparse, prepare_output

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    from ipdesk.cli import database, exchange, lists, plans, reports, signing

    parser = _window_parser(Parser, add_help=True)
    commands = parser.add_subparsers(dest="command", metavar="子命令", parser_class=Parser)

    def command(name: str, summary: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument("--json", action="store_true", help="以 JSON 输出，供脚本使用")
        sub.set_defaults(handler=handler)
        return sub

    # In the order ``ipdesk --help`` lists them.
    plans.register(command)
    lists.register(command)
    reports.register(command)
    signing.register(command)
    database.register(command)
    reports.register_demo(command)
    exchange.register(command, commands)
    return parser


def _window_parser(kind: type[Parser], add_help: bool) -> Parser:
    """The parser of ``ipdesk`` itself: its description and the options of the window (the commands are added by
    ``build_parser``)."""
    install_chinese_argparse()
    parser = kind(
        prog="ipdesk",
        add_help=add_help,
        description="ipdesk：知识产权强市建设示范城市工作方案的填报、审核与汇总（离线桌面程序）。"
        "不带子命令运行时打开程序窗口；下列子命令供脚本和批量工作使用。",
        epilog="示例：ipdesk tasks --unit 碑林区 --role lead",
    )
    parser.add_argument("--version", action="version", version=f"ipdesk {__version__}")
    parser.add_argument("--db", metavar="路径", type=Path, help="工作数据库文件（默认：用户数据目录下的 ipdesk.db）")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="打开程序窗口后立即关闭，输出“shown in N ms”（用于检查安装和启动速度）",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="文件",
        help="与 --smoke-test 一起使用：把显示出来的程序窗口保存为 PNG 图片",
    )
    return parser


class _NotTheWindow(Exception):
    """The command line is not one the window's own parser settles alone."""


class _WindowParser(Parser):
    def error(self, message: str) -> NoReturn:
        raise _NotTheWindow(message)


def _window_arguments(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options when the command line asks for the window (no command, no help), else None.

    Building every command's parser costs the window's start some 50 ms (the commands' modules, some hundred
    options): a command line with nothing but the window's options is read by the parser of those alone. Anything
    else — a command, ``--help``, a mistake — goes to the whole parser, which answers it as it always has. Both
    parsers share the window's options (``_window_parser``), so they read them alike.
    """
    try:  # without --help: asking for help (or a word that might abbreviate it) is left to the whole parser
        args, rest = _window_parser(_WindowParser, add_help=False).parse_known_args(argv)
    except _NotTheWindow:
        return None
    if rest:
        return None
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    if argv is not None:  # a test or a script calling main: its collector is its own
        return _main(argv, started)
    collector.pause()  # the program itself: until the window is shown or the command's work begins
    try:
        return _main(argv, started)
    finally:
        collector.finish()


def _main(argv: Sequence[str] | None, started: float) -> int:
    _prepare_streams()
    args = _window_arguments(argv)
    if args is None:
        args = build_parser().parse_args(argv)
    if not getattr(args, "command", None):
        if args.screenshot is not None and not args.smoke_test:
            build_parser().error("--screenshot 需要与 --smoke-test 一起使用")
        # The window's Qt-free code first: once PySide6 is loaded it reads the source of each module imported after
        # it (looking for ``from __feature__ import``), which costs the start some tens of milliseconds.
        import ipdesk.workspace  # noqa: F401
        from ipdesk.ui.app import run

        return run(args.db, smoke_test=args.smoke_test, started=started, screenshot=args.screenshot)
    import sqlite3
    import sys

    from ipdesk.domain.errors import CorruptDatabase, IpdeskError
    from ipdesk.workspace.errors import user_message

    if not getattr(args, "short", False):  # a command that makes little garbage keeps the collector paused
        collector.resume()
    try:
        prepare_output(args)
        result: int = args.handler(args)
        return result
    except CorruptDatabase as error:
        print(f"ipdesk：错误：{error}{backup_advice(args.db)}", file=sys.stderr)
        return EXIT_USAGE
    except IpdeskError as error:
        print(f"ipdesk：错误：{error}", file=sys.stderr)
        return EXIT_USAGE
    except (sqlite3.Error, OSError) as error:  # what the store did not foresee still reaches the user in Chinese
        print(f"ipdesk：错误：{user_message(error)}", file=sys.stderr)
        return EXIT_USAGE


def _prepare_streams() -> None:
    import sys

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
