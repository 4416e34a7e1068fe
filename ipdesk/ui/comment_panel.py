"""The city office's comments of a 退回, where the clerk works: never in the toolbar.

- ``ReturnCommentBar``: a bar above the task list with the comment on the whole report; it can be put away (×) for
  the session, and it stays until the clerk marks the comment 已处理.
- ``TaskCommentBox``: in the editor, the comments on the task shown, each with a line for what was done and a
  button 已处理. Typing in the task's fields never handles a comment: it stays in sight while the clerk writes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QVBoxLayout, QWidget

from ipdesk.domain.reports import ReturnComment

COMMENT_STYLE = "background: #fff3e0; color: #5d3200; border: 1px solid #e0a050;"


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet("border: none; background: transparent;")
    return label


class ReturnCommentBar(QFrame):
    """The comment on the whole report of the last 退回, above the task list, until it is marked 已处理."""

    handle = Signal(int, str, bool)  # comment id, answer, handled

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("returnCommentBar")
        self.setStyleSheet(f"#returnCommentBar {{ {COMMENT_STYLE} }}")
        self.comment: ReturnComment | None = None
        self.dismissed: set[int] = set()  # put away for this session (still listed at 提交审核)
        self.text = _label("")
        self.answer = QLineEdit()
        self.answer.setPlaceholderText(self.tr("处理情况（可不填），如：已补充佐证材料"))
        self.done_button = QPushButton(self.tr("已处理"))
        self.done_button.setToolTip(self.tr("标记这条意见已处理；处理情况随下一版报告报送市局"))
        self.done_button.clicked.connect(self._done)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("暂时收起（意见仍未处理，提交审核时还会列出）"))
        self.close_button.clicked.connect(self._dismiss)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.text, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.answer, 1)
        bottom.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(bottom)
        self.hide()

    def show_comment(self, comment: ReturnComment | None, version: int, locked: bool) -> None:
        """The open comment on the whole report (None: nothing to show)."""
        self.comment = comment
        if comment is None or comment.answered or comment.id in self.dismissed:
            self.hide()
            return
        self.text.setText(self.tr("市局退回意见（第 {0} 版）：{1}").format(version, comment.comment))
        self.answer.setEnabled(not locked)
        self.done_button.setEnabled(not locked)
        self.show()

    def _done(self) -> None:
        if self.comment is not None and self.comment.id is not None:
            self.handle.emit(self.comment.id, self.answer.text(), True)

    def _dismiss(self) -> None:
        if self.comment is not None and self.comment.id is not None:
            self.dismissed.add(self.comment.id)
        self.hide()


class TaskCommentBox(QFrame):
    """The city's comments on the task shown in the editor: open ones with 已处理, handled ones with their answer."""

    handle = Signal(int, str, bool)  # comment id, answer, handled

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("taskCommentBox")
        self.setStyleSheet(f"#taskCommentBox {{ {COMMENT_STYLE} }}")
        self.comments: list[ReturnComment] = []
        self.rows: list[tuple[ReturnComment, QLabel, QLineEdit, QPushButton]] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 4, 6, 4)
        self._layout.setSpacing(4)
        self.hide()

    def show_comments(self, comments: list[ReturnComment], locked: bool) -> None:
        """Every comment of the last 退回 on the task shown (empty: the box hides)."""
        self.comments = comments
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = []
        for comment in comments:
            line = QWidget()
            line.setObjectName("commentLine")
            line.setStyleSheet("#commentLine { background: transparent; border: none; }")
            inner = QVBoxLayout(line)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.setSpacing(2)
            text = _label("")
            answer = QLineEdit()
            button = QPushButton()
            if comment.answered:
                text.setText(
                    self.tr("市局退回意见（已处理）：{0}").format(comment.comment)
                    + (self.tr("\n处理情况：{0}").format(comment.answer) if comment.answer else "")
                )
                button.setText(self.tr("重新打开"))
                button.setToolTip(self.tr("把这条意见改回“待处理”"))
                answer.hide()
            else:
                text.setText(self.tr("市局退回意见：{0}").format(comment.comment))
                answer.setPlaceholderText(self.tr("处理情况（可不填），如：已补充进度依据"))
                answer.setStyleSheet("background: white; border: 1px solid #c8a070;")
                button.setText(self.tr("已处理"))
                button.setToolTip(self.tr("标记这条意见已处理；处理情况随下一版报告报送市局"))
            answer.setEnabled(not locked)
            button.setEnabled(not locked)
            button.clicked.connect(
                lambda _=False, c=comment, a=answer: self.handle.emit(c.id, a.text(), not c.answered)
            )
            inner.addWidget(text)
            row = QHBoxLayout()
            row.addWidget(answer, 1)
            row.addStretch(0 if not comment.answered else 1)
            row.addWidget(button)
            inner.addLayout(row)
            self._layout.addWidget(line)
            self.rows.append((comment, text, answer, button))
        self.setVisible(bool(comments))

    @property
    def open_count(self) -> int:
        return sum(1 for c in self.comments if not c.answered)
