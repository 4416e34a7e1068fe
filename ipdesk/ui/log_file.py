"""The program's log file (``logs/ipdesk.log`` under the user data folder) through the standard ``logging`` module.

What nobody caught is written there with its traceback (``write_log``); a ``RotatingFileHandler`` moves the file
aside to ``ipdesk.log.1`` once it passes ``LOG_LIMIT_BYTES`` and begins a new one, so the log never grows without
bound. The handler follows ``IPDESK_HOME``: a different user data folder gets its own log. ``logging.handlers``
(which brings sockets, pickle and queues) and ``platform`` load on the first write, not with the window.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipdesk import __version__
from ipdesk.paths import user_data_dir

if TYPE_CHECKING:
    from logging.handlers import RotatingFileHandler

LOGGER = "ipdesk"
LOG_LIMIT_BYTES = 1024 * 1024  # then the log is moved aside to ipdesk.log.1 and a new one begun
LOG_FILES_KEPT = 1  # ipdesk.log.1

_lock = threading.Lock()
_handler: RotatingFileHandler | None = None


def log_path() -> Path:
    return user_data_dir() / "logs" / "ipdesk.log"


class _Format(logging.Formatter):
    """Each entry begins with a line saying when, and on which ipdesk, Python and system, it was written."""

    def __init__(self) -> None:
        import platform

        super().__init__(
            f"==== %(asctime)s ipdesk {__version__} Python {platform.python_version()} {platform.platform()}\n"
            "%(message)s"
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")


def _log_file(path: Path) -> RotatingFileHandler:
    """The rotating log file; remembers a failed write (a full disk) in ``failed`` instead of printing to the
    terminal."""
    from logging.handlers import RotatingFileHandler

    class LogFile(RotatingFileHandler):
        failed = False

        def handleError(self, record: logging.LogRecord) -> None:
            self.failed = True

    return LogFile(path, maxBytes=LOG_LIMIT_BYTES, backupCount=LOG_FILES_KEPT, encoding="utf-8", delay=True)


def program_log() -> logging.Logger:
    """The ``ipdesk`` logger, writing to the log file of the current user data folder (made on first use)."""
    global _handler
    path = log_path()
    log = logging.getLogger(LOGGER)
    with _lock:
        if _handler is None or _handler.baseFilename != str(path.absolute()):
            path.parent.mkdir(parents=True, exist_ok=True)
            if _handler is not None:
                log.removeHandler(_handler)
                _handler.close()
            _handler = _log_file(path)
            _handler.setFormatter(_Format())
            log.addHandler(_handler)
            log.setLevel(logging.INFO)
            log.propagate = False  # the log file only: never the terminal of a windowed program
        _handler.maxBytes = LOG_LIMIT_BYTES  # read at each write, so that a test may lower it
    return log


def write_log(error: BaseException, context: str = "") -> Path | None:
    """Append ``error`` with its traceback to the log; returns the log's path (None when it cannot be written)."""
    try:
        log = program_log()
    except OSError:
        return None
    assert _handler is not None
    handler: Any = _handler  # the LogFile made by _log_file
    handler.failed = False
    log.error(context, exc_info=(type(error), error, error.__traceback__))
    handler.flush()
    return None if handler.failed else log_path()
