"""File names for exported reports, and writing them so that a failure never leaves half a file."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from ipdesk.domain.errors import InvalidInput, os_error_text

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_UMASK = os.umask(0)
os.umask(_UMASK)  # read once: files get the permissions any other program's would, not mkstemp's 0600


def safe_part(text: str) -> str:
    """A piece of a file name that Windows accepts: no reserved characters, no trailing dots or spaces."""
    return _UNSAFE.sub("_", text).strip(" .") or "_"


DRAFT_MARK = "草稿（未签署）"


def report_file_name(
    units: tuple[str, ...], period: str, version: int, extension: str, sample: bool = False, draft: bool = False
) -> str:
    """碑林区人民政府_2025Q3_工作进展_v1.xlsx; several units → 汇总2个单位_2025Q3_工作进展_v1.xlsx; a report not
    signed (``draft``) → 碑林区人民政府_2025Q3_工作进展_草稿（未签署）_v1.pdf, so it can never pass for a return."""
    who = safe_part(units[0]) if len(units) == 1 else f"汇总{len(units)}个单位"
    marks = ("_" + DRAFT_MARK if draft else "") + ("_示例数据" if sample else "")
    return f"{who}_{safe_part(period)}_工作进展{marks}_v{version}.{extension}"


def write_atomically(target: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)`` in ``target``'s folder, then rename it into place."""
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput(f"导出文件夹不存在：{folder}")
    try:
        descriptor, temp_name = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=".part", dir=folder)
        os.close(descriptor)
    except OSError as error:
        raise InvalidInput(f"无法在文件夹“{folder}”中写入文件（{os_error_text(error)}），请换一个文件夹") from error
    temp = Path(temp_name)
    try:
        write(temp)
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~_UMASK)
        os.replace(temp, target)
    except PermissionError as error:
        temp.unlink(missing_ok=True)
        raise InvalidInput(
            f"无法写入“{target.name}”：文件可能正在被其他程序（如 Excel、WPS）打开，请关闭后重试"
        ) from error
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise InvalidInput(
            f"写入“{target.name}”失败（{os_error_text(error)}），磁盘可能已满；原有文件未受影响"
        ) from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def make_folder(folder: Path) -> Path:
    """``folder``, made when missing; a clear message when it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"无法创建文件夹“{folder}”：{os_error_text(error)}") from error
    return folder


def write_bytes_into(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``folder/name`` (the folder made first when missing), atomically."""
    return write_atomically(make_folder(folder) / name, lambda temp: temp.write_bytes(data))
