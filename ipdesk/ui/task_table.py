"""The clerk's task table: a model over the unit's tasks for one period, and a proxy that sorts and filters it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from ipdesk.domain.lights import Light
from ipdesk.domain.plan import Role, Task
from ipdesk.domain.progress import Progress
from ipdesk.domain.statuses import TaskStatus
from ipdesk.ui.rows_model import RowsTableModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEQ_ROLE = Qt.ItemDataRole.UserRole + 2

COMMENT_COLOURS = ("#fff3e0", "#5d3200")  # the city's comments: the orange of their box in the editor
LIGHT_COLOURS = {
    Light.GREEN: ("#d8f0d8", "#1b5e20"),
    Light.YELLOW: ("#fff1c2", "#7a5b00"),
    Light.RED: ("#f8d0d0", "#8b0000"),
}


def light_brushes(light: Light) -> tuple[QBrush, QBrush] | None:
    colours = LIGHT_COLOURS.get(light)
    if colours is None:
        return None
    return QBrush(QColor(colours[0])), QBrush(QColor(colours[1]))


def short_time(stamp: str) -> str:
    """2025-11-24T20:33:55.373+08:00 → 11-24 20:33."""
    if not stamp or len(stamp) < 16:
        return ""
    return f"{stamp[5:10]} {stamp[11:16]}"


@dataclass
class TaskRow:
    task: Task
    role: Role
    progress: Progress
    light: Light
    evidence: int = 0
    comment: str = ""  # the city's comment on the task from the last 退回: "" none, "open", "handled"

    def search_text(self) -> str:
        p = self.progress
        return "\n".join(
            (
                str(self.task.seq),
                self.task.name,
                self.task.category,
                self.task.content,
                p.achievements,
                p.problems,
                p.next_steps,
            )
        )


class TaskTableModel(RowsTableModel):
    COLUMNS: tuple[str, ...] = (
        "序号",
        "任务类别",
        "任务名称",
        "角色",
        "状态",
        "进度",
        "预警",
        "佐证",
        "修改时间",
        "意见",
    )
    # 意见 comes last so that column widths remembered before it existed still fit their columns
    SEQ, CATEGORY, NAME, ROLE, STATUS, PERCENT, LIGHT, EVIDENCE, CHANGED, COMMENT = range(len(COLUMNS))

    rows: list[TaskRow]

    def row_of(self, seq: int) -> int:
        for number, row in enumerate(self.rows):
            if row.task.seq == seq:
                return number
        return -1

    def update_row(self, row: TaskRow) -> None:
        number = self.row_of(row.task.seq)
        if number < 0:
            return
        self.rows[number] = row
        self.refresh_row(number)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == SEQ_ROLE:
            return row.task.seq
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.LIGHT and row.light is not Light.NONE:
                return self.tr("按序时进度计算的预警：{0}").format(row.light.label)
            if column == self.COMMENT and row.comment:
                return (
                    self.tr("市局对本任务有退回意见，尚未标记“已处理”")
                    if row.comment == "open"
                    else self.tr("市局对本任务的退回意见已标记“已处理”")
                )
            return row.task.content
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.SEQ, self.PERCENT, self.EVIDENCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == self.COMMENT and row.comment == "open":
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(COMMENT_COLOURS[0]))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(COMMENT_COLOURS[1]))
        if column == self.LIGHT and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            brushes = light_brushes(row.light)
            if brushes:
                return brushes[0] if role == Qt.ItemDataRole.BackgroundRole else brushes[1]
        return None

    def _display(self, row: TaskRow, column: int) -> str:
        progress = row.progress
        if column == self.SEQ:
            return str(row.task.seq)
        if column == self.CATEGORY:
            return row.task.category
        if column == self.NAME:
            return row.task.name if row.task.project_no is None else row.task.content
        if column == self.ROLE:
            return row.role.label
        if column == self.STATUS:
            return progress.status.label if progress.status else self.tr("未填")
        if column == self.PERCENT:
            return "" if progress.percent is None else f"{progress.percent:g}%"
        if column == self.LIGHT:
            return row.light.label
        if column == self.EVIDENCE:
            return str(row.evidence) if row.evidence else ""
        if column == self.CHANGED:
            return short_time(progress.updated_at)
        if column == self.COMMENT:
            return {"open": self.tr("待处理"), "handled": self.tr("已处理")}.get(row.comment, "")
        return ""

    def _sort_key(self, row: TaskRow, column: int):
        if column == self.SEQ:
            return row.task.seq
        if column == self.PERCENT:
            return -1 if row.progress.percent is None else row.progress.percent
        if column == self.LIGHT:
            return row.light.rank
        if column == self.EVIDENCE:
            return row.evidence
        if column == self.COMMENT:
            return {"open": 2, "handled": 1}.get(row.comment, 0)
        if column == self.STATUS:
            return list(TaskStatus).index(row.progress.status) if row.progress.status else -1
        return self._display(row, column)


class TaskFilterProxy(QSortFilterProxyModel):
    """Filters by category, role, status, light and free text over names, contents and the clerk's own text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.category: str | None = None
        self.role: Role | None = None
        self.status: TaskStatus | str | None = "any"  # "any", None (not filled) or a status
        self.light: Light | None = None
        self.text = ""

    def set_filters(self, *, category=None, role=None, status="any", light=None, text: str = "") -> None:
        begin = getattr(self, "beginFilterChange", None)  # Qt ≥ 6.10; invalidateFilter() is deprecated there
        if begin:
            begin()
        self.category, self.role, self.status, self.light = category, role, status, light
        self.text = text.strip().casefold()
        if begin:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, TaskTableModel)  # the proxy filters a task table (the clerk's or the review's)
        row = model.rows[source_row]
        if self.category and row.task.category != self.category:
            return False
        if self.role and row.role is not self.role:
            return False
        if self.status != "any" and row.progress.status != self.status:
            return False
        if self.light and row.light is not self.light:
            return False
        return not self.text or all(word in row.search_text().casefold() for word in self.text.split())
