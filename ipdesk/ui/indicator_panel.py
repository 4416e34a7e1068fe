"""The indicators tab: the headline indicators the unit owns and the projects' sub-targets it answers for.

Each table shows where the unit stands against what is expected by the end of the period (by the indicator's kind:
a yearly amount in proportion to the year elapsed, 序时), as ``domain.lights.judge_indicator`` judges it everywhere;
the form beside edits the selected row.
Numbers may be typed as clerks type them ("1,648亿元", "１６４８"); anything else is refused beside the field. A value
that moves more than half from the previous period's (the rule of ``domain.progress.large_change``) is only kept
once the clerk confirms it, once, and says why. What could not be saved stays in the form, with the reason, and is
tried again; moving to another row keeps it as a draft for that row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ipdesk.console import format_number
from ipdesk.domain.errors import CorruptDatabase, InvalidInput, IpdeskError, StorageError
from ipdesk.domain.former_tasks import FormerIndicator, role_or_former_label
from ipdesk.domain.lights import IndicatorJudgement, Light
from ipdesk.domain.numbers import parse_number
from ipdesk.domain.periods import Period
from ipdesk.domain.progress import IndicatorValue, TargetValue, with_change_reason
from ipdesk.ui.rows_model import RowsTableModel
from ipdesk.ui.task_table import former_brush, light_brushes
from ipdesk.workspace import OwnedIndicator, OwnedTarget, Workspace

RETRY_MS = 5000


@dataclass
class IndicatorRow:
    owned: OwnedIndicator
    entry: IndicatorValue
    judgement: IndicatorJudgement
    former: FormerIndicator | None = None  # an indicator a plan update gave to other units: read-only

    @property
    def light(self) -> Light:
        return self.judgement.light


@dataclass
class ValueDraft:
    """A row's value, note and source as typed, not saved yet, and why."""

    value: str
    note: str
    source: str
    problem: str
    retry: bool = False


@dataclass
class TargetRow:
    owned: OwnedTarget
    entry: TargetValue


def _target_text(op: str, value: float) -> str:
    if op == "保持":
        return f"保持{format_number(value)}"
    return f"{'' if op == '=' else op}{format_number(value)}"


KIND_TIPS = {
    "flow": "年度流量：填本年截至本期末的累计数；本期应达 = 本年预期值 × 本年已过时间比例（序时）",
    "stock": "存量：填本期末的数量；本期应达为从基数到目标的增长路径上本期末的位置",
    "rate": "比率：填本期的水平；本期应达为本年预期水平",
    "hold": "保持：填本期的水平；本期应达为要保持的水平",
}


class IndicatorTableModel(RowsTableModel):
    COLUMNS = (
        "序号",
        "指标",
        "角色",
        "单位",
        "基数",
        "目标",
        "类型",
        "本年预期值",
        "本期应达",
        "本期数值",
        "序时完成率",
        "预警",
        "说明",
        "数据来源",
    )
    LIGHT = 11

    rows: list[IndicatorRow]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        indicator, column = row.owned.indicator, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            baseline = (
                "—"
                if indicator.baseline is None
                else f"{format_number(indicator.baseline)}（{indicator.baseline_year}）"
            )
            values = [
                str(indicator.seq),
                indicator.name,
                role_or_former_label(row.owned.role),
                indicator.unit_of_measure,
                baseline,
                _target_text(indicator.target_op, indicator.target) + f"（{indicator.target_year}）",
                indicator.kind_of.label,
                format_number(row.judgement.year_expected, 2),
                format_number(row.judgement.expected, 2),
                format_number(row.entry.value),
                "—" if row.judgement.rate is None else f"{row.judgement.rate * 100:.1f}%",
                row.light.label,
                row.entry.note,
                row.entry.data_source,
            ]
            return values[column]
        if row.former is not None and role == Qt.ItemDataRole.ToolTipRole:
            return row.former.read_only_reason(row.entry.unit)
        if row.former is not None and role == Qt.ItemDataRole.ForegroundRole and column != self.LIGHT:
            return former_brush()
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return indicator.growth_text and self.tr("年均预增：{0}").format(indicator.growth_text)
        if role == Qt.ItemDataRole.ToolTipRole and column in (6, 8, 10):
            return self.tr(KIND_TIPS[indicator.kind_of.value])
        if column == self.LIGHT and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            brushes = light_brushes(row.light)
            if brushes:
                return brushes[0] if role == Qt.ItemDataRole.BackgroundRole else brushes[1]
        return None


class TargetTableModel(RowsTableModel):
    COLUMNS = ("示范工程", "目标", "目标值", "累计完成", "说明", "原文")

    rows: list[TargetRow]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        project, target = row.owned.project, row.owned.target
        per_year = "（每年）" if target.measure == "per_year" else ""
        values = [
            f"工程{project.no}",
            target.name,
            f"{_target_text(target.op, target.value)}{target.unit_of_measure}{per_year}",
            "" if row.entry.value is None else f"{format_number(row.entry.value)}{target.unit_of_measure}",
            row.entry.note,
            target.quote,
        ]
        return values[index.column()]


class IndicatorPanel(QWidget):
    message = Signal(str)
    changed = Signal()
    damaged = Signal(str)  # the database turned out to be damaged: the window offers the newest good backup

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.unit = ""
        self.period: Period | None = None
        self.locked = False

        self.model = IndicatorTableModel(self)
        self.table = self._table(self.model)
        self.target_model = TargetTableModel(self)
        self.target_table = self._table(self.target_model)

        self.value = QLineEdit()
        self.value.setPlaceholderText(self.tr("例如 1,648 或 １６４８"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("未能填写数值时说明原因；数值变化大时说明原因"))
        self.source = QLineEdit()
        self.source.setPlaceholderText(self.tr("例如 市统计局年报、本单位台账"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.editing = QLabel(self.tr("请选择一项指标或目标"))
        self.editing.setStyleSheet("font-weight: bold;")
        form = QFormLayout()
        form.addRow(self.editing)
        form.addRow(self.tr("本期数值"), self.value)
        form.addRow("", self.error)
        form.addRow(self.tr("说明"), self.note)
        form.addRow(self.tr("数据来源"), self.source)
        editor = QGroupBox(self.tr("填报"))
        editor.setLayout(form)

        # A unit that leads no indicator (碑林区) is told so, instead of being shown two empty tables.
        self.no_indicators = QLabel(self.tr("本单位不牵头主要发展指标，本页的指标表无需填报。"))
        self.no_targets = QLabel(self.tr("本单位不负责示范工程的量化目标，无需填报。"))
        for note in (self.no_indicators, self.no_targets):
            note.setWordWrap(True)
            note.setStyleSheet("color: #555; padding: 8px;")
            note.hide()
        indicators_box = QGroupBox(self.tr("本单位负责的主要发展指标"))
        box_layout = QVBoxLayout(indicators_box)
        box_layout.addWidget(self.no_indicators)
        box_layout.addWidget(self.table)
        targets_box = QGroupBox(self.tr("本单位负责的示范工程目标（填写截至本期的累计完成数）"))
        box_layout = QVBoxLayout(targets_box)
        box_layout.addWidget(self.no_targets)
        box_layout.addWidget(self.target_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(indicators_box)
        splitter.addWidget(targets_box)
        self.splitter = splitter
        layout = QHBoxLayout(self)
        layout.addWidget(splitter, 3)
        layout.addWidget(editor, 1)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._select(self.table))
        self.target_table.selectionModel().currentRowChanged.connect(lambda *_: self._select(self.target_table))
        for field in (self.value, self.note, self.source):
            field.editingFinished.connect(self.commit)
            field.installEventFilter(self)
        self._current: IndicatorRow | TargetRow | None = None
        self._committing = False  # a commit is asking the clerk: focus moving to its dialog must not commit again
        self.drafts: dict[tuple[str, ...], ValueDraft] = {}  # what could not be saved, by row
        self.may_edit: Callable[[], bool] | None = None  # asked before the first change (a submitted report)
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._retry_when_free)
        self._set_editor_enabled(False)

    def _table(self, model: RowsTableModel) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # -- loading --------------------------------------------------------------------------------------------
    def load(self, unit: str, period: Period, locked: bool) -> None:
        self.commit()
        self.unit, self.period, self.locked = unit, period, locked
        values = self.ws.indicator_values.for_unit(unit, period)
        rows = []
        for owned in self.ws.indicators.for_unit(unit):
            indicator = owned.indicator
            entry = values.get(indicator.seq, IndicatorValue(indicator.seq, unit, period))
            rows.append(IndicatorRow(owned, entry, self.ws.lights.judge(indicator, entry.value, period)))
        for former in self.ws.indicator_values.former(unit, period):  # after the unit's own, read-only
            indicator = former.indicator
            entry = values[indicator.seq]
            judgement = self.ws.lights.judge(indicator, entry.value, period)
            rows.append(IndicatorRow(OwnedIndicator(indicator, None), entry, judgement, former))
        self.model.set_rows(rows)
        targets = self.ws.target_values.for_unit(unit, period)
        self.target_model.set_rows(
            [
                TargetRow(
                    o, targets.get((o.project.no, o.target.seq), TargetValue(o.project.no, o.target.seq, unit, period))
                )
                for o in self.ws.projects.targets_for_unit(unit)
            ]
        )
        self._current = None
        for note, table, model in (
            (self.no_indicators, self.table, self.model),
            (self.no_targets, self.target_table, self.target_model),
        ):
            note.setVisible(model.rowCount() == 0)
            table.setVisible(model.rowCount() > 0)
        nothing = self.model.rowCount() == 0 and self.target_model.rowCount() == 0
        self.editing.setText(self.tr("本单位在本页没有需要填报的内容") if nothing else self.tr("请选择一项指标或目标"))
        self._set_editor_enabled(False)

    def _set_editor_enabled(self, enabled: bool) -> None:
        for field in (self.value, self.note, self.source):
            field.setEnabled(enabled)
            field.setReadOnly(self.locked)
            if not enabled:
                field.clear()
        self.error.clear()

    def _select(self, table: QTableView) -> None:
        index = table.currentIndex()
        if not index.isValid():  # cleared because the other table was chosen: nothing to do (and no loop back)
            return
        self.commit()
        other = self.target_table if table is self.table else self.table
        other.selectionModel().clearCurrentIndex()
        other.clearSelection()
        model = table.model()
        assert isinstance(model, RowsTableModel)  # both tables show ipdesk's row models
        row = model.rows[index.row()]
        self._current = row
        self._set_editor_enabled(True)
        self.editing.setToolTip("")
        if isinstance(row, IndicatorRow):
            indicator = row.owned.indicator
            self.editing.setText(f"{indicator.seq}. {indicator.name}（{indicator.unit_of_measure}）")
            self.source.setEnabled(True)
            self.source.setText(row.entry.data_source)
            if row.former is not None:  # shown, never changed
                for field in (self.value, self.note, self.source):
                    field.setReadOnly(True)
                self.editing.setText(self.tr("{0}. {1}：原承担指标，只能查看").format(indicator.seq, indicator.name))
                self.editing.setToolTip(row.former.read_only_reason(self.unit))
        else:
            target = row.owned.target
            self.editing.setText(f"工程{row.owned.project.no}：{target.name}（{target.unit_of_measure}）")
            self.source.setEnabled(False)
            linked = self.ws.target_values.linked_indicator(row.owned.project.no, target.seq, self.unit)
            if linked is not None:  # the same quantity as an indicator: entered there, shown here
                self._set_editor_enabled(False)
                self.editing.setText(
                    self.tr("工程{0}：{1}——与指标{2}为同一数据，请在上表填写指标{2}").format(
                        row.owned.project.no, target.name, linked.seq
                    )
                )
        self.value.setText(format_number(row.entry.value) if row.entry.value is not None else "")
        self.note.setText(row.entry.note)
        draft = self.drafts.get(self._key(row))
        if draft is not None and not self.locked:  # what was typed here and not saved yet
            self.value.setText(draft.value)
            self.note.setText(draft.note)
            if isinstance(row, IndicatorRow):
                self.source.setText(draft.source)
            self.error.setText(draft.problem)

    def select_indicator(self, seq: int) -> None:
        for number, row in enumerate(self.model.rows):
            if row.owned.indicator.seq == seq:
                self.table.selectRow(number)
                self.value.setFocus()
                return

    # -- saving ---------------------------------------------------------------------------------------------
    def _key(self, row: IndicatorRow | TargetRow) -> tuple[str, ...]:
        period = self.period.code if self.period else ""
        if isinstance(row, IndicatorRow):
            return (period, str(row.owned.indicator.seq))
        return (period, f"{row.owned.project.no}-{row.owned.target.seq}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.may_edit is not None and self._current is not None and not self.locked:
            kind = event.type()
            typed = (
                kind == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and (
                    (bool(event.text()) and event.text().isprintable())
                    or event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
                )
            ) or (kind == QEvent.Type.InputMethod and isinstance(event, QInputMethodEvent) and event.commitString())
            if typed and not self.may_edit():
                return True
        return super().eventFilter(watched, event)

    def confirm_jump(self, previous: float, new: float, unit_of_measure: str) -> str | None:
        """Ask the clerk, once, to confirm a large change and say why; None when they decline."""
        from ipdesk.domain.progress import LargeChange

        note, ok = QInputDialog.getText(
            self,
            self.tr("数值变化较大"),
            LargeChange(previous, new).question(unit_of_measure) + self.tr("\n确认无误请说明原因（如统计口径变化）："),
        )
        return note.strip() if ok and note.strip() else None

    def _retry_when_free(self) -> None:
        """The retry timer: try again when no background operation is writing (else at the next tick)."""
        if not self.ws.busy():
            self.commit()

    def commit(self) -> None:
        """Save the form for the selected row (on leaving a field, choosing another row, switching period …)."""
        if self._committing:
            return
        self._committing = True
        try:
            self._commit()
        finally:
            self._committing = False

    def _commit(self) -> None:
        row = self._current
        if row is None or self.locked or self.period is None:
            return
        if isinstance(row, IndicatorRow) and row.former is not None:
            return
        key = self._key(row)
        typed = (self.value.text(), self.note.text(), self.source.text())
        unit_of_measure = (
            row.owned.indicator.unit_of_measure if isinstance(row, IndicatorRow) else row.owned.target.unit_of_measure
        )
        try:
            value = parse_number(self.value.text(), unit=unit_of_measure, label="本期数值")
        except InvalidInput as error:
            self._keep(key, typed, str(error), retry=False)
            return
        note = self.note.text().strip()
        try:
            entry: IndicatorValue | TargetValue
            if isinstance(row, IndicatorRow):
                indicator_entry = row.entry.with_changes(value=value, note=note, data_source=self.source.text().strip())
                changing = value != row.entry.value
                jump = self.ws.indicator_values.large_change(indicator_entry) if changing else None
                entry = indicator_entry
            else:
                target_entry = row.entry.with_changes(value=value, note=note)
                jump = self.ws.target_values.large_change(target_entry) if value != row.entry.value else None
                entry = target_entry
            if jump is not None:
                reason = self.confirm_jump(jump.previous, jump.new, unit_of_measure)
                if reason is None:
                    self.drafts.pop(key, None)
                    self.value.setText("" if row.entry.value is None else format_number(row.entry.value))
                    self.error.setText(
                        self.tr("未保存：本期数值 {0} 较上期变化超过50%，需确认并说明原因").format(
                            format_number(jump.new)
                        )
                    )
                    return
                note = with_change_reason(note, reason)
                self.note.setText(note)
                entry = entry.with_changes(note=note)
            if isinstance(entry, IndicatorValue):
                changed = self.ws.indicator_values.save(entry)
            else:
                changed = self.ws.target_values.save(entry)
        except StorageError as error:
            self._keep(key, (self.value.text(), self.note.text(), self.source.text()), str(error), retry=True)
            return
        except CorruptDatabase as error:
            self._keep(key, typed, str(error), retry=False)
            self.damaged.emit(str(error))
            return
        except IpdeskError as error:
            self._keep(key, typed, str(error), retry=False)
            return
        self.drafts.pop(key, None)
        self.error.clear()
        if not any(d.retry for d in self.drafts.values()):
            self._retry.stop()
        if changed:
            self._refresh_current(row)
            if self.note.text() != row.entry.note:  # the reason for a large change left with the large change
                self.note.setText(row.entry.note)
            self.message.emit(self.tr("已保存"))
            self.changed.emit()

    def forget_drafts(self) -> None:
        """Drop what could not be saved (it has been written elsewhere, or the clerk chose to let it go)."""
        self.drafts.clear()
        self._retry.stop()
        self._current = None
        self._set_editor_enabled(False)

    def _keep(self, key: tuple[str, ...], typed: tuple[str, str, str], why: str, retry: bool) -> None:
        """What could not be saved stays: in the form, and as a draft of its row; a passing failure is retried."""
        self.drafts[key] = ValueDraft(*typed, problem=why, retry=retry)
        self.error.setText(why + (self.tr("\n填写的内容没有丢失，程序会自动重试。") if retry else ""))
        if retry:
            self._retry.start()

    def _refresh_current(self, row: IndicatorRow | TargetRow) -> None:
        assert self.period is not None
        if isinstance(row, IndicatorRow):
            indicator = row.owned.indicator
            row.entry = self.ws.indicator_values.get(indicator.seq, self.unit, self.period)
            row.judgement = self.ws.lights.judge(indicator, row.entry.value, self.period)
            self.model.refresh_row(self.model.rows.index(row))
            for number, target_row in enumerate(self.target_model.rows):  # a target showing this indicator
                if target_row.owned.target.indicator_seq == indicator.seq:
                    project_no, seq = target_row.owned.project.no, target_row.owned.target.seq
                    target_row.entry = self.ws.target_values.get(project_no, seq, self.unit, self.period)
                    self.target_model.refresh_row(number)
        else:
            row.entry = self.ws.target_values.get(row.owned.project.no, row.owned.target.seq, self.unit, self.period)
            self.target_model.refresh_row(self.target_model.rows.index(row))
