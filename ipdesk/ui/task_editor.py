"""The task editor: the published content, status, % done, the three texts and the evidence files of one task.

Nothing typed is ever lost: every edit starts a short timer and is saved when it fires (well within a second), and
also when a field loses focus, when the task or period changes, and when the window closes. A % done that cannot be
accepted is refused beside the field with the reason; the rest of the task is still saved.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.errors import InvalidInput, IpdeskError
from ipdesk.domain.numbers import parse_number
from ipdesk.domain.progress import Progress
from ipdesk.domain.statuses import TaskStatus
from ipdesk.ui.operations import run_in_background
from ipdesk.ui.task_table import LIGHT_COLOURS
from ipdesk.workspace import Evidence, TaskProgress, Workspace

AUTOSAVE_MS = 600


class TaskEditor(QWidget):
    saved = Signal(object)  # the saved TaskProgress
    message = Signal(str)  # a line for the status bar

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.row: TaskProgress | None = None
        self.locked = False
        self.dirty = False
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.flush)

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setObjectName("taskTitle")
        self.title.setStyleSheet("#taskTitle { font-size: 13pt; font-weight: bold; }")
        self.units_line = QLabel()
        self.units_line.setWordWrap(True)
        self.units_line.setStyleSheet("color: #555;")
        self.content = QPlainTextEdit()
        self.content.setReadOnly(True)
        self.content.setMaximumHeight(90)
        self.content.setToolTip(self.tr("任务清单原文（只读）"))

        self.status = QComboBox()
        self.status.addItem(self.tr("（请选择）"), None)
        for status in TaskStatus:
            self.status.addItem(status.label, status.value)
        self.percent = QLineEdit()
        self.percent.setPlaceholderText("0–100")
        self.percent.setFixedWidth(64)
        self.percent_error = QLabel()
        self.percent_error.setStyleSheet("color: #b00020;")
        self.percent_error.setWordWrap(True)
        self.expected = QLabel()
        self.light = QLabel()
        self.light.setMinimumWidth(60)
        self.light.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.achievements = self._text_box(self.tr("本期做了什么、取得什么成效（可写数字、文件、会议）"))
        self.problems = self._text_box(self.tr("存在的困难和问题；红灯、滞后任务必须说明原因"))
        self.next_steps = self._text_box(self.tr("下一步的工作安排"))

        self.evidence_model = QStandardItemModel(self)
        self.evidence_view = QListView()
        self.evidence_view.setModel(self.evidence_model)
        self.evidence_view.setMaximumHeight(80)
        self.evidence_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.evidence_view.doubleClicked.connect(self.open_evidence)
        self.add_button = QPushButton(self.tr("添加文件…"))
        self.open_button = QPushButton(self.tr("打开"))
        self.remove_button = QPushButton(self.tr("移除"))
        self.add_button.clicked.connect(self.choose_evidence)
        self.open_button.clicked.connect(self.open_evidence)
        self.remove_button.clicked.connect(self.remove_evidence)

        self.lock_banner = QLabel()
        self.lock_banner.setWordWrap(True)
        self.lock_banner.setStyleSheet("background: #eef; color: #223; padding: 6px; border: 1px solid #99b;")
        self.lock_banner.hide()

        status_line = QHBoxLayout()
        status_line.addWidget(self.status)
        status_line.addSpacing(12)
        status_line.addWidget(QLabel(self.tr("完成进度")))
        status_line.addWidget(self.percent)
        status_line.addWidget(QLabel("%"))
        status_line.addSpacing(12)
        status_line.addWidget(self.expected)
        status_line.addWidget(self.light)
        status_line.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        evidence_box = QVBoxLayout()
        evidence_box.addWidget(self.evidence_view)
        evidence_box.addLayout(buttons)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("任务内容"), self.content)
        form.addRow(self.tr("完成状态"), status_line)
        form.addRow("", self.percent_error)
        form.addRow(self.tr("工作进展及成效"), self.achievements)
        form.addRow(self.tr("存在问题"), self.problems)
        form.addRow(self.tr("下步计划"), self.next_steps)
        form.addRow(self.tr("佐证材料"), evidence_box)

        layout = QVBoxLayout(self)
        layout.addWidget(self.lock_banner)
        layout.addWidget(self.title)
        layout.addWidget(self.units_line)
        layout.addLayout(form, 1)

        self.status.currentIndexChanged.connect(self._edited)
        self.percent.textEdited.connect(self._edited)
        for box in self.text_boxes:
            box.textChanged.connect(self._edited)
            box.installEventFilter(self)
        self.percent.editingFinished.connect(self.flush)
        self.status.activated.connect(lambda _: self.flush())
        self.setTabOrder(self.status, self.percent)
        self.setTabOrder(self.percent, self.achievements)
        self.setTabOrder(self.achievements, self.problems)
        self.setTabOrder(self.problems, self.next_steps)
        self.setTabOrder(self.next_steps, self.add_button)
        self.setEnabled(False)

    def _text_box(self, hint: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setPlaceholderText(hint)
        box.setTabChangesFocus(True)
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        box.setMinimumHeight(60)
        return box

    @property
    def text_boxes(self) -> tuple[QPlainTextEdit, QPlainTextEdit, QPlainTextEdit]:
        return self.achievements, self.problems, self.next_steps

    # -- loading --------------------------------------------------------------------------------------------
    def load(self, row: TaskProgress | None, locked_reason: str = "") -> None:
        """Show ``row``; anything pending for the previous task is saved first."""
        self.flush()
        self.row = row
        self.locked = bool(locked_reason)
        self._loading = True
        try:
            self.setEnabled(row is not None)
            if row is None:
                self.title.setText(self.tr("请在左侧选择一项任务"))
                self.units_line.clear()
                for box in (*self.text_boxes, self.content):
                    box.setPlainText("")
                self.evidence_model.clear()
                return
            task, progress = row.task, row.progress
            self.title.setText(f"{task.seq}. {task.name}" + (f" · {task.content}" if task.project_no else ""))
            self.units_line.setText(
                self.tr("本单位：{0}　责任单位：{1}　协作单位：{2}").format(
                    row.role.label, task.lead_text, task.coop_text or "—"
                )
            )
            self.content.setPlainText(task.content)
            self.status.setCurrentIndex(self.status.findData(progress.status.value) if progress.status else 0)
            self.percent.setText("" if progress.percent is None else f"{progress.percent:g}")
            self.percent_error.clear()
            # setPlainText also clears each box's undo history: undo stays within one task.
            self.achievements.setPlainText(progress.achievements)
            self.problems.setPlainText(progress.problems)
            self.next_steps.setPlainText(progress.next_steps)
            self.lock_banner.setVisible(self.locked)
            self.lock_banner.setText(locked_reason)
            self.status.setEnabled(not self.locked)
            for box in (self.percent, *self.text_boxes):
                box.setReadOnly(self.locked)
            self.add_button.setEnabled(not self.locked)
            self.remove_button.setEnabled(not self.locked)
            self._show_light(progress)
            self._load_evidence()
        finally:
            self._loading = False
            self.dirty = False

    def _load_evidence(self) -> None:
        self.evidence_model.clear()
        if self.row is None:
            return
        for item in self.ws.evidence.for_task(self.row.task.seq, self.row.progress.unit, self.row.progress.period):
            entry = QStandardItem(f"{item.file_name}（{item.size / 1024:.0f} KB）")
            entry.setData(item, Qt.ItemDataRole.UserRole)
            entry.setToolTip(f"SHA-256 {item.sha256}\n{item.added_by} {item.added_at[:16].replace('T', ' ')}")
            self.evidence_model.appendRow(entry)

    def _show_light(self, progress: Progress) -> None:
        expected = self.ws.lights.expected_percent(progress.period)
        self.expected.setText(self.tr("序时进度 {0:g}%").format(expected))
        light = self.ws.lights.for_task(progress)
        self.light.setText(light.label)
        colours = LIGHT_COLOURS.get(light)
        self.light.setStyleSheet(
            f"background: {colours[0]}; color: {colours[1]}; padding: 2px 6px; border-radius: 3px;" if colours else ""
        )

    # -- saving ---------------------------------------------------------------------------------------------
    def _edited(self, *_: object) -> None:
        if self._loading or self.row is None or self.locked:
            return
        self.dirty = True
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.flush()
        return super().eventFilter(watched, event)

    def current_progress(self) -> Progress:
        """What the widgets say now; a % that cannot be accepted keeps the last saved value and is reported."""
        assert self.row is not None
        saved = self.row.progress
        percent = saved.percent
        try:
            percent = parse_number(self.percent.text(), unit="%", label="完成进度", maximum=100)
            self.percent_error.clear()
        except InvalidInput as error:
            self.percent_error.setText(str(error))
        return saved.with_changes(
            status=TaskStatus(code) if (code := self.status.currentData()) else None,
            percent=percent,
            achievements=self.achievements.toPlainText(),
            problems=self.problems.toPlainText(),
            next_steps=self.next_steps.toPlainText(),
        )

    def flush(self) -> bool:
        """Save what is pending now; returns True when something was written."""
        self._timer.stop()
        if not self.dirty or self.row is None or self.locked:
            return False
        self.dirty = False
        try:
            progress = self.current_progress()
            changed = self.ws.progress.save(progress)
        except IpdeskError as error:
            self.message.emit(str(error))
            return False
        if not changed:
            return False
        stored = self.ws.progress.get(progress.task_seq, progress.unit, progress.period)
        self.row = TaskProgress(self.row.task, self.row.role, stored)
        self._show_light(stored)
        self.saved.emit(self.row)
        return True

    # -- evidence -------------------------------------------------------------------------------------------
    def choose_evidence(self) -> None:
        if self.row is None or self.locked:
            return
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("选择佐证材料"))
        if files:
            self.add_evidence([Path(f) for f in files])

    def add_evidence(self, files: list[Path]) -> None:
        """Copy files in off the GUI thread (they may be large, or on a slow USB stick)."""
        if self.row is None:
            return
        self.flush()
        seq, unit, period = self.row.task.seq, self.row.progress.unit, self.row.progress.period

        def work() -> list[Evidence]:
            return [self.ws.evidence.add(seq, unit, period, f) for f in files]

        def done(added: list[Evidence]) -> None:
            self._load_evidence()
            self.message.emit(self.tr("已添加 {0} 个佐证材料").format(len(added)))
            if self.row is not None:
                self.saved.emit(self.row)

        def failed(error: BaseException) -> None:
            self._load_evidence()
            self.message.emit(str(error) if isinstance(error, IpdeskError) else self.tr("添加失败：{0}").format(error))

        run_in_background(self, self.tr("正在复制佐证材料…"), work, done, failed)

    def _selected_evidence(self) -> Evidence | None:
        index = self.evidence_view.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def open_evidence(self, *_: object) -> None:
        evidence = self._selected_evidence()
        if evidence is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ws.evidence.path(evidence))))

    def remove_evidence(self) -> None:
        evidence = self._selected_evidence()
        if evidence is None or self.row is None or self.locked:
            return
        try:
            self.ws.evidence.remove(evidence, self.row.task.seq, self.row.progress.unit, self.row.progress.period)
        except IpdeskError as error:
            self.message.emit(str(error))
        self._load_evidence()
        self.message.emit(self.tr("已移除“{0}”").format(evidence.file_name))
        self.saved.emit(self.row)
