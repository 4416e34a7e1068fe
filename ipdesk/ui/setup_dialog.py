"""First-run setup (and 设置 later): which unit this copy reports for, who fills it in, who reviews it, and from which
period the unit reports with ipdesk (earlier periods were reported otherwise and are not listed as owed)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.deadlines import default_period, plan_periods
from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.workspace import Workspace

UNIT_ROLE = Qt.ItemDataRole.UserRole + 1


class UnitPicker(QWidget):
    """A searchable list of units grouped by kind (市级部门, 区县, 开发区（新区）)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("输入单位名称的一部分筛选，如“碑林”"))
        self.search.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        groups: dict[str, QStandardItem] = {}
        for unit in ws.units.all():
            group = groups.get(unit.kind.group)
            if group is None:
                group = QStandardItem(unit.kind.group)
                group.setSelectable(False)
                groups[unit.kind.group] = group
                self.model.appendRow(group)
            item = QStandardItem(unit.name)
            item.setData(unit.name, UNIT_ROLE)
            group.appendRow(item)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QTreeView()
        self.view.setModel(self.proxy)
        self.view.setHeaderHidden(True)
        self.view.expandAll()
        self.view.setMinimumHeight(220)
        self.search.textChanged.connect(self._filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.view)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.view.expandAll()
        matches = self._unit_indexes()
        if len(matches) == 1:
            self.view.setCurrentIndex(matches[0])

    def _unit_indexes(self):
        found = []
        for group_row in range(self.proxy.rowCount()):
            group = self.proxy.index(group_row, 0)
            found += [self.proxy.index(r, 0, group) for r in range(self.proxy.rowCount(group))]
        return found

    def selected(self) -> str:
        index = self.view.currentIndex()
        return index.data(UNIT_ROLE) or "" if index.isValid() else ""

    def select(self, name: str) -> None:
        for index in self._unit_indexes():
            if index.data(UNIT_ROLE) == name:
                self.view.setCurrentIndex(index)
                self.view.scrollTo(index)
                return


FIRST_PERIOD_HINT = "更早的各期已用其他方式（纸质、邮件）报送，不列入待办；要补报更早的期次，选更早的一期。"


class FirstPeriodBox(QComboBox):
    """The period from which the unit reports with ipdesk, among the plan's periods of one kind."""

    def __init__(self, ws: Workspace, today: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws, self.today = ws, today
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        chosen = ws.settings.first_period()
        self.fill(ws.settings.report_kind(), chosen.start if chosen else None)

    def fill(self, kind: PeriodKind, around: dt.date | None) -> None:
        """List ``kind``'s periods; select the one holding ``around`` (default: the period now due)."""
        plan = self.ws.plan
        selected = (
            Period.containing(around, kind)
            if around
            else default_period(kind, plan.start_date, plan.end_date, self.today)
        )
        self.clear()
        for period in plan_periods(kind, plan.start_date, plan.end_date):
            self.addItem(period.chinese, period.code)
        index = self.findData(selected.code)
        self.setCurrentIndex(index if index >= 0 else self.count() - 1)

    def period(self) -> Period:
        return Period.parse(self.currentData())


class SetupDialog(QDialog):
    """Asks for the unit, the clerk's name and phone, the reviewer's name and the first period reported with ipdesk;
    in 设置 also the report kind, deadlines, lights and the PDF's font."""

    def __init__(self, ws: Workspace, first_run: bool, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(self.tr("首次使用：选择本单位") if first_run else self.tr("设置"))
        self.picker = UnitPicker(ws)
        self.clerk = QLineEdit(ws.settings.get(ws.settings.CLERK_NAME))
        self.phone = QLineEdit(ws.settings.get(ws.settings.CLERK_PHONE))
        self.reviewer = QLineEdit(ws.settings.get(ws.settings.REVIEWER_NAME))
        self.clerk.setPlaceholderText(self.tr("填报人姓名"))
        self.phone.setPlaceholderText(self.tr("办公电话或手机"))
        self.reviewer.setPlaceholderText(self.tr("审核人（单位负责人）姓名"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")

        intro = QLabel(
            self.tr("请选择本电脑填报的单位。以后可以在“文件 → 设置”中修改。")
            if first_run
            else self.tr("修改本单位、填报人和报送设置。")
        )
        intro.setWordWrap(True)
        people = QFormLayout()
        people.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        people.addRow(self.tr("填报人"), self.clerk)
        people.addRow(self.tr("联系电话"), self.phone)
        people.addRow(self.tr("审核人"), self.reviewer)
        self.first_period = FirstPeriodBox(ws, today or dt.date.today())
        first_hint = QLabel(self.tr(FIRST_PERIOD_HINT))
        first_hint.setWordWrap(True)
        first_hint.setStyleSheet("color: #555;")
        people.addRow(self.tr("开始报送的期次"), self.first_period)
        people.addRow("", first_hint)

        # Two columns, the unit list beside the rest: the dialog fits a 1280×720 screen with room to spare.
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        columns = QHBoxLayout()
        columns.addWidget(self.picker, 1)
        right = QVBoxLayout()
        right.addLayout(people)
        columns.addLayout(right, 1)
        layout.addLayout(columns, 1)

        self.due_day = QSpinBox()
        self.due_day.setRange(1, 28)
        self.due_day.setValue(ws.settings.due_day())
        self.due_day.setSuffix(self.tr(" 日"))
        self.kind = QComboBox()
        for kind, label in (
            (PeriodKind.MONTH, "月报"),
            (PeriodKind.QUARTER, "季报"),
            (PeriodKind.HALF, "半年报"),
            (PeriodKind.YEAR, "年报"),
        ):
            self.kind.addItem(self.tr(label), kind.value)
        self.kind.setCurrentIndex(self.kind.findData(ws.settings.report_kind().value))
        self.kind.currentIndexChanged.connect(
            lambda _: self.first_period.fill(PeriodKind(self.kind.currentData()), self.first_period.period().start)
        )
        self.pdf_font = QComboBox()
        self.pdf_font.addItem(self.tr("文泉驿微米黑（随程序提供）"), "")
        for key, shown in ws.reports.pdf_faces().items():
            self.pdf_font.addItem(self.tr("{0}（本机字体）").format(shown), key)
        self.pdf_font.setCurrentIndex(max(0, self.pdf_font.findData(ws.settings.get(ws.settings.PDF_FONT))))
        self.pdf_font.setEnabled(self.pdf_font.count() > 1)
        thresholds = ws.settings.thresholds()
        self.green = self._percent_box(thresholds.green)
        self.yellow = self._percent_box(thresholds.yellow)
        if not first_run:
            advanced = QGroupBox(self.tr("报送与预警"))
            form = QFormLayout(advanced)
            form.addRow(self.tr("报送周期"), self.kind)
            form.addRow(self.tr("报送截止日（下月）"), self.due_day)
            form.addRow(self.tr("绿灯：进度达到序时进度的"), self.green)
            form.addRow(self.tr("黄灯：进度达到序时进度的"), self.yellow)
            form.addRow(self.tr("PDF 字体"), self.pdf_font)
            right.addWidget(advanced)
        right.addStretch(1)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        current = ws.settings.get(ws.settings.UNIT)
        if current:
            self.picker.select(current)
        self.resize(860, 500)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        index = self.picker.view.currentIndex()
        if index.isValid():  # now that the list has its size, bring the unit chosen into view
            self.picker.view.scrollTo(index, QTreeView.ScrollHint.PositionAtCenter)

    def _percent_box(self, value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(1, 150)
        box.setDecimals(0)
        box.setSuffix(" %")
        box.setValue(value * 100)
        return box

    def accept(self) -> None:
        unit = self.picker.selected()
        if not unit:
            self.error.setText(self.tr("请先选择本单位"))
            return
        if not self.clerk.text().strip():
            self.error.setText(self.tr("请填写填报人姓名"))
            self.clerk.setFocus()
            return
        settings = self.ws.settings
        values = {
            settings.UNIT: unit,
            settings.CLERK_NAME: self.clerk.text().strip(),
            settings.CLERK_PHONE: self.phone.text().strip(),
            settings.REVIEWER_NAME: self.reviewer.text().strip(),
            settings.DUE_DAY: str(self.due_day.value()),
            settings.REPORT_KIND: self.kind.currentData(),
            settings.LIGHT_GREEN: f"{self.green.value() / 100:g}",
            settings.LIGHT_YELLOW: f"{self.yellow.value() / 100:g}",
            settings.PDF_FONT: self.pdf_font.currentData() or "",
            settings.FIRST_PERIOD: self.first_period.currentData(),
        }
        try:
            settings.update(values)
        except IpdeskError as error:
            self.error.setText(str(error))
            return
        super().accept()


class FirstPeriodDialog(QDialog):
    """For a workspace set up before ipdesk asked: from which period does the unit report with ipdesk?"""

    def __init__(self, ws: Workspace, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(self.tr("从哪一期开始报送"))
        intro = QLabel(
            self.tr("本单位从哪一期开始用 ipdesk 报送？默认是现在应报送的一期。{0}").format(self.tr(FIRST_PERIOD_HINT))
        )
        intro.setWordWrap(True)
        self.first_period = FirstPeriodBox(ws, today or dt.date.today())
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.first_period)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(460, 180)

    def accept(self) -> None:
        try:
            self.ws.settings.set(self.ws.settings.FIRST_PERIOD, self.first_period.currentData())
        except IpdeskError as error:
            self.error.setText(str(error))
            return
        super().accept()
