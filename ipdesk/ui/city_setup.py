"""First run: is this copy a unit's (本单位填报) or the city office's (市领导小组办公室汇总)? And for the office, who
works it and from which month it collects with ipdesk."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.deadlines import default_period, plan_periods
from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.periods import PeriodKind
from ipdesk.workspace import Workspace


class SideDialog(QDialog):
    """本单位填报 or 市领导小组办公室汇总, asked once on a new workspace."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None, today: dt.date | None = None):
        super().__init__(parent)
        self.ws = ws
        self.today = today or dt.date.today()
        self.setWindowTitle(self.tr("首次使用：这台电脑用来做什么"))
        self.unit_side = QRadioButton(self.tr("本单位填报：填报本单位的任务进展和指标，审核人签署后报送"))
        self.city_side = QRadioButton(
            self.tr("市领导小组办公室汇总：导入各单位的报送材料，查看报送情况，接收或退回，生成督导和考核报告")
        )
        self.unit_side.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.unit_side)
        group.addButton(self.city_side)
        self.person = QLineEdit(ws.settings.get(ws.settings.REVIEWER_NAME))
        self.person.setPlaceholderText(self.tr("经办人姓名（签发退回意见时使用）"))
        self.since = QComboBox()
        plan = ws.plan
        months = plan_periods(PeriodKind.MONTH, plan.start_date, plan.end_date)
        self.since.addItem(self.tr("方案实施以来全部"), "")
        for month in months:
            self.since.addItem(month.chinese, month.code)
        due = default_period(PeriodKind.MONTH, plan.start_date, plan.end_date, self.today)
        self.since.setCurrentIndex(max(self.since.findData(due.code), 0))
        self.city_form = QWidget()
        form = QFormLayout(self.city_form)
        form.addRow(self.tr("经办人"), self.person)
        form.addRow(self.tr("从哪个月开始汇总"), self.since)
        hint = QLabel(self.tr("更早的报送期不列入报送情况（不会显示为逾期）；以后可在“文件 → 设置”中修改。"))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        form.addRow("", hint)
        self.city_form.setEnabled(False)
        self.city_side.toggled.connect(self.city_form.setEnabled)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("继续"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("同一个程序既供各单位填报，也供市领导小组办公室汇总；一个工作区只能选其一。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.unit_side)
        layout.addWidget(self.city_side)
        layout.addWidget(self.city_form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(640, 320)

    @property
    def side(self) -> str:
        return self.ws.CITY if self.city_side.isChecked() else self.ws.UNIT

    def accept(self) -> None:
        if self.side == self.ws.UNIT:
            super().accept()  # the unit's own setup follows
            return
        try:
            from ipdesk.domain.reports import person_name

            name = person_name(self.person.text(), "经办人")
            self.ws.set_kind(self.ws.CITY)
            self.ws.settings.set(self.ws.settings.REVIEWER_NAME, name)
            since = self.since.currentData()
            self.ws.city.set_collecting_from(since or None)
        except IpdeskError as error:
            self.error.setText(str(error))
            return
        super().accept()


def choose_side(ws: Workspace) -> str | None:
    """The side of this workspace, asking on a new one; None when the user cancelled."""
    if ws.kind:
        return ws.kind
    dialog = SideDialog(ws)
    if not dialog.exec():
        return None
    return dialog.side


class CitySettingsDialog(QDialog):
    """设置 of the city office's workspace: who works it and the phone, the reporting rhythm, the first collected
    month and the deadline, the light thresholds, the PDF's font, and the 通报's 发文机关标志, 发文字号 pattern and
    抄送 — the same stored values as ``ipdesk city settings`` (``ws.city.change_settings``)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(self.tr("设置"))
        current = ws.city.office_settings()
        self.person = QLineEdit(current.person)
        self.phone = QLineEdit(current.phone)
        self.kind = QComboBox()
        for kind in PeriodKind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setCurrentIndex(max(self.kind.findData(current.rhythm.value), 0))
        self.since = QComboBox()
        plan = ws.plan
        self.since.addItem(self.tr("方案实施以来全部"), "")
        for month in plan_periods(PeriodKind.MONTH, plan.start_date, plan.end_date):
            self.since.addItem(month.chinese, month.code)
        code = current.collecting_from.code if current.collecting_from else ""
        self.since.setCurrentIndex(max(self.since.findData(code), 0))
        self.due_day = QSpinBox()
        self.due_day.setRange(1, 28)
        self.due_day.setValue(current.due_day)
        self.due_day.setPrefix(self.tr("次月 "))
        self.due_day.setSuffix(self.tr(" 日"))
        self.due_day.setToolTip(self.tr("遇法定节假日或休息日顺延至下一个工作日（调休上班日为工作日）"))
        self.green = QDoubleSpinBox()
        self.yellow = QDoubleSpinBox()
        for box, value in ((self.green, current.green), (self.yellow, current.yellow)):
            box.setRange(1, 150)
            box.setDecimals(0)
            box.setSuffix(" %")
            box.setValue(round(value * 100))
        self.face = QComboBox()
        self.face.addItem(self.tr("随程序提供的字体（文泉驿微米黑）"), "")
        for key, shown in ws.reports.pdf_faces().items():
            self.face.addItem(shown, key)
        self.face.setCurrentIndex(max(self.face.findData(current.pdf_font), 0))
        # the 通报's 版头 and 版记 (GB/T 9704)
        self.notice_office = QLineEdit(current.notice_office)
        self.notice_office.setPlaceholderText(ws.city.name)
        self.notice_number = QLineEdit(current.notice_number)
        self.notice_number.setPlaceholderText("市知识产权强市办〔{年}〕N号")
        self.notice_number.setToolTip(self.tr("{年} 换成成文年份；N 留给办公室编号。年份须用六角括号〔〕。"))
        self.notice_copy_to = QLineEdit(current.notice_copy_to)
        self.notice_copy_to.setPlaceholderText(self.tr("如：市委办公厅，市政府办公厅。"))
        form = QFormLayout()
        form.addRow(self.tr("经办人"), self.person)
        form.addRow(self.tr("联系电话"), self.phone)
        form.addRow(self.tr("各单位的报送周期"), self.kind)
        form.addRow(self.tr("从哪一期开始汇总"), self.since)
        form.addRow(self.tr("报送截止日"), self.due_day)
        form.addRow(self.tr("绿灯阈值（达到序时进度的）"), self.green)
        form.addRow(self.tr("黄灯阈值"), self.yellow)
        form.addRow(self.tr("PDF 字体"), self.face)
        form.addRow(self.tr("通报的发文机关标志"), self.notice_office)
        form.addRow(self.tr("通报的发文字号"), self.notice_number)
        form.addRow(self.tr("通报的抄送"), self.notice_copy_to)
        hint = QLabel(
            self.tr(
                "开始汇总之前的报送期“未纳入汇总”：不催报、不计未报送、不扣分。修改后报送情况和各报告随即按新设置计算。"
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 460)

    def accept(self) -> None:
        since = self.since.currentData()
        try:
            self.ws.city.change_settings(
                rhythm=self.kind.currentData(),
                collecting_from=since or None,
                whole_plan=not since,
                due_day=self.due_day.value(),
                green=self.green.value() / 100,
                yellow=self.yellow.value() / 100,
                person=self.person.text(),
                phone=self.phone.text(),
                pdf_font=self.face.currentData(),
                notice_office=self.notice_office.text(),
                notice_number=self.notice_number.text(),
                notice_copy_to=self.notice_copy_to.text(),
            )
        except IpdeskError as error:
            self.error.setText(str(error))
            return
        super().accept()
