"""Choosing the reporting period: its kind (月/季/半年/年) and which one, with previous/next buttons."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QToolButton, QWidget

from ipdesk.domain.deadlines import plan_periods
from ipdesk.domain.periods import Period, PeriodKind

KIND_LABELS = (
    (PeriodKind.MONTH, "月报"),
    (PeriodKind.QUARTER, "季报"),
    (PeriodKind.HALF, "半年报"),
    (PeriodKind.YEAR, "年报"),
)


class PeriodPicker(QWidget):
    changed = Signal(object)  # Period
    kind_changed = Signal(object)  # PeriodKind, chosen by the clerk (the report kind of 设置)

    def __init__(self, span_start: dt.date, span_end: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.span_start, self.span_end = span_start, span_end
        self.kind = QComboBox()
        for kind, label in KIND_LABELS:
            self.kind.addItem(self.tr(label), kind.value)
        self.kind.setToolTip(self.tr("报送周期：与“设置”中的报送周期是同一个设置，待办按它列出各期"))
        self.period = QComboBox()
        # Wide enough for the longest name in Chinese ("2025年第四季度"): a length in characters would be measured
        # in Latin letters, half as wide as hanzi, and cut it off.
        self.period.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        metrics = self.period.fontMetrics()
        longest = max(metrics.horizontalAdvance(text) for text in ("2025年12月", "2025年第四季度", "2025年下半年"))
        self.period.setMinimumWidth(longest + 40)  # and the arrow and frame
        self.previous_button = QToolButton()
        self.previous_button.setText("◀")
        self.previous_button.setToolTip(self.tr("上一期"))
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setToolTip(self.tr("下一期"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.previous_button, self.period, self.next_button):
            layout.addWidget(widget)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self._quiet = False

    def _fill(self, kind: PeriodKind, selected: Period | None) -> None:
        self._quiet = True
        try:
            self.period.clear()
            for period in plan_periods(kind, self.span_start, self.span_end):
                self.period.addItem(period.chinese, period.code)
            if selected is not None:
                index = self.period.findData(selected.code)
                self.period.setCurrentIndex(index if index >= 0 else self.period.count() - 1)
        finally:
            self._quiet = False

    def set_period(self, period: Period) -> None:
        self._quiet = True
        self.kind.setCurrentIndex(self.kind.findData(period.kind.value))
        self._quiet = False
        self._fill(period.kind, period)
        self._update_buttons()

    def current(self) -> Period | None:
        code = self.period.currentData()
        return Period.parse(code) if code else None

    def step(self, direction: int) -> None:
        index = self.period.currentIndex() + direction
        if 0 <= index < self.period.count():
            self.period.setCurrentIndex(index)

    def _kind_changed(self) -> None:
        if self._quiet:
            return
        kind = PeriodKind(self.kind.currentData())
        previous = self.current()
        target = Period.containing(previous.end, kind) if previous else None
        self._fill(kind, target)
        self.kind_changed.emit(kind)
        self._period_changed()

    def _period_changed(self) -> None:
        if self._quiet:
            return
        self._update_buttons()
        if self.current() is not None:
            self.changed.emit(self.current())

    def _update_buttons(self) -> None:
        index = self.period.currentIndex()
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(0 <= index < self.period.count() - 1)
