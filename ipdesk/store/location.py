"""Where a database file lives: a network share needs a different journal mode (SQLite's WAL needs shared memory
that network file systems do not provide)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

NETWORK_FILESYSTEMS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "afs",
    "ceph",
    "glusterfs",
    "fuse.sshfs",
    "fuse.davfs",
    "davfs",
    "fuse.rclone",
}


def is_network_path(path: Path) -> bool:
    """True when ``path`` is on a network share (a UNC path or mapped drive on Windows, NFS/SMB/… elsewhere)."""
    text = str(path)
    if sys.platform == "win32":
        if text.startswith(("\\\\", "//")):
            return True
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive:
            DRIVE_REMOTE = 4
            return ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE
        return False
    return mount_type(Path(path)) in NETWORK_FILESYSTEMS


def mount_type(path: Path, mounts: str | None = None) -> str:
    """The file-system type of the mount holding ``path`` (from /proc/mounts), or "" when unknown."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    resolved = str(Path(path).resolve(strict=False))
    best, kind = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind
