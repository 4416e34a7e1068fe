"""A guard against a Qt binding that drops references to ``None``.

PySide6 6.12.0 on Python 3.11 releases one reference to ``None`` at every call of a Qt method that returns nothing
(``setText``, ``setVisible`` …) without having taken one. From Python 3.12 on ``None`` is immortal and this does no
harm; on 3.11 its count falls by some tens at each task switch, and after a few hundred switches the interpreter
aborts with "Fatal Python error: none_dealloc" — the window vanishes mid-sentence. (PySide6 6.11 does not do this.)

When the binding in use shows the fault, the guard keeps ``None``'s count far from zero: it measures the fault once
at start, raises the count by a large margin, and tops it up every second. Nothing else is touched.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer

LOW_WATER = 1_000_000  # top up when the count falls below this
TOP_UP = 10_000_000  # references added each time (a number in the object's header, no memory)
CHECK_MS = 1000


def drops_none_references() -> bool:
    """True when calling a Qt method that returns nothing lowers ``None``'s reference count."""
    if sys.version_info >= (3, 12):
        return False  # None is immortal: its count no longer matters
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(32):
        probe.setObjectName("ipdesk")
    return sys.getrefcount(None) <= before - 16


def _add_references(count: int) -> bool:
    """Add ``count`` to ``None``'s reference count (CPython's ``ob_refcnt`` is the object's first field)."""
    import ctypes  # only where the binding shows the fault: not with every window

    cell = ctypes.c_ssize_t.from_address(id(None))
    before = sys.getrefcount(None)
    if cell.value != before - 1 and cell.value != before:  # not the layout expected: leave it alone
        return False
    cell.value += count
    if sys.getrefcount(None) - before != count:
        cell.value -= count
        return False
    return True


def top_up() -> None:
    if sys.getrefcount(None) < LOW_WATER:
        _add_references(TOP_UP)


class NoneGuard(QObject):
    """Installed by ``make_application`` when ``drops_none_references()``; lives as long as the application."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.active = _add_references(TOP_UP)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(top_up)
        if self.active:
            self.timer.start()


def install(app: QObject) -> NoneGuard | None:
    """Guard ``app``'s process if its Qt binding drops references to ``None``; returns the guard, if one was needed."""
    if not drops_none_references():
        return None
    existing = app.findChild(NoneGuard)
    return existing if existing is not None else NoneGuard(app)
