"""待办: the periods the unit still owes, overdue ones first in red, and a one-line summary for the status bar."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

from ipdesk.domain.deadlines import DueItem, DueState
from ipdesk.domain.periods import chinese_date

PERIOD_ROLE = Qt.ItemDataRole.UserRole + 1


def summary(items: list[DueItem], today: dt.date) -> str:
    overdue = [i for i in items if i.state is DueState.OVERDUE]
    due = [i for i in items if i.state is DueState.DUE]
    parts = []
    if overdue:
        parts.append(f"逾期未报 {len(overdue)} 期（最早 {overdue[-1].period.chinese}）")
    if due:
        parts.append(f"{due[0].period.chinese}待报送，截止 {chinese_date(due[0].due_date)}")
    return "；".join(parts) or "没有待报送的报告"


class TodoPanel(QWidget):
    open_period = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.model = QStandardItemModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.view.activated.connect(self._activated)
        self.view.clicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.view)

    def show_items(self, items: list[DueItem], today: dt.date) -> None:
        self.model.clear()
        self.heading.setText(summary(items, today))
        for item in items:
            entry = QStandardItem(self.tr("{0}　{1}").format(item.period.chinese, item.state.label))
            entry.setToolTip(self.tr("报送截止：{0}").format(chinese_date(item.due_date)))
            entry.setData(item.period, PERIOD_ROLE)
            if item.state is DueState.OVERDUE:
                entry.setForeground(QBrush(QColor("#b00020")))
            self.model.appendRow(entry)

    def _activated(self, index) -> None:
        period = index.data(PERIOD_ROLE)
        if period is not None:
            self.open_period.emit(period)
