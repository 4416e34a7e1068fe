"""修改记录: every change of a task's entry in a period — when, who, which field, old → new — from the audit log."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.statuses import TaskStatus
from ipdesk.workspace import TaskProgress, Workspace

FIELD_LABELS = {
    "status": "完成状态",
    "percent": "完成进度",
    "achievements": "工作进展及成效",
    "problems": "存在问题",
    "next_steps": "下步计划",
}


def _shown(field: str, value: str | None) -> str:
    if value is None or value == "":
        return "（空）"
    if field == "status":
        try:
            return TaskStatus(value).label
        except ValueError:
            return value
    if field == "percent":
        return f"{value}%"
    return value


class HistoryDialog(QDialog):
    def __init__(self, ws: Workspace, row: TaskProgress, parent: QWidget | None = None):
        super().__init__(parent)
        progress = row.progress
        self.setWindowTitle(self.tr("修改记录"))
        entries = ws.audit.for_progress(row.task.seq, progress.unit, progress.period)
        self.model = QStandardItemModel(0, 5, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("时间"), self.tr("修改人"), self.tr("栏目"), self.tr("原内容"), self.tr("新内容")]
        )
        for entry in entries:
            items = [
                QStandardItem(entry.at[:19].replace("T", " ")),
                QStandardItem(entry.actor),
                QStandardItem(FIELD_LABELS.get(entry.field, entry.field)),
                QStandardItem(_shown(entry.field, entry.old_value)),
                QStandardItem(_shown(entry.field, entry.new_value)),
            ]
            for item in items:
                item.setEditable(False)
                item.setToolTip(item.text())
            self.model.appendRow(items)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(2)
        self.field = QComboBox()
        self.field.addItem(self.tr("全部栏目"), "")
        for label in FIELD_LABELS.values():
            self.field.addItem(label, label)
        self.field.currentIndexChanged.connect(
            lambda _: self.proxy.setFilterFixedString(self.field.currentData() or "")
        )
        view = QTreeView()
        view.setModel(self.proxy)
        view.setRootIsDecorated(False)
        view.setAlternatingRowColors(True)
        for column in range(3):
            view.resizeColumnToContents(column)
        heading = QLabel(
            self.tr("第{0}项“{1}”　{2}　共 {3} 条修改记录（最新的在前）").format(
                row.task.seq, row.task.name, progress.period.chinese, len(entries)
            )
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(QLabel(self.tr("只看：")))
        top.addWidget(self.field)
        layout.addLayout(top)
        layout.addWidget(view)
        layout.addWidget(buttons)
        self.resize(900, 420)
