"""The evidence package (佐证材料包): the evidence files of a signed return, in a zip beside it.

The signed return lists every evidence file of every task by name, size and SHA-256 (``docs/return-format.md``);
the package carries the files themselves. Where each file lies in the package follows from that signed list alone
(``package_paths``), so the receiving office checks the package against what was signed without trusting anything
the package says about itself: a file at its place with another hash is altered, a place left empty is a missing
file, anything else in the package is an extra file. The package is specified in ``docs/evidence-package.md``.

Names are safe for Windows: each task's files lie in a folder ``第17项``; a file keeps its original name with the
characters Windows refuses replaced and the reserved device names (CON, NUL, COM1 …) prefixed (``safe_file_name``),
shortened so that a path in the package stays within ``MAX_PATH_IN_PACKAGE`` characters (unpacked into a folder of
up to ~150 characters it stays below Windows' 260); two names that differ only in case are told apart by (2), (3).

A package larger than a setting (default 20 MB, what office mail takes) can be split into parts of at most that
size, ``…_佐证材料_第1包共3包.zip``; the parts together are the package.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ipdesk.reports.snapshot import EvidenceLine

PACKAGE_MARK = "_佐证材料"
MAX_PATH_IN_PACKAGE = 100
DEFAULT_LIMIT_MB = 20
_PART = re.compile(r"_第(\d+)包共(\d+)包$")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def task_folder(seq: int) -> str:
    return f"第{seq}项"


def safe_name(name: str, room: int) -> str:
    """``name`` as Windows accepts it in a folder, at most ``room`` characters, the extension kept."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "佐证材料"
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        stem, ext = base, ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    ext = ext[:16]
    keep = max(1, room - (len(ext) + 1 if ext else 0))
    stem = stem[:keep].rstrip(" .") or "_"
    return f"{stem}.{ext}" if ext else stem


def package_paths(evidence: Iterable[EvidenceLine]) -> dict[str, EvidenceLine]:
    """Where each evidence file of a return lies in its package (path → the signed line), in the return's order.

    Computed from the signed list only, the same on both sides. A file attached to two tasks lies in both folders.
    """
    placed: dict[str, EvidenceLine] = {}
    taken: set[str] = set()
    for line in evidence:
        folder = task_folder(line.task_seq)
        room = MAX_PATH_IN_PACKAGE - len(folder) - 1 - 4  # 4: room for " (9)"
        name = safe_name(line.file_name, room)
        path, number = f"{folder}/{name}", 1
        while path.lower() in taken:
            number += 1
            stem, dot, ext = name.rpartition(".")
            path = f"{folder}/{stem} ({number}).{ext}" if dot and stem else f"{folder}/{name} ({number})"
        taken.add(path.lower())
        placed[path] = line
    return placed


def package_name(return_stem: str, part: int = 1, parts: int = 1) -> str:
    """碑林区人民政府_2025-11_工作进展_v1 → …_v1_佐证材料.zip (or …_佐证材料_第1包共3包.zip when split)."""
    tail = f"_第{part}包共{parts}包" if parts > 1 else ""
    return f"{return_stem}{PACKAGE_MARK}{tail}.zip"


def parts_beside(return_file: Path) -> list[Path]:
    """The package (or its parts) lying beside a return file, by name."""
    stem = return_file.stem
    found = []
    try:
        candidates = list(return_file.parent.iterdir())
    except OSError:
        return []
    for path in candidates:
        if path.suffix.lower() != ".zip" or not path.is_file():
            continue
        rest = path.stem[len(stem) :] if path.stem.startswith(stem) else None
        if rest == PACKAGE_MARK or (
            rest is not None and rest.startswith(PACKAGE_MARK) and _PART.fullmatch(rest[len(PACKAGE_MARK) :])
        ):
            found.append(path)
    return sorted(found)


def is_package(path: Path) -> bool:
    return path.suffix.lower() == ".zip" and PACKAGE_MARK in path.stem


def split_sizes(paths: dict[str, EvidenceLine], limit: int) -> list[list[str]]:
    """The package's paths in parts of at most ``limit`` bytes each (a file larger than that alone in a part)."""
    parts: list[list[str]] = [[]]
    size = 0
    for path, line in paths.items():
        if parts[-1] and size + line.size > limit:
            parts.append([])
            size = 0
        parts[-1].append(path)
        size += line.size
    return parts


def total_size(evidence: Iterable[EvidenceLine]) -> int:
    return sum(line.size for line in evidence)


def write_package(
    folder: Path, return_stem: str, evidence: Iterable[EvidenceLine], source, limit: int | None = None
) -> list[Path]:
    """Write the package of a return's evidence into ``folder``; ``source(line)`` is the stored copy's path.

    With ``limit`` (bytes) the package is split into parts of at most that size; without, it is one zip. Each zip is
    written to a temporary name and renamed into place. Returns the paths written (none when there is no evidence).
    """
    from ipdesk.reports.files import write_atomically

    paths = package_paths(evidence)
    if not paths:
        return []
    groups = split_sizes(paths, limit) if limit else [list(paths)]
    written = []
    for number, group in enumerate(groups, 1):

        def write(temp: Path, group: list[str] = group) -> None:
            with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
                for path in group:
                    archive.write(source(paths[path]), path)

        target = folder / package_name(return_stem, number, len(groups))
        written.append(write_atomically(target, write))
    return written


@dataclass
class PackageCheck:
    """What the package held against what the return signed."""

    verified: dict[str, EvidenceLine] = field(default_factory=dict)  # path → line: the file as signed
    missing: list[tuple[str, EvidenceLine]] = field(default_factory=list)
    altered: list[tuple[str, EvidenceLine]] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # a part that is no zip, or damaged

    @property
    def complete(self) -> bool:
        return not (self.missing or self.altered or self.extra or self.unreadable)

    def problems(self) -> list[str]:
        """One line per problem, in Chinese, naming the file."""
        lines = [f"佐证材料包无法读取：{name}" for name in self.unreadable]
        lines += [f"缺少佐证材料：{path}（{line.size:,} 字节）" for path, line in self.missing]
        lines += [f"佐证材料与签署的不一致（已被改动）：{path}" for path, _ in self.altered]
        lines += [f"佐证材料包中有签署清单以外的文件：{path}" for path in self.extra]
        return lines

    def summary(self) -> str:
        if not (self.verified or self.missing or self.altered or self.extra or self.unreadable):
            return ""
        if self.complete:
            return f"佐证材料 {len(self.verified)} 个，与签署的清单一致"
        return f"佐证材料 {len(self.verified)} 个一致；" + "；".join(self.problems())


MAX_EVIDENCE_FILE = 200 * 1024 * 1024


def check_package(
    parts: list[Path], evidence: Iterable[EvidenceLine], keep: dict[str, bytes] | None = None
) -> PackageCheck:
    """Check the package's parts against the return's signed evidence list.

    ``keep``, when given, receives the content of each verified file by SHA-256 (to be stored by the caller).
    """
    expected = package_paths(evidence)
    check = PackageCheck()
    seen: set[str] = set()
    for part in parts:
        try:
            with zipfile.ZipFile(part) as archive:
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    path = info.filename
                    line = expected.get(path)
                    if line is None or path in seen:
                        check.extra.append(path)
                        continue
                    seen.add(path)
                    if info.file_size != line.size or info.file_size > MAX_EVIDENCE_FILE:
                        check.altered.append((path, line))
                        continue
                    digest = hashlib.sha256()
                    chunks: list[bytes] | None = [] if keep is not None else None
                    with archive.open(info) as handle:
                        while block := handle.read(1024 * 1024):
                            digest.update(block)
                            if chunks is not None:
                                chunks.append(block)
                    if digest.hexdigest() != line.sha256:
                        check.altered.append((path, line))
                        continue
                    check.verified[path] = line
                    if keep is not None and chunks is not None:
                        keep[line.sha256] = b"".join(chunks)
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
            check.unreadable.append(part.name)
    check.missing = [(path, line) for path, line in expected.items() if path not in seen]
    return check
