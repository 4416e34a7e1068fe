"""What the window remembers between sessions: its size and place, maximised or not, the docks, the splitters and
the column widths. Kept per user in ``window.ini`` in the user data folder (not in the workspace database: it
belongs to this screen, not to the unit's data).

The first time, the window takes the screen it is on into account: office laptops run 1920×1080 at 150 % scaling,
1280×720 logical pixels, and older screens 1366×768; there it opens maximised so that every control and the status
bar are on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter, QWidget

from ipdesk.paths import user_data_dir

PREFERRED_WIDTH, PREFERRED_HEIGHT = 1360, 820
FRAME_ALLOWANCE = 40  # title bar and borders the window manager adds around the window


def memory() -> QSettings:
    return QSettings(str(user_data_dir() / "window.ini"), QSettings.Format.IniFormat)


def _bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, (bytes, bytearray)) and value:
        return QByteArray(bytes(value))
    return None


def place(window: QMainWindow, key: str) -> None:
    """Restore ``window``'s size, place and maximised state; the first time, fit it to the screen it is on."""
    settings = memory()
    geometry = _bytes(settings.value(f"{key}/geometry"))
    room = available(window)
    if geometry is not None and window.restoreGeometry(geometry):
        frame = window.frameGeometry()
        if room.intersects(frame) and frame.width() <= room.width() + 16 and frame.height() <= room.height() + 16:
            return
    width = min(PREFERRED_WIDTH, room.width())
    height = min(PREFERRED_HEIGHT, room.height() - FRAME_ALLOWANCE)
    window.resize(width, height)
    top = room.y() + max(0, (room.height() - height - FRAME_ALLOWANCE) // 2)
    window.move(room.x() + (room.width() - width) // 2, top)
    if room.width() < PREFERRED_WIDTH + 40 or room.height() < PREFERRED_HEIGHT + FRAME_ALLOWANCE:
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def available(window: QWidget) -> QRect:
    """The room on the screen the window is on, taskbar excluded."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def restore(key: str, window: QMainWindow, splitters: dict[str, QSplitter], headers: dict[str, QHeaderView]) -> None:
    """The docks and toolbars, splitter positions and column widths saved by ``save``."""
    settings = memory()
    state = _bytes(settings.value(f"{key}/state"))
    if state is not None:
        window.restoreState(state)
    restore_views(key, splitters, headers, settings)


def restore_views(
    key: str, splitters: dict[str, QSplitter], headers: dict[str, QHeaderView], settings: QSettings | None = None
) -> None:
    """Splitter positions and column widths saved by ``save`` (for a part of the window built after it opened)."""
    settings = settings or memory()
    for name, splitter in splitters.items():
        saved = _bytes(settings.value(f"{key}/splitter/{name}"))
        if saved is not None:
            splitter.restoreState(saved)
    for name, header in headers.items():
        saved = _bytes(settings.value(f"{key}/header/{name}"))
        if saved is not None:
            header.restoreState(saved)


def save(key: str, window: QMainWindow, splitters: dict[str, QSplitter], headers: dict[str, QHeaderView]) -> None:
    settings = memory()
    settings.setValue(f"{key}/geometry", window.saveGeometry())
    settings.setValue(f"{key}/state", window.saveState())
    for name, splitter in splitters.items():
        settings.setValue(f"{key}/splitter/{name}", splitter.saveState())
    for name, header in headers.items():
        settings.setValue(f"{key}/header/{name}", header.saveState())
    settings.sync()


def fits(widget: QWidget, window: QWidget) -> bool:
    """True when ``widget`` is shown and lies wholly inside ``window`` (nothing of it cut off at an edge)."""
    if not widget.isVisibleTo(window):
        return False
    top_left = widget.mapTo(window, widget.rect().topLeft())
    bottom_right = widget.mapTo(window, widget.rect().bottomRight())
    inside = window.rect()
    return inside.contains(top_left) and inside.contains(bottom_right)
