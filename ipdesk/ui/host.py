"""The application's host: it owns the window on screen and keeps the error handler pointed at it.

A plan switch builds a new window for the new plan and hands it to the host (``replace``), which shows it where the
old one was, lets the old one go, and rewires the error handler: an error or a damaged database reported after the
switch goes to the window that is there, never to one Qt has already deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ipdesk import collector

if TYPE_CHECKING:
    from ipdesk.ui.error_handler import ErrorHandler


class WindowHost:
    """One per application (``HOST``); ``app.run`` gives it the error handler and the first window."""

    def __init__(self) -> None:
        self.handler: ErrorHandler | None = None
        self.window: QWidget | None = None  # the current window (kept alive by this reference)

    def attach(self, handler: ErrorHandler) -> None:
        """The error handler whose dialogs and damage reports follow the current window."""
        self.handler = handler
        handler.on_damage = self._damage
        handler.window = self.window

    def adopt(self, window: QWidget) -> None:
        """``window`` is now the one on screen."""
        self.window = window
        if self.handler is not None:
            self.handler.window = window
            self.handler.on_damage = self._damage

    def replace(self, old: QWidget, new: QWidget) -> None:
        """Show ``new`` where ``old`` was, let ``old`` go and make ``new`` the current window."""
        new.resize(old.size())
        new.move(old.pos())
        self.adopt(new)
        new.show()
        old.hide()
        old.deleteLater()
        collector.unfreeze()  # the old window's objects, frozen with the start's, may be reclaimed again

    def _damage(self, problem: str) -> None:
        """A damaged database reported from anywhere: the current window offers the newest good backup."""
        window = self.window
        offer = getattr(window, "offer_restore", None)
        if offer is not None:
            offer(problem)

    def release(self) -> None:
        """The application ends: no window, and the handler's dialogs have no parent."""
        self.window = None
        if self.handler is not None:
            self.handler.window = None


HOST = WindowHost()
