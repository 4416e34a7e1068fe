"""提交审核: the list of what is still missing, each line a link to the place to fix it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListView, QVBoxLayout, QWidget

from ipdesk.domain.reports import Missing

MISSING_ROLE = Qt.ItemDataRole.UserRole + 1


class MissingDialog(QDialog):
    """Shown when the period cannot be submitted yet; activating a line goes to that task or indicator."""

    go_to = Signal(object)  # Missing

    def __init__(self, missing: list[Missing], period_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("还不能提交审核"))
        label = QLabel(self.tr("{0}还有 {1} 处需要补充。双击一行即可跳到该处：").format(period_name, len(missing)))
        label.setWordWrap(True)
        self.model = QStandardItemModel(self)
        for item in missing:
            entry = QStandardItem(item.message)
            entry.setData(item, MISSING_ROLE)
            self.model.appendRow(entry)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(560, 420)
        if missing:
            self.view.setCurrentIndex(self.model.index(0, 0))

    def _activated(self, index) -> None:
        item = index.data(MISSING_ROLE)
        if item is not None:
            self.go_to.emit(item)
            self.accept()
