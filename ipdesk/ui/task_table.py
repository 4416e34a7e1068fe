"""The clerk's task table: a model over the unit's tasks for one period, and a proxy that sorts and filters it."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from ipdesk.domain.former_tasks import FORMER_LABEL, FormerTask
from ipdesk.domain.lights import Light
from ipdesk.domain.plan import Role, Task
from ipdesk.domain.progress import Progress
from ipdesk.domain.statuses import TaskStatus

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEQ_ROLE = Qt.ItemDataRole.UserRole + 2
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)  # the numbers' columns
# what a cell of a task table allows: chosen, not edited, dragged or dropped on (as a table model's cells by default)
CELL_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren

COMMENT_COLOURS = ("#fff3e0", "#5d3200")  # the city's comments: the orange of their box in the editor
LIGHT_COLOURS = {
    Light.GREEN: ("#d8f0d8", "#1b5e20"),
    Light.YELLOW: ("#fff1c2", "#7a5b00"),
    Light.RED: ("#f8d0d0", "#8b0000"),
}


# The cells' colours are given to the view as QColor, which it paints as a solid brush: a QBrush made in Python
# would first build the Python types of every kind of brush (gradients, images), some milliseconds of the start.
@functools.cache  # one pair of colours per light, made when first shown
def light_colours(light: Light) -> tuple[QColor, QColor] | None:
    colours = LIGHT_COLOURS.get(light)
    if colours is None:
        return None
    return QColor(colours[0]), QColor(colours[1])


@functools.cache
def former_colour() -> QColor:
    return QColor(FORMER_COLOUR)


@functools.cache  # for the items and views that take a brush
def light_brushes(light: Light) -> tuple[QBrush, QBrush] | None:
    colours = light_colours(light)
    return None if colours is None else (QBrush(colours[0]), QBrush(colours[1]))


@functools.cache
def former_brush() -> QBrush:
    return QBrush(former_colour())


def short_time(stamp: str) -> str:
    """2025-11-24T20:33:55.373+08:00 → 11-24 20:33."""
    if not stamp or len(stamp) < 16:
        return ""
    return f"{stamp[5:10]} {stamp[11:16]}"


FORMER_COLOUR = "#757575"  # a former task's row (原承担任务): grey, read-only


@dataclass
class TaskRow:
    """One row of the clerk's task table: the task, the unit's role, its progress, light, evidence and comment."""

    task: Task
    role: Role | None  # None: a task a plan update gave to other units (``former`` says to whom)
    progress: Progress
    light: Light
    evidence: int = 0
    comment: str = ""  # the city's comment on the task from the last 退回: "" none, "open", "handled"
    former: FormerTask | None = None

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


_STATUS_ORDER = list(TaskStatus)


class TaskTableModel(QStandardItemModel):
    """The clerk's tasks of one period, one row each.

    The cells are Qt's own items, made once when the rows are set, role by role: while it lays out and paints, the
    view asks a cell's data some twenty times — through the sorting proxy, each question also asks the model for
    the index and its bounds — and a model written in Python answers every one of those calls in Python (some six
    thousand for thirty rows at start). Items answer them inside Qt. ``rows`` keeps the rows the cells were made
    from, in the same order."""

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

    def __init__(self, parent=None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.rows: list[TaskRow] = []
        self.setHorizontalHeaderLabels([self.tr(title) for title in self.COLUMNS])

    def set_rows(self, rows: list[TaskRow]) -> None:
        """Replace every row: the view and the proxy see one reset, not a change per cell."""
        self.beginResetModel()
        blocked = self.blockSignals(True)  # the items' own insertion signals: the reset stands for them all
        try:
            self.setRowCount(0)
            self.rows = list(rows)
            for row in self.rows:
                self.appendRow(self._items(row))
        finally:
            self.blockSignals(blocked)
            self.endResetModel()

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
        blocked = self.blockSignals(True)  # one change for the whole row, below, not one per cell and role
        try:
            for column, item in enumerate(self._items(row)):
                self.setItem(number, column, item)
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self.COLUMNS) - 1))

    def _items(self, row: TaskRow) -> list[QStandardItem]:
        """The row's cells, each holding every role that has a value (as ``_prepare`` gives them)."""
        items = [QStandardItem() for _ in self.COLUMNS]
        for role, values in self._prepare(row).items():
            for item, value in zip(items, values, strict=True):
                if value is not None:
                    item.setData(value, role)
        for item in items:
            item.setFlags(CELL_FLAGS)
        return items

    def _prepare(self, row: TaskRow) -> dict[int, tuple]:
        """Every role's values for one row, one per column (None where a column has nothing for that role)."""
        columns = range(len(self.COLUMNS))
        content = row.task.content
        lit = row.light is not Light.NONE
        light_tip = self.tr("按序时进度计算的预警：{0}").format(row.light.label) if lit else content
        comment_tip = {
            "open": self.tr("市局对本任务有退回意见，尚未标记“已处理”"),
            "handled": self.tr("市局对本任务的退回意见已标记“已处理”"),
        }.get(row.comment, content)
        tips = {self.LIGHT: light_tip, self.COMMENT: comment_tip}
        if row.former is not None:  # every cell says why the row is grey and cannot be changed
            content = row.former.read_only_reason(row.progress.unit)
            tips = {}
        prepared: dict[int, tuple] = {
            int(Qt.ItemDataRole.DisplayRole): tuple(self._display(row, c) for c in columns),
            SORT_ROLE: tuple(self._sort_key(row, c) for c in columns),
            SEQ_ROLE: (row.task.seq,) * len(columns),
            int(Qt.ItemDataRole.ToolTipRole): tuple(tips.get(c, content) for c in columns),
            int(Qt.ItemDataRole.TextAlignmentRole): tuple(
                RIGHT if c in (self.SEQ, self.PERCENT, self.EVIDENCE) else None for c in columns
            ),
        }
        colours = light_colours(row.light)
        if colours:
            for role, colour in zip(
                (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole), colours, strict=True
            ):
                prepared[int(role)] = tuple(colour if c == self.LIGHT else None for c in columns)
        if row.former is not None:
            prepared[int(Qt.ItemDataRole.ForegroundRole)] = (former_colour(),) * len(columns)
        if row.comment == "open":  # the 意见 column in the orange of the comment box
            for role, name in zip(
                (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole), COMMENT_COLOURS, strict=True
            ):
                cells = list(prepared.get(int(role), (None,) * len(columns)))
                cells[self.COMMENT] = QColor(name)
                prepared[int(role)] = tuple(cells)
        return prepared

    def _display(self, row: TaskRow, column: int) -> str:
        progress = row.progress
        if column == self.SEQ:
            return str(row.task.seq)
        if column == self.CATEGORY:
            return row.task.category
        if column == self.NAME:
            name = row.task.name if row.task.project_no is None else row.task.content
            return name if row.former is None else self.tr("{0}（{1}，只能查看）").format(name, row.former.mark)
        if column == self.ROLE:
            return row.role.label if row.role is not None else FORMER_LABEL
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
            return _STATUS_ORDER.index(row.progress.status) if row.progress.status else -1
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
        # Qt ≥ 6.10 brackets a filter change with beginFilterChange()/endFilterChange(Direction) and deprecates
        # invalidateFilter(); Qt 6.9 has beginFilterChange() but neither Direction nor that endFilterChange, and 6.8
        # has none of them. Looked up by name: the type stubs of each version know only their own.
        direction = getattr(QSortFilterProxyModel, "Direction", None)
        begin, end = getattr(self, "beginFilterChange", None), getattr(self, "endFilterChange", None)

        def change() -> None:
            self.category, self.role, self.status, self.light = category, role, status, light
            self.text = text.strip().casefold()

        if direction is not None and begin is not None and end is not None:
            begin()
            change()
            end(direction.Rows)
        else:
            change()
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
