"""使用说明: the clerk's guide, shown inside the program (F1, 帮助 → 使用说明); no network, no browser needed."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ipdesk.paths import resources_dir


def guide_text() -> str:
    """The guide, as Markdown (``resources/help/guide.md``)."""
    return (resources_dir() / "help" / "guide.md").read_text(encoding="utf-8")


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("ipdesk 使用说明"))
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setMarkdown(guide_text())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry()
        self.resize(min(820, room.width() - 40), min(700, room.height() - 60))

    def show_section(self, heading: str) -> None:
        """Scroll to the first heading that contains ``heading``."""
        self.browser.find(heading)
