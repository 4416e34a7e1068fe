"""导入方案: what a task list (or the city's plan file) holds, shown before anything is saved.

The clerk sees the plan's name, code, city, span and report title (for a task list: derived, and editable), the
tasks, indicators, projects and units as read, and every row that could not be read with its row number and why;
new units are marked and their kind can be corrected. Nothing is saved until 保存方案, and a file with rows that
cannot be read is saved only when the clerk ticks that those rows are to be left out.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.numbers import number_text, target_text
from ipdesk.domain.plan import UnitKind
from ipdesk.domain.unit_lists import split_units
from ipdesk.ui.rows_model import RowsTableModel
from ipdesk.workspace import Workspace
from ipdesk.workspace.plans import PlanImport, PlanOptions

NEW_UNIT = QColor("#fff4ce")
REJECTED = QColor("#fde7e9")


class TextRows(RowsTableModel):
    """Rows of text under the headers given; rows marked ``True`` in ``marks`` are shaded. A cell may be a pair
    (what the table shows, the whole of it for the tooltip)."""

    def __init__(self, columns: tuple[str, ...], shade: QColor | None = None, parent=None):
        super().__init__(parent)
        self.COLUMNS = columns
        self.shade = shade
        self.marks: list[bool] = []

    def set_rows(self, rows: list, marks: list[bool] | None = None) -> None:
        self.marks = marks or [False] * len(rows)
        super().set_rows(rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        shown, whole = value if isinstance(value, tuple) else (value, value)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if shown is None else str(shown)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "" if whole is None else str(whole)
        if role == Qt.ItemDataRole.BackgroundRole and self.shade is not None and self.marks[index.row()]:
            return QBrush(self.shade)
        return None


def _table(model: TextRows, stretch: int | None = None, fixed: tuple[int, ...] = ()) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for column in fixed:  # long lists of units: a fixed width, the whole list in the tooltip
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, 210)
    return view


class PlanImportDialog(QDialog):
    saved = Signal(object)  # the SavedPlan

    def __init__(self, ws: Workspace, preview: PlanImport, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws, self.preview = ws, preview
        self.kinds: dict[str, UnitKind] = {}
        self.setWindowTitle(self.tr("导入方案"))
        from_file = preview.origin == "plan_file"

        self.source = QLabel()
        self.source.setWordWrap(True)
        self.title = QLineEdit()
        self.code = QLineEdit()
        self.city = QLineEdit()
        self.start = QLineEdit()
        self.end = QLineEdit()
        self.report_title = QLineEdit()
        self.start.setPlaceholderText("2026-01-01")
        self.end.setPlaceholderText("2030-12-31")
        self.fields = (self.title, self.code, self.city, self.start, self.end, self.report_title)
        for box in self.fields:
            box.setReadOnly(from_file)
        self.reread = QPushButton(self.tr("按修改重新读取"))
        self.reread.setToolTip(self.tr("修改名称、代码、城市、实施期或报表标题后，按修改后的内容重新读取文件"))
        self.reread.clicked.connect(self.read_again)
        self.reread.setVisible(not from_file)
        form = QFormLayout()
        form.addRow(self.tr("方案名称："), self.title)
        span = QHBoxLayout()
        span.addWidget(self.start)
        span.addWidget(QLabel("—"))
        span.addWidget(self.end)
        span.addStretch(1)
        span.addWidget(QLabel(self.tr("城市：")))
        span.addWidget(self.city)
        span.addWidget(QLabel(self.tr("方案代码：")))
        span.addWidget(self.code)
        form.addRow(self.tr("实施期："), span)
        title_line = QHBoxLayout()
        title_line.addWidget(self.report_title, 1)
        title_line.addWidget(self.reread)
        form.addRow(self.tr("报表标题："), title_line)

        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")

        self.tasks = TextRows(("序号", "类别", "任务名称", "任务内容", "责任单位", "协作单位", "其他"))
        self.indicators = TextRows(
            ("序号", "指标", "单位", "基数", "目标", "年均预增", "指标类型", "责任单位"), NEW_UNIT
        )  # shaded: a kind read from the name, to be confirmed
        self.projects = TextRows(("工程", "工程名称", "目标", "目标值", "口径", "责任单位"))
        self.units = TextRows(("代码", "单位", "类别", "来源", "牵头任务", "协作任务"), NEW_UNIT)
        self.unreadable = TextRows(("工作表", "行", "原因"), REJECTED)
        self.notes = TextRows(("说明",))
        self.tabs = QTabWidget()
        self.unit_view = _table(self.units, 1)
        self.change_kind = QPushButton(self.tr("修改类别…"))
        self.change_kind.setToolTip(self.tr("新增单位的类别（市级部门、区、县、新区、开发区）按名称推断，可在此更正"))
        self.change_kind.clicked.connect(self.correct_kind)
        self.change_kind.setVisible(not from_file)
        unit_page = QWidget()
        unit_layout = QVBoxLayout(unit_page)
        unit_layout.setContentsMargins(0, 0, 0, 0)
        unit_layout.addWidget(self.unit_view)
        unit_buttons = QHBoxLayout()
        self.unit_hint = QLabel()
        unit_buttons.addWidget(self.unit_hint, 1)
        unit_buttons.addWidget(self.change_kind)
        unit_layout.addLayout(unit_buttons)
        self.pages = [
            (_table(self.tasks, 3, fixed=(4, 5)), "任务清单"),
            (_table(self.indicators, 1), "主要发展指标"),
            (_table(self.projects, 2), "示范工程"),
            (unit_page, "责任单位"),
            (_table(self.unreadable, 2), "无法读取的行"),
            (_table(self.notes, 0), "说明"),
        ]
        for page, name in self.pages:
            self.tabs.addTab(page, self.tr(name))

        self.accept_rejects = QCheckBox()
        self.accept_rejects.toggled.connect(self._update_buttons)
        self.confirm = QCheckBox(self.tr("我已核对以上须确认的提醒，仍然保存"))
        self.confirm.toggled.connect(self._update_buttons)
        self.use = QCheckBox(self.tr("保存后改用此方案（成为当前方案）"))
        self.use.setChecked(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("保存方案"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.source)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.accept_rejects)
        layout.addWidget(self.confirm)
        bottom = QHBoxLayout()
        bottom.addWidget(self.use)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.resize(1180, 660)
        self.show_preview(preview)

    # -- showing what was read ----------------------------------------------------------------------------------
    def show_preview(self, preview: PlanImport) -> None:
        self.preview = preview
        plan = preview.plan
        kind = self.tr("市局方案文件") if preview.origin == "plan_file" else self.tr("任务清单")
        sheets = "、".join(preview.sheets.values())
        source = self.tr("{0}：{1}").format(kind, preview.source)
        if sheets:
            source += self.tr("（读取的工作表：{0}）").format(sheets)
        if preview.origin == "plan_file":
            source += self.tr("\n签发：{0}，{1}；证书指纹 {2}；签名有效").format(
                preview.signed_by, preview.published_at[:16].replace("T", " "), preview.fingerprint
            )
        self.source.setText(source)
        fields = preview.fields
        values = (
            (plan.title if plan else fields.get("title", "")),
            (plan.code if plan else fields.get("code", "")),
            (plan.city if plan else fields.get("city", "")),
            (plan.start_date.isoformat() if plan else fields.get("start", "")),
            (plan.end_date.isoformat() if plan else fields.get("end", "")),
            (plan.report_title if plan else fields.get("report_title", "")),
        )
        for box, value in zip(self.fields, values, strict=True):
            box.setText(value)
            box.setCursorPosition(0)
        tasks = plan.tasks if plan else ()
        self.tasks.set_rows(
            [
                (t.seq, t.category, t.name, (t.content.replace("\n", " "), t.content),
                 _units(t.lead_text, t.lead_units), _units(t.coop_text, t.coop_units),
                 "；".join(f"{h}：{v}" for h, v in t.extra))
                for t in tasks
            ]
        )  # fmt: skip
        self.indicators.set_rows(
            [
                (i.seq, i.name, i.unit_of_measure, number_text(i.baseline), target_text(i.target_op, i.target),
                 i.growth_text, i.kind_of.label + ("" if i.kind is not None else self.tr("（按名称推断，请核对）")),
                 _owners(plan, i))
                for i in (plan.indicators if plan else ())
            ],
            [i.kind is None for i in (plan.indicators if plan else ())],
        )  # fmt: skip
        self.projects.set_rows(
            [
                (f"工程{p.no}", p.name, t.name, f"{target_text(t.op, t.value)}{t.unit_of_measure}",
                 {"cumulative": "累计", "level": "目标年水平", "per_year": "每年"}.get(t.measure, t.measure),
                 "、".join(t.owners))
                for p in (plan.projects if plan else ())
                for t in (p.targets or (None,))
                if t is not None
            ]
            + [(f"工程{p.no}", p.name, "", "", "", "") for p in (plan.projects if plan else ()) if not p.targets]
        )  # fmt: skip
        new = set(preview.new_units)
        units = sorted(plan.units if plan else (), key=lambda u: (u.name not in new, u.sort_order))
        self.shown_units = units
        lead = {u.name: sum(u.name in t.lead_units for t in tasks) for u in units}
        coop = {u.name: sum(u.name in t.coop_units for t in tasks) for u in units}
        self.units.set_rows(
            [
                (u.code, u.name, u.kind.label, self.tr("新增") if u.name in new else self.tr("名册"), lead[u.name],
                 coop[u.name])
                for u in units
            ],
            [u.name in new for u in units],
        )  # fmt: skip
        self.unit_hint.setText(
            self.tr("{0} 个单位不在单位名册中，将作为新单位加入（底色标出）；类别按名称推断，可以更正。").format(
                len(new)
            )
            if new
            else self.tr("全部单位都在单位名册中。")
        )
        self.unreadable.set_rows(
            [(r.sheet, r.row, r.reason) for r in preview.rejected_rows], [True] * len(preview.rejected_rows)
        )
        notes = [*preview.notes, *(self.tr("须确认：{0}").format(c) for c in preview.cautions)]
        self.notes.set_rows([(note,) for note in notes])
        counts = (
            len(tasks),
            len(plan.indicators) if plan else 0,
            len(plan.projects) if plan else 0,
            len(units),
            len(preview.rejected_rows),
        )
        for (page, name), count in zip(self.pages, (*counts, len(notes)), strict=True):
            self.tabs.setTabText(self.tabs.indexOf(page), self.tr("{0}（{1}）").format(self.tr(name), count))
        summary = self.tr("读到任务 {0} 项、主要发展指标 {1} 项、示范工程 {2} 项、责任单位 {3} 个").format(*counts[:4])
        if new:
            summary += self.tr("（新增 {0} 个）").format(len(new))
        if preview.rejected_rows:
            summary += self.tr("；{0} 行无法读取").format(len(preview.rejected_rows))
        if preview.existing == "same":
            summary += self.tr("。工作区中已有这一方案，内容相同")
        elif preview.existing == "update":
            summary += self.tr("。工作区中已有该方案的另一版本：保存后更新为这一版本，已填报的内容保留")
        self.summary.setText(summary)
        problems = []
        if preview.missing:
            problems.append(
                self.tr("还缺少：{0}。请在上面填写后按“按修改重新读取”。").format("、".join(preview.missing))
            )
        if preview.cautions:
            shown = "\n".join(f"· {c}" for c in preview.cautions[:3])
            count = len(preview.cautions)
            more = self.tr("\n……共 {0} 条，见“说明”页").format(count) if count > 3 else ""
            problems.append(self.tr("保存前请核对：\n{0}{1}").format(shown, more))
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))
        self.accept_rejects.setText(
            self.tr("忽略这 {0} 行无法读取的内容，仍然保存（否则请修改文件后重新导入）").format(
                len(preview.rejected_rows)
            )
        )
        self.accept_rejects.setVisible(bool(preview.rejected_rows))
        self.accept_rejects.setChecked(False)
        self.confirm.setVisible(bool(preview.cautions))
        self.confirm.setChecked(False)
        if preview.rejected_rows:
            self.tabs.setCurrentIndex(4)
        self._update_buttons()

    def _update_buttons(self) -> None:
        preview = self.preview
        ready = (
            preview.plan is not None
            and (not preview.rejected_rows or self.accept_rejects.isChecked())
            and (not preview.cautions or self.confirm.isChecked())
        )
        self.save_button.setEnabled(ready and not self.ws.read_only)

    # -- corrections ----------------------------------------------------------------------------------------------
    def options(self) -> PlanOptions:
        return PlanOptions(
            code=self.code.text().strip(),
            title=self.title.text().strip(),
            city=self.city.text().strip(),
            start=_date(self.start.text()),
            end=_date(self.end.text()),
            report_title=self.report_title.text().strip(),
            kinds=dict(self.kinds),
        )

    def read_again(self) -> None:
        for box, label in ((self.start, "实施起始日期"), (self.end, "实施截止日期")):
            if box.text().strip() and _date(box.text()) is None:
                self.problem.setText(self.tr("{0}应写成 2026-01-01 这样").format(self.tr(label)))
                self.problem.setVisible(True)
                return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            preview = self.ws.plans.read(self.preview.source, self.options())
        except IpdeskError as error:
            QMessageBox.warning(self, self.tr("导入方案"), str(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.show_preview(preview)

    def correct_kind(self) -> None:
        index = self.unit_view.currentIndex()
        plan = self.preview.plan
        if plan is None or not index.isValid():
            QMessageBox.information(self, self.tr("修改类别"), self.tr("请先在表中选择一个新增单位"))
            return
        unit = self.shown_units[index.row()]
        if unit.name not in self.preview.new_units:
            QMessageBox.information(
                self, self.tr("修改类别"), self.tr("“{0}”在单位名册中，类别以名册为准").format(unit.name)
            )
            return
        labels = [kind.label for kind in UnitKind]
        chosen, ok = QInputDialog.getItem(
            self,
            self.tr("修改类别"),
            self.tr("“{0}”的类别：").format(unit.name),
            labels,
            labels.index(unit.kind.label),
            False,
        )
        if ok:
            self.kinds[unit.name] = next(kind for kind in UnitKind if kind.label == chosen)
            self.read_again()

    # -- saving ---------------------------------------------------------------------------------------------------
    def save(self) -> None:
        try:
            result = self.ws.plans.save(
                self.preview, self.accept_rejects.isChecked(), self.use.isChecked(), confirmed=self.confirm.isChecked()
            )
        except IpdeskError as error:
            QMessageBox.warning(self, self.tr("未保存"), str(error))
            return
        self.saved.emit(result)
        self.accept()


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _units(text: str, names: tuple[str, ...]) -> tuple[str, str]:
    """A unit column as written, and what it stands for: 各区县政府 → "各区县政府（13 个单位）" with the names in the
    tooltip; a plain list stays as it is."""
    whole = "、".join(names)
    if not names:
        return ("", "")
    if split_units(text) == list(names):
        return (whole, whole)
    return (f"{' '.join(text.split())}（{len(names)} 个单位）", whole)


def _owners(plan, indicator) -> str:
    if indicator.task_seq is not None:
        return "、".join(plan.task(indicator.task_seq).lead_units) + f"（任务第 {indicator.task_seq} 项）"
    return "、".join(indicator.lead_units)


def file_filter() -> str:
    return "任务清单或市局方案文件 (*.xlsx *.csv *.json);;任务清单 (*.xlsx *.csv);;市局方案文件 (*.json)"
