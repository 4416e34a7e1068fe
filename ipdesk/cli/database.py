"""``ipdesk backup``, ``ipdesk restore``, ``ipdesk audit verify``: keeping the workspace database safe."""

from __future__ import annotations

import argparse
from pathlib import Path

from ipdesk.cli.common import EXIT_OK, EXIT_REFUSED, Command, backup_advice, emit, open_workspace


def register(command: Command) -> None:
    backup = command("backup", "备份工作数据库（程序运行时也可以进行）；默认写入备份文件夹", cmd_backup)
    backup.add_argument(
        "--out", type=Path, metavar="文件", help="备份文件路径（默认：数据库旁 backups/数据库文件名/before/）"
    )
    restore = command("restore", "从备份恢复：先检查备份完好，被替换的数据库改名保留", cmd_restore)
    restore.add_argument("file", type=Path, metavar="备份文件", help="要恢复的备份文件")
    audit = command("audit", "修改记录：audit verify 检查审计链是否完整，报告第一处断开", cmd_audit)
    audit.add_argument("action", choices=["verify"], help="verify 检查审计链")


def cmd_backup(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        target = ws.backup_to(args.out) if args.out else ws.backup_before("manual")
        if target is None:
            from ipdesk.domain.errors import InvalidInput

            raise InvalidInput("内存中的工作区没有可备份的文件")
        data = {"file": str(target), "size": target.stat().st_size}
        return emit(args, data, lambda: f"已备份到：{target}")


def cmd_restore(args: argparse.Namespace) -> int:
    from ipdesk.paths import default_database_path
    from ipdesk.workspace import Workspace

    database = args.db or default_database_path()
    kept = Workspace.restore_unopened(database, args.file)
    data = {"database": str(database), "restored_from": str(args.file), "replaced_file": str(kept) if kept else None}
    lines = [f"已从 {args.file} 恢复 {database}"]
    if kept:
        lines.append(f"原来的数据库保留为：{kept}")
    return emit(args, data, lambda: "\n".join(lines))


def cmd_audit(args: argparse.Namespace) -> int:
    from ipdesk.domain.errors import CorruptDatabase

    try:
        ws = open_workspace(args)
    except CorruptDatabase as error:  # damage found on opening is the answer to "is it intact?"
        problem = str(error)
        data: dict[str, object] = {
            "entries": None,
            "intact": None,
            "first_broken_entry": None,
            "database_ok": False,
            "integrity": problem,
        }
        emit(args, data, lambda: f"数据库完整性检查未通过：{problem}{backup_advice(args.db)}")
        return EXIT_REFUSED
    with ws:
        integrity = ws.integrity_full()  # SQLite's own check first: a chain read from a damaged file proves nothing
        broken: int | None
        count: int | None
        try:
            broken = ws.audit.verify()
            count = len(ws.audit.entries())
        except CorruptDatabase:
            broken, count = None, None
        database_ok = integrity == "ok"
        intact = broken is None and count is not None
        data = {
            "entries": count,
            "intact": intact if count is not None else None,
            "first_broken_entry": broken,
            "database_ok": database_ok,
            "integrity": integrity,
        }
        lines = []
        if database_ok:
            lines.append("数据库完整性检查通过（SQLite integrity_check）")
        else:
            lines.append(f"数据库完整性检查未通过：{integrity}{backup_advice(args.db)}")
        if count is None:
            lines.append("审计链无法读取：数据库已损坏")
        elif broken is None:
            lines.append(f"审计链完整：共 {count} 条修改记录")
        else:
            lines.append(f"审计链在第 {broken} 条记录处断开：该条或之前的记录被改动或删除过")
        emit(args, data, lambda: "\n".join(lines))
        return EXIT_OK if database_ok and intact else EXIT_REFUSED
