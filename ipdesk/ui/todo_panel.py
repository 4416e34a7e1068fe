"""待办: the periods the unit still owes, overdue ones first in red, and a one-line summary for the status bar."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QListView, QMenu, QVBoxLayout, QWidget

from ipdesk.domain.deadlines import DueItem, DueState
from ipdesk.domain.periods import chinese_date

PERIOD_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2


def summary(items: list[DueItem], today: dt.date) -> str:
    overdue = [i for i in items if i.state is DueState.OVERDUE]
    due = [i for i in items if i.state is DueState.DUE]
    parts = []
    for state in (DueState.TO_SIGN, DueState.TO_EXPORT, DueState.EXPORTED):
        waiting = [i for i in items if i.state is state]
        if waiting:
            parts.append(
                f"{waiting[0].period.chinese}{state.label}" + (f"等 {len(waiting)} 期" if len(waiting) > 1 else "")
            )
    if overdue:
        parts.append(f"逾期未报 {len(overdue)} 期（最早 {overdue[-1].period.chinese}）")
    if due:
        parts.append(f"{due[0].period.chinese}待报送，截止 {chinese_date(due[0].due_date)}")
    return "；".join(parts) or "没有待报送的报告"


class TodoPanel(QWidget):
    open_period = Signal(object)
    start_from = Signal(object)  # 从此期开始报送: the clerk dismisses the periods before this one
    mark_sent = Signal(object)  # 已报送: the exported return went to the city office

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
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.setToolTip(self.tr("单击打开该期；右键可设为开始报送的期次（更早的不再列出）"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.view)

    def show_items(self, items: list[DueItem], today: dt.date) -> None:
        self.model.clear()
        self.heading.setText(summary(items, today))
        for item in items:
            entry = QStandardItem(self.tr("{0}　{1}").format(item.period.chinese, item.state.label))
            tip = self.tr("报送截止：{0}").format(chinese_date(item.due_date))
            if item.state is DueState.EXPORTED:
                tip += self.tr("\n已导出到：{0}\n报送后请右键“标记为已报送”").format(item.folder)
            entry.setToolTip(tip)
            entry.setData(item.period, PERIOD_ROLE)
            entry.setData(item.state.value, STATE_ROLE)
            # The colour as a QColor, painted as a solid brush (see task_table: a QBrush costs the start time)
            if item.state is DueState.OVERDUE:
                entry.setData(QColor("#b00020"), Qt.ItemDataRole.ForegroundRole)
            elif item.state.in_flight:
                entry.setData(QColor("#1a4f8a"), Qt.ItemDataRole.ForegroundRole)
            self.model.appendRow(entry)

    def _activated(self, index) -> None:
        period = index.data(PERIOD_ROLE)
        if period is not None:
            self.open_period.emit(period)

    def _menu(self, where: QPoint) -> None:
        index = self.view.indexAt(where)
        period = index.data(PERIOD_ROLE) if index.isValid() else None
        if period is None:
            return
        menu = QMenu(self)
        menu.addAction(self.tr("打开{0}").format(period.chinese), lambda: self.open_period.emit(period))
        if index.data(STATE_ROLE) in (DueState.EXPORTED.value, DueState.TO_EXPORT.value):
            menu.addAction(self.tr("标记为已报送"), lambda: self.mark_sent.emit(period))
        menu.addAction(
            self.tr("从{0}开始报送（更早的各期不再列出）").format(period.chinese), lambda: self.start_from.emit(period)
        )
        menu.exec(self.view.viewport().mapToGlobal(where))
