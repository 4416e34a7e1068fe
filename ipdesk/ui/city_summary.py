"""汇总 in the city office's window: the period's report (月度汇总 / 季度督导报告 / 年度考核) and 终期评估 in one
click each, and the 年度考核 scoring rules, edited with the ranking recomputed as they change."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.deadlines import plan_periods
from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.ui.operations import run_in_background
from ipdesk.workspace import Workspace

REPORT_KINDS = {
    PeriodKind.MONTH: "月度汇总",
    PeriodKind.QUARTER: "季度督导报告",
    PeriodKind.YEAR: "年度考核",
}


def choose_period(parent: QWidget, ws: Workspace, kind: PeriodKind, today: dt.date) -> Period | None:
    """Ask which period (of the plan, begun by today); the newest ended one is offered first."""
    plan = ws.plan
    periods = [p for p in plan_periods(kind, plan.start_date, plan.end_date) if p.start <= today]
    if not periods:
        QMessageBox.information(parent, "ipdesk", parent.tr("方案实施期还没有开始，没有可汇总的报送期"))
        return None
    ended = [p for p in periods if p.end < today]
    default = periods.index(ended[-1]) if ended else len(periods) - 1
    labels = [p.chinese for p in periods]
    choice, ok = QInputDialog.getItem(
        parent, parent.tr(REPORT_KINDS[kind]), parent.tr("报送期："), labels, default, False
    )
    return periods[labels.index(choice)] if ok else None


def write_report(parent: QWidget, ws: Workspace, period: Period | None, today: dt.date) -> None:
    """Write the period's report (or, with ``period`` None, the final evaluation) into a folder the user picks."""
    folder = QFileDialog.getExistingDirectory(parent, parent.tr("报告存入的文件夹"), str(Path.home()))
    if not folder:
        return

    def work() -> list[Path]:
        if period is None:
            return ws.city.reports.final(Path(folder), today)
        return ws.city.reports.report(period, Path(folder), today)

    def done(paths: list[Path]) -> None:
        names = "\n".join(p.name for p in paths)
        answer = QMessageBox.question(
            parent,
            parent.tr("已生成"),
            parent.tr("已写入 {0}：\n{1}\n\n打开该文件夹吗？").format(folder, names),
        )
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(folder))

    def failed(error: BaseException) -> None:
        text = str(error) if isinstance(error, IpdeskError) else parent.tr("生成失败：{0}").format(error)
        QMessageBox.warning(parent, "ipdesk", text)

    run_in_background(parent, parent.tr("正在汇总各单位的报送材料并生成报告…"), work, done, failed)


class AdjustmentsDialog(QDialog):
    """加分 / 扣分 of one year: each unit's entries with their reasons; added and removed here, counted at once."""

    changed = Signal()

    def __init__(self, ws: Workspace, year: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws, self.year = ws, year
        self.setWindowTitle(self.tr("{0}年度考核 加分、扣分").format(year))
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels([self.tr("单位"), self.tr("分值"), self.tr("原因")])
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setColumnWidth(0, 230)
        self.unit = QComboBox()
        for unit in ws.plan.units:
            self.unit.addItem(unit.name)
        self.points = QDoubleSpinBox()
        self.points.setRange(-100, 100)
        self.points.setDecimals(1)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("原因（如 创新工作、通报表扬、通报批评）"))
        add = QPushButton(self.tr("添加"))
        add.clicked.connect(self.add)
        remove = QPushButton(self.tr("删除所选"))
        remove.clicked.connect(self.remove)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form = QHBoxLayout()
        for widget in (self.unit, self.points, self.reason, add):
            form.addWidget(widget)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addWidget(remove)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(680, 420)
        self.load()

    def load(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for item in self.ws.city.reports.adjustments(self.year):
            self.model.appendRow(
                [QStandardItem(item.unit), QStandardItem(f"{item.points:+g}"), QStandardItem(item.reason)]
            )

    def add(self) -> None:
        try:
            self.ws.city.reports.add_adjustment(
                self.year, self.unit.currentText(), self.points.value(), self.reason.text()
            )
        except IpdeskError as error:
            self.error.setText(str(error))
            return
        self.error.clear()
        self.reason.clear()
        self.load()
        self.changed.emit()

    def remove(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        self.ws.city.reports.remove_adjustment(self.year, index.row())
        self.load()
        self.changed.emit()


class RulesDialog(QDialog):
    """考核规则: each rule a number; the year's ranking below is recomputed as soon as a rule changes."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.ws = ws
        self.today = today or dt.date.today()
        self.setWindowTitle(self.tr("年度考核计分规则"))
        self.rules = ws.city.reports.rules()
        self.boxes: dict[str, QDoubleSpinBox] = {}
        form = QFormLayout()
        for name, label in ws.city.reports.rule_fields():
            box = QDoubleSpinBox()
            box.setRange(0, 1000)
            box.setDecimals(2)
            box.setSingleStep(0.1 if getattr(self.rules, name) <= 1 else 1)
            box.setValue(getattr(self.rules, name))
            box.valueChanged.connect(self.recompute)
            self.boxes[name] = box
            form.addRow(self.tr(label), box)
        self.year = QComboBox()
        plan = ws.plan
        for year in range(plan.start_year, min(plan.end_year, self.today.year) + 1):
            self.year.addItem(self.tr("{0}年").format(year), year)
        self.year.setCurrentIndex(self.year.count() - 1)
        self.year.currentIndexChanged.connect(self.recompute)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.model = QStandardItemModel(0, 5, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("类别"), self.tr("名次"), self.tr("单位"), self.tr("总分"), self.tr("等次")]
        )
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        for column, width in enumerate((110, 50, 230, 60)):
            self.view.setColumnWidth(column, width)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.error)
        left.addStretch(1)
        right = QVBoxLayout()
        line = QHBoxLayout()
        line.addWidget(QLabel(self.tr("按此规则计算")))
        line.addWidget(self.year)
        line.addStretch(1)
        right.addLayout(line)
        right.addWidget(self.view, 1)
        columns = QHBoxLayout()
        columns.addLayout(left)
        columns.addLayout(right, 1)
        defaults = QPushButton(self.tr("恢复默认"))
        defaults.clicked.connect(lambda: self.show_rules(ws.city.reports.default_rules()))
        export = QPushButton(self.tr("导出规则…"))
        export.clicked.connect(self.export)
        load = QPushButton(self.tr("导入规则…"))
        load.clicked.connect(self.load)
        adjust = QPushButton(self.tr("加分、扣分…"))
        adjust.setToolTip(self.tr("办公室按单位填写的加分、扣分（须写明原因），合计不超过上限"))
        adjust.clicked.connect(self.open_adjustments)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        row = QHBoxLayout()
        for button in (defaults, export, load, adjust):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addLayout(row)
        self.resize(1000, 560)
        self.recompute()

    def open_adjustments(self) -> None:
        year = self.year.currentData()
        if year is None:
            return
        self.adjustments_dialog = AdjustmentsDialog(self.ws, year, self)
        self.adjustments_dialog.changed.connect(self.recompute)
        self.adjustments_dialog.show()

    def candidate(self):
        """The rules as the boxes say (ValueError when they do not make sense)."""
        return replace(self.rules, **{name: box.value() for name, box in self.boxes.items()})

    def show_rules(self, rules) -> None:
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setValue(getattr(rules, name))
            box.blockSignals(False)
        self.recompute()

    def recompute(self) -> None:
        try:
            rules = self.candidate()
        except IpdeskError as error:
            self.error.setText(str(error))
            self.save_button.setEnabled(False)
            return
        self.error.clear()
        self.save_button.setEnabled(True)
        year = self.year.currentData()
        self.model.removeRows(0, self.model.rowCount())
        if year is None:
            return
        cards = self.ws.city.reports.scores(year, self.today, rules)
        for card in sorted(cards, key=lambda c: (c.group, c.rank)):
            row = [card.group, str(card.rank), card.unit, f"{card.total:g}", card.grade]
            self.model.appendRow([QStandardItem(text) for text in row])

    def accept(self) -> None:
        try:
            self.ws.city.reports.set_rules(self.candidate())
        except IpdeskError as error:
            self.error.setText(str(error))
            return
        super().accept()

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出规则"), str(Path.home() / "考核规则.json"), self.tr("规则文件 (*.json)")
        )
        if not path:
            return
        try:
            self.ws.city.reports.set_rules(self.candidate())
            self.ws.city.reports.export_rules(Path(path))
        except IpdeskError as error:
            self.error.setText(str(error))

    def load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("导入规则"), "", self.tr("规则文件 (*.json)"))
        if not path:
            return
        try:
            self.show_rules(self.ws.city.reports.read_rules(Path(path)))
        except IpdeskError as error:
            self.error.setText(str(error))
