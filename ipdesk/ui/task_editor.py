"""The task editor: the published content, status, % done, the three texts and the evidence files of one task.

Nothing typed is ever lost. Every edit starts a short timer and is saved when it fires (well within a second), and
also when a field loses focus, when the task or period changes, and when the window closes. A field counts as saved
only once its save has committed: when a save fails (a full disk, a failing USB stick) the text stays in its box,
the field's label says 未保存 with the reason below, and the save is tried again every few seconds. Moving to another
task keeps what could not be saved as a draft, shown again on coming back and retried meanwhile. A % done that
cannot be accepted (150, 七十) is refused beside the field with the reason; the rest of the task is still saved, and
the text typed stays in the box until it is corrected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QComboBox,
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

from ipdesk.domain.errors import CorruptDatabase, InvalidInput, IpdeskError, StorageError
from ipdesk.domain.former_tasks import FORMER_LABEL
from ipdesk.domain.numbers import parse_number
from ipdesk.domain.periods import Period
from ipdesk.domain.progress import CARRIED_TEXTS, Progress, same_as_previous
from ipdesk.domain.reports import ReturnComment
from ipdesk.domain.statuses import TaskStatus
from ipdesk.ui.comment_panel import TaskCommentBox
from ipdesk.ui.operations import run_in_background
from ipdesk.ui.task_table import LIGHT_COLOURS
from ipdesk.workspace import Evidence, TaskProgress, Workspace
from ipdesk.workspace.errors import user_message

AUTOSAVE_MS = 600
RETRY_MS = 5000
FIELD_LABELS = {
    "status": "完成状态",
    "percent": "完成进度",
    "achievements": "工作进展及成效",
    "problems": "存在问题",
    "next_steps": "下步计划",
}
UNSAVED_COLOUR = "#b00020"
CARRIED_TINT = "#fff6d5"  # a text that still repeats the previous period (沿用上期，请更新)


@dataclass
class Draft:
    """What the clerk typed for one task in one period that is not (all) stored yet, exactly as typed."""

    task_seq: int
    unit: str
    period: Period
    values: dict[str, str | None]  # field → text as in the widgets (status as its code, percent as typed)
    problem: str = ""  # why the save failed, in Chinese ("" when it committed)
    retry: bool = False  # a failure that may pass by itself (disk full, I/O): tried again by the timer
    percent_problem: str = ""  # why the % done typed cannot be accepted (the rest is saved without it)
    unsaved: set[str] = field(default_factory=set)  # the fields that differ from what is stored

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.task_seq, self.unit, self.period.code)

    @property
    def pending(self) -> bool:
        """Something typed is not stored yet."""
        return bool(self.problem or self.percent_problem)


def _stored_values(progress: Progress) -> dict[str, str | None]:
    return {
        "status": progress.status.value if progress.status else None,
        "percent": "" if progress.percent is None else f"{progress.percent:g}",
        "achievements": progress.achievements,
        "problems": progress.problems,
        "next_steps": progress.next_steps,
    }


class TextBox(QPlainTextEdit):
    """A text field that asks for three lines and takes what room there is: the editor then fits low screens (and
    scrolls below that) instead of pushing its buttons and the status bar off the screen."""

    def __init__(self, lines: int = 3, parent: QWidget | None = None):
        super().__init__(parent)
        self._lines = lines

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self.fontMetrics().lineSpacing() * self._lines + 12)


class EvidenceList(QListView):
    """The task's evidence files; files dropped on it are attached (dropped anywhere else, the window verifies
    them as received returns)."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)

    def _local_files(self, event) -> list[Path]:
        data = event.mimeData()
        if not data.hasUrls():
            return []
        return [
            Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile() and Path(url.toLocalFile()).is_file()
        ]

    def dragEnterEvent(self, event) -> None:
        if self._local_files(event) and self.isEnabled():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._local_files(event) and self.isEnabled():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        files = self._local_files(event)
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(files)


class TaskEditor(QWidget):
    saved = Signal(object)  # the saved TaskProgress (of the task shown, or of a draft saved on retry)
    message = Signal(str)  # a line for the status bar
    damaged = Signal(str)  # the database turned out to be damaged: the window offers the newest good backup

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.row: TaskProgress | None = None
        self.locked = False
        self.dirty = False
        self.drafts: dict[tuple[int, str, str], Draft] = {}
        self.may_edit: Callable[[], bool] | None = None  # asked before the first change (a submitted report)
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self._autosave)
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._retry_when_free)

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setObjectName("taskTitle")
        self.title.setStyleSheet("#taskTitle { font-size: 12pt; font-weight: bold; }")
        self.units_line = QLabel()
        self.units_line.setWordWrap(True)
        self.units_line.setStyleSheet("color: #555;")
        self.content = TextBox(lines=3)
        self.content.setReadOnly(True)
        self.content.setMaximumHeight(72)
        self.content.setMinimumHeight(40)
        self.content.setToolTip(self.tr("任务清单原文（只读）"))
        self.content.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # read, not filled: Tab goes past it to 完成状态
        self.content.setTabChangesFocus(True)

        self.status = QComboBox()
        self.status.addItem(self.tr("（请选择）"), None)
        for status in TaskStatus:
            self.status.addItem(status.label, status.value)
        self.percent = QLineEdit()
        self.percent.setPlaceholderText("0–100")
        self.percent.setFixedWidth(64)
        self.percent_error = QLabel()
        self.percent_error.setStyleSheet(f"color: {UNSAVED_COLOUR};")
        self.percent_error.setWordWrap(True)
        self.percent_error.hide()
        self.expected = QLabel()
        self.light = QLabel()
        self.light.setMinimumWidth(48)
        self.light.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.achievements = self._text_box(self.tr("本期做了什么、取得什么成效（可写数字、文件、会议）"))
        self.problems = self._text_box(self.tr("存在的困难和问题；红灯、滞后任务必须说明原因"))
        self.next_steps = self._text_box(self.tr("下一步的工作安排"))

        # 沿用上期 is a starting point: texts that still repeat the previous period are tinted and named here.
        self.previous: Progress | None = None
        self.carried_note = QLabel()
        self.carried_note.setObjectName("carriedNote")
        self.carried_note.setWordWrap(True)
        self.carried_note.setStyleSheet(
            f"#carriedNote {{ color: #7a5b00; background: {CARRIED_TINT}; padding: 2px 4px; }}"
        )
        self.carried_note.hide()

        self.save_state = QLabel()
        self.save_state.setObjectName("saveState")
        self.save_state.setWordWrap(True)
        self.save_state.hide()
        self.saved_at = QLabel()  # "已保存 14:03:22", in a place that does not move the fields while typing
        self.saved_at.setStyleSheet("color: #2e7d32;")

        self.evidence_model = QStandardItemModel(self)
        self.evidence_view = EvidenceList()
        self.evidence_view.files_dropped.connect(self.drop_evidence)
        self.evidence_view.setToolTip(self.tr("把文件拖到这里即可添加为本任务的佐证材料；双击打开"))
        self.evidence_view.setModel(self.evidence_model)
        self.evidence_view.setMaximumHeight(64)
        self.evidence_view.setMinimumHeight(36)
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
        # The city office's comments on this task from the last 退回: in sight until the clerk marks them 已处理.
        self.comment_box = TaskCommentBox()

        status_line = QHBoxLayout()
        status_line.addWidget(self.status)
        status_line.addSpacing(8)
        self.percent_label = QLabel(self.tr("完成进度"))
        status_line.addWidget(self.percent_label)
        status_line.addWidget(self.percent)
        status_line.addWidget(QLabel("%"))
        status_line.addSpacing(8)
        status_line.addWidget(self.expected)
        status_line.addWidget(self.light)
        status_line.addStretch(1)

        evidence_line = QHBoxLayout()
        evidence_line.addWidget(self.evidence_view, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(self.open_button)
        row_buttons.addWidget(self.remove_button)
        buttons.addLayout(row_buttons)
        buttons.addStretch(1)
        evidence_line.addLayout(buttons)

        self.labels = {name: QLabel(self.tr(text)) for name, text in FIELD_LABELS.items()}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(6)
        form.addRow(self.tr("任务内容"), self.content)
        form.addRow(self.labels["status"], status_line)
        form.addRow("", self.percent_error)
        form.addRow("", self.carried_note)
        form.addRow(self.labels["achievements"], self.achievements)
        form.addRow(self.labels["problems"], self.problems)
        form.addRow(self.labels["next_steps"], self.next_steps)
        form.addRow("", self.save_state)
        form.addRow(self.tr("佐证材料"), evidence_line)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addWidget(self.lock_banner)
        layout.addWidget(self.comment_box)
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.saved_at, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(heading)
        layout.addWidget(self.units_line)
        layout.addLayout(form, 1)

        self.status.currentIndexChanged.connect(self._edited)
        self.percent.textEdited.connect(self._edited)
        for box in self.text_boxes:
            box.textChanged.connect(self._edited)
        for widget in self.fields:
            widget.installEventFilter(self)
        self.percent.editingFinished.connect(self.flush)
        self.status.activated.connect(lambda _: self.flush())
        self.setTabOrder(self.status, self.percent)
        self.setTabOrder(self.percent, self.achievements)
        self.setTabOrder(self.achievements, self.problems)
        self.setTabOrder(self.problems, self.next_steps)
        self.setTabOrder(self.next_steps, self.add_button)
        self.setEnabled(False)

    def _text_box(self, hint: str) -> QPlainTextEdit:
        box = TextBox()
        box.setPlaceholderText(hint)
        box.setTabChangesFocus(True)
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        box.setMinimumHeight(48)
        return box

    @property
    def text_boxes(self) -> tuple[QPlainTextEdit, QPlainTextEdit, QPlainTextEdit]:
        return self.achievements, self.problems, self.next_steps

    def show_comments(self, comments: list[ReturnComment]) -> None:
        """The city office's comments of the last 退回 on the task shown (empty: none)."""
        self.comment_box.show_comments(comments, self.locked)

    @property
    def fields(self) -> tuple[QWidget, ...]:
        return (self.status, self.percent, *self.text_boxes)

    # -- loading --------------------------------------------------------------------------------------------
    def load(self, row: TaskProgress | None, locked_reason: str = "") -> None:
        """Show ``row``; anything pending for the previous task is saved first (or kept as a draft)."""
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
                self._show_values(dict.fromkeys(("status", "percent", "achievements", "problems", "next_steps")))
                self.lock_banner.hide()  # the task it explained is no longer shown
                self.evidence_model.clear()
                self.previous = None
                self._show_carried()
                self._show_state(None)
                return
            task, progress = row.task, row.progress
            self.title.setText(f"{task.seq}. {task.name}" + (f" · {task.content}" if task.project_no else ""))
            self.units_line.setText(
                self.tr("本单位：{0}　责任单位：{1}　协作单位：{2}").format(
                    row.role.label if row.role is not None else FORMER_LABEL, task.lead_text, task.coop_text or "—"
                )
            )
            self.content.setPlainText(task.content)
            draft = None if self.locked else self.drafts.get((task.seq, progress.unit, progress.period.code))
            values = _stored_values(progress)
            if draft is not None:  # what was typed and not stored, over what is stored (which may have moved on)
                values.update({name: draft.values[name] for name in draft.unsaved})
            self._show_values(values)
            self.lock_banner.setVisible(self.locked)
            self.lock_banner.setText(locked_reason)
            self.status.setEnabled(not self.locked)
            for editable in (self.percent, self.achievements, self.problems, self.next_steps):
                editable.setReadOnly(self.locked)
            self.add_button.setEnabled(not self.locked)
            self.remove_button.setEnabled(not self.locked)
            self._show_light(progress)
            self._load_evidence()
            try:
                self.previous = self.ws.progress.get(task.seq, progress.unit, progress.period.previous())
            except IpdeskError:  # the period before the plan's first
                self.previous = None
            self._show_carried()
        finally:
            self._loading = False
        self.dirty = draft is not None
        self._show_state(draft)

    def _show_values(self, values: dict[str, str | None]) -> None:
        code = values["status"]
        self.status.setCurrentIndex(max(0, self.status.findData(code)) if code else 0)
        self.percent.setText(values["percent"] or "")
        # setPlainText also clears each box's undo history: undo stays within one task.
        self.achievements.setPlainText(values["achievements"] or "")
        self.problems.setPlainText(values["problems"] or "")
        self.next_steps.setPlainText(values["next_steps"] or "")

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
    def _show_carried(self) -> None:
        """Tint the texts that repeat the previous period word for word and say 沿用上期，请更新 above them."""
        same: tuple[str, ...] = ()
        if self.row is not None and self.previous is not None:
            typed = self.row.progress.with_changes(
                achievements=self.achievements.toPlainText(),
                problems=self.problems.toPlainText(),
                next_steps=self.next_steps.toPlainText(),
            )
            same = same_as_previous(typed, self.previous)
        for name, box in zip(CARRIED_TEXTS, self.text_boxes, strict=True):
            box.setStyleSheet(f"QPlainTextEdit {{ background: {CARRIED_TINT}; }}" if name in same else "")
            box.setToolTip(self.tr("与上期相同（沿用上期），请按本期情况更新") if name in same else "")
        self.carried_note.setText(
            self.tr("沿用上期，请更新：{0}").format("、".join(self.tr(FIELD_LABELS[n]) for n in same)) if same else ""
        )
        self.carried_note.setVisible(bool(same))

    def _edited(self, *_: object) -> None:
        if self._loading or self.row is None or self.locked:
            return
        self._show_carried()
        self.dirty = True
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusOut:
            self.flush()
        elif self._would_change(watched, event) and not self._allowed_to_edit():
            return True  # the clerk chose not to change a submitted report: the key press goes nowhere
        return super().eventFilter(watched, event)

    def _would_change(self, watched: QObject, event: QEvent) -> bool:
        """True for an event that would change a field: typing, an input method's text, a paste, a choice."""
        if self.row is None or self.locked or self.may_edit is None:
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            text = event.text()
            typed = bool(text) and text.isprintable()
            if watched is self.status:
                return typed or event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Space)
            editing = event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
            if watched is not self.percent:
                editing = editing or event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            return (
                typed
                or editing
                or event.matches(QKeySequence.StandardKey.Paste)
                or event.matches(QKeySequence.StandardKey.Cut)
            )
        if kind == QEvent.Type.InputMethod and isinstance(event, QInputMethodEvent):
            return bool(event.commitString())
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.Wheel) and watched is self.status:
            return True
        return kind == QEvent.Type.Drop

    def _allowed_to_edit(self) -> bool:
        return self.may_edit is None or self.may_edit()

    def current_values(self) -> dict[str, str | None]:
        return {
            "status": self.status.currentData() or None,
            "percent": self.percent.text(),
            "achievements": self.achievements.toPlainText(),
            "problems": self.problems.toPlainText(),
            "next_steps": self.next_steps.toPlainText(),
        }

    def current_progress(self) -> Progress:
        """What the widgets say now; a % that cannot be accepted keeps the last saved value and is reported."""
        assert self.row is not None
        progress, problem = self._progress_from(self.row.progress, self.current_values())
        self._show_percent_error(problem)
        return progress

    @staticmethod
    def _progress_from(base: Progress, values: dict[str, str | None]) -> tuple[Progress, str]:
        """``base`` with ``values`` applied, and why the % done was not (empty when it was)."""
        percent, problem = base.percent, ""
        try:
            percent = parse_number(values["percent"] or "", unit="%", label="完成进度", maximum=100)
        except InvalidInput as error:
            problem = str(error)
        code = values["status"]
        progress = base.with_changes(
            status=TaskStatus(code) if code else None,
            percent=percent,
            achievements=values["achievements"] or "",
            problems=values["problems"] or "",
            next_steps=values["next_steps"] or "",
        )
        return progress, problem

    def _show_percent_error(self, problem: str) -> None:
        self.percent_error.setText(problem)
        self.percent_error.setVisible(bool(problem))

    def _autosave(self) -> None:
        """The autosave timer: save now, unless a background operation is writing (then a moment later: the text
        stays in the box, marked as not yet saved, and the window never waits on the operation)."""
        if self.dirty and self.ws.busy():
            self._timer.start()
            return
        self.flush()

    def _retry_when_free(self) -> None:
        """The retry timer: try the drafts again when no background operation is writing (else at the next tick)."""
        if not self.ws.busy():
            self.retry_drafts()

    def flush(self) -> bool:
        """Save what is pending now; returns True when something was written.

        Only a committed save marks the task clean; otherwise what was typed stays, as a draft, with the reason.
        """
        self._timer.stop()
        if not self.dirty or self.row is None or self.locked:
            return False
        progress = self.row.progress
        draft = Draft(progress.task_seq, progress.unit, progress.period, self.current_values())
        written = self._store(draft)
        if draft.pending:
            self.drafts[draft.key] = draft
        else:
            self.drafts.pop(draft.key, None)
            self.dirty = False
        if written is not None:
            self.row = TaskProgress(self.row.task, self.row.role, written)
            self._show_light(written)
            self.saved.emit(self.row)
        self._show_state(draft)
        self._keep_retrying()
        return written is not None

    def _store(self, draft: Draft) -> Progress | None:
        """Try to store ``draft``; returns the stored progress when something was written.

        Sets ``draft.problem`` (with ``retry``), ``percent_problem`` and ``unsaved`` to what is still not stored.
        """
        ws = self.ws
        try:
            base = ws.progress.get(draft.task_seq, draft.unit, draft.period)
            progress, draft.percent_problem = self._progress_from(base, draft.values)
            changed = ws.progress.save(progress)
        except StorageError as error:
            self._failed(draft, str(error), retry=True)
            return None
        except CorruptDatabase as error:
            self._failed(draft, str(error), retry=False)
            self.damaged.emit(str(error))
            return None
        except IpdeskError as error:  # refused: a locked period, a text too long …; the clerk must act
            self._failed(draft, str(error), retry=False)
            return None
        except Exception as error:  # whatever else stopped the save, the text must stay
            from ipdesk.ui.error_handler import write_log

            write_log(error, "保存任务进展时出错")
            self._failed(draft, f"没有保存：{user_message(error)}", retry=True)
            return None
        draft.problem, draft.retry = "", False
        draft.unsaved = {"percent"} if draft.percent_problem else set()
        if not changed:
            return None
        return ws.progress.get(draft.task_seq, draft.unit, draft.period)

    def _failed(self, draft: Draft, problem: str, retry: bool) -> None:
        draft.problem, draft.retry = problem, retry
        try:
            stored = _stored_values(self.ws.progress.get(draft.task_seq, draft.unit, draft.period))
            draft.unsaved = {name for name, value in draft.values.items() if (value or "") != (stored[name] or "")}
        except Exception:  # cannot even read: every field counts as unsaved
            draft.unsaved = set(FIELD_LABELS)

    def _show_state(self, draft: Draft | None) -> None:
        """Mark the fields that are not saved (label in red, 未保存) and say why below them."""
        unsaved = draft.unsaved if draft is not None and draft.pending else set()
        for name, label in self.labels.items():
            if name in unsaved:
                label.setText(self.tr("{0}\n（未保存）").format(FIELD_LABELS[name]))
                label.setStyleSheet(f"color: {UNSAVED_COLOUR}; font-weight: bold;")
            else:
                label.setText(self.tr(FIELD_LABELS[name]))
                label.setStyleSheet("")
        self.percent_label.setStyleSheet(f"color: {UNSAVED_COLOUR}; font-weight: bold;" if "percent" in unsaved else "")
        self._show_percent_error(draft.percent_problem if draft is not None else "")
        if draft is not None and draft.problem:
            others = len([d for d in self.drafts.values() if d.key != draft.key and d.pending])
            problem = draft.problem.rstrip("。")
            text = problem if problem.startswith("没有保存") else self.tr("没有保存：{0}").format(problem)
            if draft.retry:
                text += self.tr("。内容仍在输入框中，程序每 {0} 秒自动重试一次。").format(RETRY_MS // 1000)
            else:
                text += self.tr("。内容仍在输入框中。")
            if others:
                text += self.tr("另有 {0} 项任务的填写也在等待保存。").format(others)
            self.save_state.setText(text)
            self.save_state.setStyleSheet(f"color: {UNSAVED_COLOUR};")
            self.saved_at.setText(self.tr("未保存"))
            self.saved_at.setStyleSheet(f"color: {UNSAVED_COLOUR}; font-weight: bold;")
        else:
            self.save_state.clear()
            if draft is not None and not draft.pending:
                self.saved_at.setText(self.tr("已保存 {0}").format(dt.datetime.now().strftime("%H:%M:%S")))
            else:
                self.saved_at.clear()
            self.saved_at.setStyleSheet("color: #2e7d32;")
        self.save_state.setVisible(bool(self.save_state.text()))

    def _keep_retrying(self) -> None:
        if any(d.retry for d in self.drafts.values()):
            if not self._retry.isActive():
                self._retry.start()
        else:
            self._retry.stop()

    def retry_drafts(self) -> int:
        """Try again to store every draft whose save failed for a passing reason; returns how many are left."""
        current = None
        if self.row is not None:
            current = (self.row.task.seq, self.row.progress.unit, self.row.progress.period.code)
        for key, draft in list(self.drafts.items()):
            if not draft.retry:
                continue
            if key == current:
                self.dirty = True
                self.flush()
                continue
            written = self._store(draft)
            if not draft.pending:
                del self.drafts[key]
                self.message.emit(self.tr("第{0}项任务之前未能保存的内容已保存").format(draft.task_seq))
            if written is not None:
                task = self.ws.tasks.get(draft.task_seq)
                role = task.role_of(draft.unit)
                if role is not None:
                    self.saved.emit(TaskProgress(task, role, written))
        self._keep_retrying()
        return len(self.drafts)

    def unsaved_drafts(self) -> list[Draft]:
        """Everything typed that is not stored, the task shown included (after one more attempt)."""
        self.flush()
        return list(self.drafts.values())

    def forget_drafts(self) -> None:
        self.drafts.clear()
        self.dirty = False
        self._retry.stop()

    # -- evidence -------------------------------------------------------------------------------------------
    def choose_evidence(self) -> None:
        if self.row is None or self.locked or not self._allowed_to_edit():
            return
        # The dialogs' and services' Python types are made when first used, not at the window's start.
        from PySide6.QtWidgets import QFileDialog

        files, _ = QFileDialog.getOpenFileNames(self, self.tr("选择佐证材料"))
        if files:
            self.add_evidence([Path(f) for f in files])

    def drop_evidence(self, files: list[Path]) -> None:
        """Files dropped on the evidence box: attached, as 添加文件… would (asked first for a submitted report)."""
        if self.row is None or self.locked:
            self.message.emit(self.tr("本期已锁定，不能添加佐证材料"))
            return
        if not self._allowed_to_edit():
            return
        self.add_evidence(files)

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
            self.message.emit(self.tr("添加失败：{0}").format(user_message(error)))
            if isinstance(error, CorruptDatabase):
                self.damaged.emit(str(error))

        run_in_background(self, self.tr("正在复制佐证材料…"), work, done, failed)

    def _selected_evidence(self) -> Evidence | None:
        index = self.evidence_view.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def open_evidence(self, *_: object) -> None:
        evidence = self._selected_evidence()
        if evidence is not None:
            from PySide6.QtCore import QUrl
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ws.evidence.path(evidence))))

    def remove_evidence(self) -> None:
        evidence = self._selected_evidence()
        if evidence is None or self.row is None or self.locked or not self._allowed_to_edit():
            return
        try:
            self.ws.evidence.remove(evidence, self.row.task.seq, self.row.progress.unit, self.row.progress.period)
        except IpdeskError as error:
            self.message.emit(self.tr("没有移除：{0}").format(error))
            if isinstance(error, CorruptDatabase):
                self.damaged.emit(str(error))
            return
        self._load_evidence()
        self.message.emit(self.tr("已移除“{0}”").format(evidence.file_name))
        self.saved.emit(self.row)
