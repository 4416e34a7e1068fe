"""Evidence files (佐证材料): copied into the workspace's evidence folder and kept by SHA-256.

The same file attached twice, or to several tasks, is stored once. A copy is written under a temporary name, its
hash checked, and only then renamed into place, so a full disk or a pulled USB stick never leaves a half file that
looks complete.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ipdesk.domain.errors import InvalidInput, os_error_text
from ipdesk.domain.periods import Period
from ipdesk.store import audit
from ipdesk.store.entries_store import ensure_period

if TYPE_CHECKING:
    from ipdesk.store.database import LazyDatabase as Database

MAX_EVIDENCE_BYTES = 200 * 1024 * 1024
_CHUNK = 1024 * 1024
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in [*"123456789", *"¹²³"])}


@functools.cache  # compiled when first needed, not when the program starts
def _unsafe() -> re.Pattern[str]:
    return re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class Evidence:
    """An evidence file kept for a task and period: its content hash, name, size, and who added it when."""

    id: int
    sha256: str
    file_name: str
    size: int
    added_at: str
    added_by: str


def safe_file_name(name: str) -> str:
    """The name as shown and exported: no folders, no characters Windows refuses, at most 120 characters."""
    base = _unsafe().sub("_", Path(str(name).replace("\\", "/")).name).strip(" .") or "佐证材料"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    # Windows takes a device name followed by any extension (NUL.tar.gz) or by spaces (CON .txt) as the device
    if base.split(".")[0].rstrip(" ").upper() in _RESERVED:
        stem = f"_{stem}"
    ext = ext[:16]
    stem = stem[: 120 - len(ext) - 1] if ext else stem[:120]
    return f"{stem}.{ext}" if ext else stem


def stored_path(folder: Path, sha256: str, extension: str) -> Path:
    return folder / sha256[:2] / f"{sha256}{extension}"


def copy_in(folder: Path, source: Path) -> tuple[str, int, str]:
    """Copy ``source`` into ``folder`` by content hash; returns (sha256, size, extension)."""
    try:
        size = source.stat().st_size
    except OSError as error:
        raise InvalidInput(f"无法读取文件“{source}”：{os_error_text(error)}") from error
    if not source.is_file():
        raise InvalidInput(f"“{source}”不是文件")
    if size > MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            f"文件“{source.name}”太大（{size / 1024 / 1024:.0f} MB），佐证材料每个不能超过 "
            f"{MAX_EVIDENCE_BYTES // 1024 // 1024} MB"
        )
    extension = Path(safe_file_name(source.name)).suffix.lower()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    import hashlib  # when a file is first added (see audit._digest)

    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as src:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        target = stored_path(folder, sha, extension)
        if target.exists():
            os.unlink(temp_name)
        else:
            target.parent.mkdir(exist_ok=True)
            os.replace(temp_name, target)
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        raise InvalidInput(f"无法把“{source.name}”复制到工作目录：{os_error_text(error)}") from error
    return sha, size, extension


def store_bytes(folder: Path, sha: str, data: bytes, extension: str) -> Path:
    """Keep ``data`` (already checked to hash to ``sha``) in ``folder`` by content hash; written to a temporary name
    and renamed, so a full disk never leaves a half file under a real name."""
    target = stored_path(folder, sha, extension)
    if target.is_file() and target.stat().st_size == len(data):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise InvalidInput(f"无法保存佐证材料到工作目录：{os_error_text(error)}") from error
    return target


def attach(
    db: Database,
    unit_id: int,
    task_id: int,
    period: Period,
    sha: str,
    size: int,
    extension: str,
    file_name: str,
    entity_key: str,
    actor: str,
) -> bool:
    """Record that ``sha`` is evidence for the task; False when it already was."""
    with db.atomic():
        now = audit.now()
        db.execute(
            "INSERT OR IGNORE INTO attachment (sha256, size, extension, added_at) VALUES (?, ?, ?, ?)",
            [sha, size, extension, now],
        )
        ensure_period(db, period)
        cursor = db.execute(
            "INSERT OR IGNORE INTO progress_attachment"
            " (unit_id, period, task_id, sha256, file_name, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [unit_id, period.code, task_id, sha, file_name, now, actor],
        )
        if cursor.rowcount == 0:
            return False
        audit.record(db, actor, "insert", "evidence", entity_key, [(sha, None, file_name)])
        return True


def detach(db: Database, evidence_id: int, entity_key: str, actor: str) -> Evidence | None:
    with db.atomic():
        found = [e for e in _select(db, "pa.id = ?", [evidence_id])]
        if not found:
            return None
        db.execute("DELETE FROM progress_attachment WHERE id = ?", [evidence_id])
        audit.record(db, actor, "delete", "evidence", entity_key, [(found[0].sha256, found[0].file_name, None)])
        return found[0]


def extension_of(db: Database, sha: str) -> str:
    row = db.execute("SELECT extension FROM attachment WHERE sha256 = ?", [sha]).fetchone()
    return row[0] if row else ""


def for_task(db: Database, unit_id: int, task_id: int, period: str) -> list[Evidence]:
    return _select(db, "pa.unit_id = ? AND pa.task_id = ? AND pa.period = ?", [unit_id, task_id, period])


def counts_for_unit(db: Database, unit_id: int, period: str) -> dict[int, int]:
    """Number of evidence files per task id for a unit's period."""
    rows = db.execute(
        "SELECT task_id, count(*) FROM progress_attachment WHERE unit_id = ? AND period = ? GROUP BY task_id",
        [unit_id, period],
    ).fetchall()
    return dict(rows)


def _select(db: Database, where: str, params: list[object]) -> list[Evidence]:
    rows = db.execute(
        "SELECT pa.id, pa.sha256, pa.file_name, a.size, pa.added_at, pa.added_by FROM progress_attachment pa"
        f" JOIN attachment a ON a.sha256 = pa.sha256 WHERE {where} ORDER BY pa.id",
        params,
    ).fetchall()
    return [Evidence(*row) for row in rows]
