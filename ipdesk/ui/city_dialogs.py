"""The city office's dialogs: review of a received return (接收 / 退回), the import results, the trusted
certificates and the office's own signing key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.lights import Light
from ipdesk.domain.numbers import number_text, target_text
from ipdesk.domain.periods import Period, chinese_datetime
from ipdesk.domain.plan import Role, Task, TaskKind
from ipdesk.domain.progress import Progress
from ipdesk.domain.reports import ReportAction, ReportStatus, allowed_actions
from ipdesk.domain.returns import ImportOutcome
from ipdesk.domain.statuses import TaskStatus
from ipdesk.ui.operations import run_in_background
from ipdesk.ui.task_table import SEQ_ROLE, SORT_ROLE, TaskFilterProxy, TaskRow, TaskTableModel, light_brushes
from ipdesk.workspace import Workspace

OUTCOME_COLOURS = {
    ImportOutcome.IMPORTED: "#1b5e20",
    ImportOutcome.DUPLICATE: "#555555",
    ImportOutcome.HISTORY: "#6b4f00",
    ImportOutcome.REFUSED: "#b00020",
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


class ReviewTasksModel(TaskTableModel):
    """The clerk's task table over a received return, with what changed since the unit's previous period."""

    COLUMNS = (*TaskTableModel.COLUMNS, "与上期相比")
    CHANGES = len(TaskTableModel.COLUMNS)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.against = "上期"  # or v1 …: what the newest version is compared with
        self.changes: dict[int, list[str]] = {}
        self.comments: dict[int, str] = {}
        self.lines: dict[int, Any] = {}  # seq → the return's TaskLine

    def set_snapshot(self, snapshot: Any) -> None:  # a ReportSnapshot, as ws.city.snapshot gives it
        """Rows as the clerk's table shows them, made from the return exactly as it was signed."""
        self.lines = {line.seq: line for line in snapshot.tasks}
        period = Period.parse(snapshot.header.period)
        rows = []
        for line in snapshot.tasks:
            task = Task(
                line.seq,
                line.category,
                line.name,
                line.content,
                TaskKind.TASK,
                "、".join(line.lead_units),
                "",
                line.lead_units,
                (),
            )
            progress = Progress(
                line.seq,
                line.unit,
                period,
                TaskStatus(line.status) if line.status else None,
                line.percent,
                line.achievements,
                line.problems,
                line.next_steps,
            )
            rows.append(TaskRow(task, Role(line.role), progress, Light(line.light), len(line.evidence)))
        self.set_rows(rows)

    def compare_with(self, against: str) -> None:
        """Name what the newest version is compared with (上期, v1 …) in the last column's header."""
        self.against = against
        self.setHeaderData(self.CHANGES, Qt.Orientation.Horizontal, self.tr("与{0}相比").format(against))

    def _prepare(self, row: TaskRow) -> dict[int, tuple]:
        """The clerk's cells, and in the last column what changed (shown, as its tip, and sorted by)."""
        prepared = super()._prepare(row)
        changes = "；".join(self.changes.get(row.task.seq, []))
        last = {
            int(Qt.ItemDataRole.DisplayRole): changes,
            int(Qt.ItemDataRole.ToolTipRole): changes,
            int(SORT_ROLE): changes,
            int(SEQ_ROLE): row.task.seq,  # a click on this cell shows its task, as on any other
        }
        return {role: (*cells[: self.CHANGES], last.get(role)) for role, cells in prepared.items()}


class ReviewDialog(QDialog):
    """A received return, read-only, as the unit signed it: 接收 or 退回 with comments."""

    decided = Signal()

    def __init__(self, ws: Workspace, unit: str, period: Period, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws, self.unit, self.period = ws, unit, period
        self.setWindowTitle(self.tr("审阅：{0} {1}").format(unit, period.chinese))
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes = QLabel()  # 校验规则 and 数据一致性: what to check before accepting
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setStyleSheet("color: #9c5700;")
        self.versions = QComboBox()
        self.versions.currentIndexChanged.connect(lambda _: self.show_version())
        self.tasks = ReviewTasksModel(self)
        self.proxy = TaskFilterProxy(self)
        self.proxy.setSourceModel(self.tasks)
        self.task_view = QTableView()
        self.task_view.setModel(self.proxy)
        self.task_view.setSortingEnabled(True)
        self.task_view.setColumnHidden(TaskTableModel.CHANGED, True)  # a signed return has no editing times
        self.task_view.setColumnHidden(TaskTableModel.COMMENT, True)  # nor the unit's own marks of comments
        self.task_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.task_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.task_view.setWordWrap(True)
        self.task_view.verticalHeader().hide()  # no row numbers: 序号 is the task's own, as in the clerk's table
        header = self.task_view.horizontalHeader()
        header.setSectionResizeMode(TaskTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ReviewTasksModel.CHANGES, QHeaderView.ResizeMode.Stretch)
        self.task_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_task())
        self.detail = QTextBrowser()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.task_view)
        split.addWidget(self.detail)
        split.setSizes([330, 200])
        self.indicators = QTextBrowser()
        tabs = QTabWidget()
        tabs.addTab(split, self.tr("任务进展"))
        tabs.addTab(self.indicators, self.tr("主要指标与示范工程"))
        self.accept_button = QPushButton(self.tr("接收"))
        self.accept_button.clicked.connect(self.accept_return)
        self.return_button = QPushButton(self.tr("退回…"))
        self.return_button.clicked.connect(self.return_to_unit)
        self.open_button = QPushButton(self.tr("打开原文件"))
        self.open_button.clicked.connect(self.open_files)
        self.evidence: list = []  # ReceivedEvidence of the version shown
        self.answers: dict = {}  # task seq (None: the whole return) → CommentAnswer of the version shown
        self.evidence_button = QPushButton(self.tr("佐证材料…"))
        self.evidence_button.setToolTip(self.tr("随报告收到的佐证材料：与签署的清单核对的结果，单击打开"))
        self.evidence_button.clicked.connect(self.show_evidence_menu)
        self.feedback_button = QPushButton(self.tr("重新写出退回意见…"))
        self.feedback_button.setToolTip(self.tr("再次写出当时签发的退回意见文件（例如文件丢失时），内容不变"))
        self.feedback_button.clicked.connect(self.write_feedback_again)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("版本")))
        row.addWidget(self.versions)
        row.addStretch(1)
        for button in (
            self.open_button,
            self.evidence_button,
            self.feedback_button,
            self.accept_button,
            self.return_button,
            close,
        ):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.notes)
        layout.addWidget(tabs, 1)
        layout.addLayout(row)
        self.resize(1120, 640)
        self.load()

    def load(self) -> None:
        self.versions.blockSignals(True)
        self.versions.clear()
        versions = self.ws.city.versions(self.unit, self.period)
        for item in reversed(versions):
            label = f"v{item.version}（{item.status.label if item.status is not ReportStatus.SIGNED else '待审'}）"
            self.versions.addItem(label if item is not versions[-1] else label + self.tr(" 最新"), item.version)
        self.versions.blockSignals(False)
        self.show_version()

    def version(self) -> int | None:
        return self.versions.currentData()

    def show_version(self) -> None:
        version = self.version()
        item = self.ws.city.received(self.unit, self.period, version)
        if item is None:
            return
        snapshot = self.ws.city.snapshot(self.unit, self.period, version)
        latest = self.ws.city.received(self.unit, self.period)
        is_latest = latest is not None and latest.version == item.version
        h = snapshot.header
        status = "待审" if item.status is ReportStatus.SIGNED else item.status.label
        self.header.setText(
            self.tr(
                "<b>{0}　{1}　v{2}（{3}）</b><br/>审核人 {4} 于 {5} 签署　收到 {6}　填报人 {7} {8}　"
                "报送格式 {9}　方案 {10}<br/>{11}"
            ).format(
                _escape(self.unit),
                self.period.chinese,
                item.version,
                status,
                _escape(h.signed_by),
                chinese_datetime(h.signed_at),
                chinese_datetime(item.received_at),
                _escape(h.clerk),
                _escape(h.phone),
                item.format,
                item.plan_code or "—",
                self.ws.city.timeliness_text(self.unit, self.period),
            )
            + "".join(
                f'<br/><span style="color:#8a4b00"><b>提醒：</b>{_escape(note)}</span>'
                for note in self.ws.city.review_notes(self.unit, self.period, item.version)
            )
        )
        self.answers = {a.task_seq: a for a in snapshot.answers}  # how the unit handled the last 退回's comments
        whole = self.answers.get(None)
        if whole is not None:
            state = "已处理" if whole.handled else "未标记已处理"
            said = f"：{_escape(whole.answer)}" if whole.answer else ""
            self.header.setText(
                self.header.text()
                + f"<br/><b>对 v{whole.returned_version} 整份报告的退回意见</b>“{_escape(whole.comment)}”"
                + f"——单位{state}{said}"
            )
        self.tasks.changes = self.ws.city.changes(self.unit, self.period) if is_latest else {}
        self.tasks.compare_with(self.ws.city.compared_with(self.unit, self.period) if is_latest else "上期")
        self.evidence = self.ws.city.evidence(self.unit, self.period, item.version)
        self.evidence_button.setEnabled(bool(self.evidence))
        bad = [e for e in self.evidence if e.state != "verified"]
        self.evidence_button.setText(
            self.tr("佐证材料（{0}）…").format(len(self.evidence))
            if not bad
            else self.tr("佐证材料（{0}，{1} 个未通过核验）…").format(len(self.evidence), len(bad))
        )
        self.tasks.comments = {
            c.task_seq: c.comment for c in self.ws.city.comments(self.unit, self.period, item.version) if c.task_seq
        }
        self.tasks.set_snapshot(snapshot)
        self.task_view.sortByColumn(TaskTableModel.LIGHT, Qt.SortOrder.AscendingOrder)  # red lights first
        self.task_view.resizeColumnsToContents()
        self.task_view.setColumnWidth(TaskTableModel.NAME, 220)
        if self.tasks.rows:
            self.task_view.selectRow(0)
        self.indicators.setHtml(_indicators_html(snapshot))
        lines = (
            self.ws.city.notes(self.unit, self.period, item.version).lines()
            if item.plan_code == self.ws.plan.code
            else []
        )
        self.notes.setText(self.tr("请核对：") + "；".join(lines) if lines else "")
        self.notes.setVisible(bool(lines))
        actions = allowed_actions(item.status) if is_latest and not self.ws.read_only else []
        self.accept_button.setEnabled(ReportAction.ACCEPT in actions)
        self.return_button.setEnabled(ReportAction.RETURN in actions)
        self.feedback_button.setVisible(bool(self.ws.city.feedback_file_name(self.unit, self.period, item.version)))

    def show_task(self) -> None:
        index = self.task_view.currentIndex()
        if not index.isValid():
            self.detail.clear()
            return
        task = self.tasks.lines[index.data(SEQ_ROLE)]
        parts = [
            f"<b>{task.seq}. {_escape(task.name)}</b>（{task.role_label}"
            + (f"；牵头：{_escape('、'.join(task.lead_units))}" if task.role == "coop" and task.lead_units else "")
            + "）",
            f"<i>{_escape(task.content)}</i>",
            f"<b>工作进展及成效：</b>{_escape(task.achievements) or '（未填）'}",
            f"<b>存在问题：</b>{_escape(task.problems) or '无'}",
            f"<b>下步计划：</b>{_escape(task.next_steps) or '（未填）'}",
            f"<b>佐证材料：</b>{_escape('、'.join(task.evidence)) or '无'}",
        ]
        changes = self.tasks.changes.get(task.seq)
        if changes:
            parts.append(f"<b>与{_escape(self.tasks.against)}相比：</b>{_escape('；'.join(changes))}")
        comment = self.tasks.comments.get(task.seq)
        if comment:
            parts.append(f'<b style="color:#8a4b00">退回意见：</b>{_escape(comment)}')
        answer = self.answers.get(task.seq)
        if answer is not None:  # this version answers a 退回: what the unit said it did about the comment
            state = "已处理" if answer.handled else "未标记已处理"
            said = f"：{_escape(answer.answer)}" if answer.answer else ""
            parts.append(
                f"<b>上次退回意见（v{answer.returned_version}）：</b>{_escape(answer.comment)}"
                f"<br/><b>单位处理情况（{state}）</b>{said}"
            )
        self.detail.setHtml("<br/>".join(parts))

    # -- decisions ---------------------------------------------------------------------------------------------------
    def accept_return(self) -> None:
        try:
            item = self.ws.city.accept(self.unit, self.period)
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return
        self.load()
        self.decided.emit()
        parent = self.parent()
        if isinstance(parent, QMainWindow):
            parent.statusBar().showMessage(
                self.tr("已接收：{0}{1}（v{2}）").format(self.unit, self.period.chinese, item.version), 8000
            )

    def return_to_unit(self) -> None:
        dialog = ReturnDialog(self.ws, self.unit, self.period, list(self.tasks.lines.values()), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.load()
            self.decided.emit()
            self._offer_letter(
                self.tr(
                    "已退回。退回意见文件已写出：\n{0}\n\n请把它发给{1}，由该单位在程序中“导入退回意见”。"
                    "\n旁边的同名 PDF 是可打印的退回意见（页脚印有该文件的 SHA-256 指纹），按“打开”查看或打印。"
                ).format(dialog.written, self.unit),
                dialog.written,
            )

    def _offer_letter(self, text: str, written: Path | None) -> None:
        """Say what was written, and offer to open the printable letter beside the signed file (按“打开”)."""
        letter = written.with_suffix(".pdf") if written is not None else None
        buttons = QMessageBox.StandardButton.Ok
        if letter is not None and letter.exists():
            buttons |= QMessageBox.StandardButton.Open
        answer = QMessageBox.information(self, "ipdesk", text, buttons, QMessageBox.StandardButton.Ok)
        if answer == QMessageBox.StandardButton.Open and letter is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(letter)))

    def write_feedback_again(self, folder: str | None = None) -> Path | None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("退回意见文件写到哪个文件夹"))
        if not folder:
            return None
        try:
            written = self.ws.city.write_feedback(self.unit, self.period, folder, self.version())
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return None
        self._offer_letter(self.tr("退回意见文件和可打印的退回意见（PDF）已写出：\n{0}").format(written), written)
        return written

    def show_evidence_menu(self) -> None:
        menu = QMenu(self)
        for item in self.evidence:
            action = menu.addAction(f"{item.path}（{item.state_label}）")
            action.setEnabled(item.state == "verified")
            action.triggered.connect(lambda _=False, path=item.path: self.open_evidence(path))
        menu.exec(self.evidence_button.mapToGlobal(self.evidence_button.rect().bottomLeft()))

    def open_evidence(self, path: str) -> Path | None:
        """Open one verified evidence file of the version shown (a copy under its original name)."""
        try:
            copy = self.ws.city.evidence_copy(self.unit, self.period, path, self.version())
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return None
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(copy)))
        return copy

    def open_files(self) -> None:
        try:
            paths = self.ws.city.copies_to_open(self.unit, self.period, self.version())
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return
        pdf = next((p for p in paths if p.suffix == ".pdf"), paths[0] if paths else None)
        if pdf is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(pdf)))


def _indicators_html(snapshot) -> str:
    rows = []
    for line in snapshot.indicators:
        value = number_text(line.actual)
        expected = number_text(line.expected)
        rows.append(
            f"<tr><td>{line.seq}</td><td>{_escape(line.name)}</td><td>{line.role_label}</td><td>{expected}</td>"
            f"<td>{value}</td><td>{line.light_label}</td><td>{_escape(line.note)}</td></tr>"
        )
    for target in snapshot.targets:
        value = number_text(target.value)
        goal = f"{target_text(target.op, target.target)}{_escape(target.unit_of_measure)}"
        rows.append(
            f"<tr><td>工程{target.project_no}</td><td>{_escape(target.name)}</td><td></td>"
            f"<td>{goal}</td><td>{value}</td><td></td>"
            f"<td>{_escape(target.note)}</td></tr>"
        )
    if not rows:
        return "<p>本单位没有负责的主要指标和示范工程目标。</p>"
    head = "".join(f"<th>{h}</th>" for h in ("序号", "指标 / 目标", "角色", "预期 / 目标", "本期", "预警", "说明"))
    head = f"<tr>{head}</tr>"
    return f'<table border="1" cellspacing="0" cellpadding="3">{head}{"".join(rows)}</table>'


class ReturnDialog(QDialog):
    """退回: a comment on the whole return and on any task; signed with the office's key into a feedback file."""

    COMMENT = 4  # the column of the comment on a task

    def __init__(self, ws: Workspace, unit: str, period: Period, tasks: list, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws, self.unit, self.period = ws, unit, period
        self.written: Path | None = None
        self.creating = ws.city.identity() is None
        self.setWindowTitle(self.tr("退回 {0} {1}").format(unit, period.chinese))
        self.whole = QPlainTextEdit()
        self.whole.setPlaceholderText(self.tr("对整份报告的意见（例如：请补充第三季度佐证材料）"))
        self.whole.setMaximumHeight(90)
        self.model = QStandardItemModel(0, 5, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("序号"),
                self.tr("任务名称"),
                self.tr("状态"),
                self.tr("预警"),
                self.tr("对该任务的意见（双击填写）"),
            ]
        )
        for task in sorted(tasks, key=lambda t: t.seq):
            cells = [
                QStandardItem(str(task.seq)),
                QStandardItem(task.name),
                QStandardItem(task.status_label or self.tr("未填")),
                QStandardItem(task.light_label),
            ]
            brushes = light_brushes(Light(task.light))
            if brushes:
                cells[3].setBackground(brushes[0])
                cells[3].setForeground(brushes[1])
            for cell in cells:
                cell.setEditable(False)
                cell.setToolTip(task.content)
            self.model.appendRow([*cells, QStandardItem("")])
        self.table = QTreeView()
        self.table.setModel(self.model)
        self.table.setRootIsDecorated(False)
        for column, width in enumerate((50, 260, 70, 56)):
            self.table.setColumnWidth(column, width)
        self.signer = QLineEdit(ws.settings.get(ws.settings.REVIEWER_NAME))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        # The feedback file goes beside the workspace by default, where the office keeps its exchange files.
        self.folder = QLineEdit(str(ws.path.parent if ws.path is not None else Path.home()))
        browse = QPushButton(self.tr("选择…"))
        browse.clicked.connect(self.choose_folder)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("经办人"), self.signer)
        if self.creating:
            note = QLabel(
                self.tr("本局还没有签署密钥：这次会创建它。请设置至少 6 位的口令，并把导出的证书发给各单位登记。")
            )
            note.setWordWrap(True)
            form.addRow(note)
            form.addRow(self.tr("设置签署口令"), self.passphrase)
            form.addRow(self.tr("再输入一次"), self.confirm)
        else:
            form.addRow(self.tr("签署口令"), self.passphrase)
            self.confirm.hide()
        form.addRow(self.tr("退回意见文件存入"), where)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("退回并写出意见文件"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("对整份报告的意见")))
        layout.addWidget(self.whole)
        layout.addWidget(QLabel(self.tr("对具体任务的意见")))
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(760, 600)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("退回意见文件存入"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def task_comments(self) -> dict[int, str]:
        found = {}
        for row in range(self.model.rowCount()):
            text = self.model.item(row, self.COMMENT).text().strip()
            if text:
                found[int(self.model.item(row, 0).text())] = text
        return found

    def accept(self) -> None:
        if self.creating and self.passphrase.text() != self.confirm.text():
            self.error.setText(self.tr("两次输入的口令不一致"))
            self.confirm.clear()
            self.confirm.setFocus()
            return
        comment, tasks = self.whole.toPlainText(), self.task_comments()
        passphrase, signer, folder = self.passphrase.text(), self.signer.text().strip(), Path(self.folder.text())
        ws, unit, period, creating = self.ws, self.unit, self.period, self.creating
        self.buttons.setEnabled(False)

        def done(path: Path) -> None:
            self.written = path
            super(ReturnDialog, self).accept()

        def failed(error: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.passphrase.clear()
            self.confirm.clear()
            self.error.setText(str(error) if isinstance(error, IpdeskError) else self.tr("退回失败：{0}").format(error))
            self.passphrase.setFocus()

        run_in_background(
            self,
            self.tr("正在签署退回意见…"),
            lambda: ws.city.return_to_unit(unit, period, comment, tasks, folder, passphrase, signer, create=creating),
            done,
            failed,
        )


def group_results(results: list) -> list[list]:
    """The import's results, one group per return: the workbook and the PDF of one version (and anything else read
    for it) together, the refusals of files that name no return each on their own; in the order first met."""
    groups: dict[object, list] = {}
    for number, result in enumerate(results):
        same_return = result.unit and result.version is not None and result.outcome.value != "拒绝"
        key = (result.unit, result.period, result.version) if same_return else number
        groups.setdefault(key, []).append(result)
    return list(groups.values())


# The outcome a return's row shows when its files went differently: the one that says most.
_OUTCOME_RANK = ("已导入", "已存为历史版本", "已有相同版本", "拒绝")


class ImportResultsDialog(QDialog):
    """One row per return (its files together): 已导入 / 已有相同版本 / 已存为历史版本 / 拒绝, with the whole
    reason (wrapped, and in the row's tooltip)."""

    def __init__(self, results: list, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("导入结果"))
        self.model = QStandardItemModel(0, 5, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("结果"), self.tr("文件"), self.tr("单位"), self.tr("报送期 / 版本"), self.tr("说明")]
        )
        counts: dict[str, int] = {}
        for group in group_results(results):
            main = min(group, key=lambda r: _OUTCOME_RANK.index(r.outcome.value))
            outcome = main.outcome.value
            counts[outcome] = counts.get(outcome, 0) + 1
            first = QStandardItem(outcome)
            first.setForeground(QBrush(QColor(OUTCOME_COLOURS.get(outcome, "#000000"))))
            version = f"{main.period} v{main.version}" if main.version else main.period
            names = "\n".join(Path(r.file).name for r in group)
            reason = main.reason
            others = [r for r in group if r is not main and r.reason and r.outcome is not main.outcome]
            if others:
                reason += "".join(f"\n{Path(r.file).name}：{r.reason}" for r in others)
            row = [first, QStandardItem(names), QStandardItem(main.unit), QStandardItem(version), QStandardItem(reason)]
            tip = "\n".join(r.file for r in group) + "\n\n" + reason
            for item in row:
                item.setEditable(False)
                item.setToolTip(tip)
            self.model.appendRow(row)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setWordWrap(True)
        self.view.setUniformRowHeights(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.view.header().setStretchLastSection(True)
        for column, width in enumerate((90, 280, 160, 110)):
            self.view.setColumnWidth(column, width)
        summary = "，".join(f"{k} {v} 份" for k, v in counts.items()) or self.tr("没有找到报送文件")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("共 {0} 个文件，{1} 份报告：{2}").format(len(results), self.model.rowCount(), summary))
        )
        layout.addWidget(self.view, 1)
        layout.addWidget(close)
        self.resize(1080, 460)


class CertificatesDialog(QDialog):
    """信任的证书: each unit's registered certificate with its fingerprint, to be checked by phone."""

    changed = Signal()

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(self.tr("信任的证书"))
        self.model = QStandardItemModel(0, 5, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("持有单位"), self.tr("类别"), self.tr("登记日期"), self.tr("状态"), self.tr("指纹（SHA-256）")]
        )
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        add = QPushButton(self.tr("登记证书…"))
        add.clicked.connect(self.add)
        self.remove_button = QPushButton(self.tr("移除所选"))
        self.remove_button.clicked.connect(self.remove)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.reject)
        hint = QLabel(self.tr("登记前请电话向对方核对证书指纹。单位更换签署证书时，旧证书对更换前签署的文件仍然有效。"))
        hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self.resize(1180, 520)
        self.load()

    def load(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for item in self.ws.trust.all():
            cells = [
                item.holder,
                self.tr("市局") if item.kind == "city" else self.tr("单位"),
                item.added_at[:10],
                self.tr("当前") if item.current else self.tr("已更换（{0}）").format(item.superseded_at[:10]),
                item.fingerprint,
            ]
            row = [QStandardItem(text) for text in cells]
            for cell in row:
                cell.setEditable(False)
            row[0].setData(item.fingerprint, Qt.ItemDataRole.UserRole)
            self.model.appendRow(row)
        for column, width in enumerate((190, 50, 95, 120)):
            self.view.setColumnWidth(column, width)
        self.view.resizeColumnToContents(4)

    def add(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择证书文件"), "", self.tr("证书 (*.cer *.crt *.pem *.der);;所有文件 (*)")
        )
        if path:
            self.add_file(Path(path))

    def add_file(self, path: Path) -> bool:
        """Check, show the fingerprint for the phone check, ask (twice when a unit changes its key), register."""
        try:
            registration = self.ws.trust.check(path)
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return False
        if registration.already:
            QMessageBox.information(self, "ipdesk", self.tr("该证书已登记过。\n\n{0}").format(registration.describe()))
            return False
        question = self.tr("登记这个证书吗？请先电话核对指纹。\n\n{0}").format(registration.describe())
        if registration.key_change:
            question = self.tr("注意：该单位更换了签署证书。\n\n{0}\n\n确认登记新证书吗？").format(
                registration.describe()
            )
        answer = QMessageBox.question(self, self.tr("登记证书"), question)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            self.ws.trust.add(path, key_change_confirmed=registration.key_change)
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return False
        self.load()
        self.changed.emit()
        return True

    def remove(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        fingerprint = self.model.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        holder = self.model.item(index.row(), 0).text()
        answer = QMessageBox.question(
            self, self.tr("移除证书"), self.tr("不再信任{0}的这个证书吗？\n{1}").format(holder, fingerprint)
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.ws.trust.remove(fingerprint)
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return
        self.load()
        self.changed.emit()


class OfficeKeyDialog(QDialog):
    """The office's own signing certificate: create it, see its fingerprint, export the .cer for the units."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(self.tr("本局签署证书"))
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signer = QLineEdit(ws.settings.get(ws.settings.REVIEWER_NAME))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.addRow(self.tr("证书持有人（经办人）"), self.signer)
        form.addRow(self.tr("设置签署口令"), self.passphrase)
        form.addRow(self.tr("再输入一次"), self.confirm)
        self.create_button = QPushButton(self.tr("创建签署密钥"))
        self.create_button.clicked.connect(self.create_key)
        self.export_button = QPushButton(self.tr("导出证书…"))
        self.export_button.clicked.connect(self.export)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.create_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.resize(640, 300)
        self.load()

    def load(self) -> None:
        identity = self.ws.city.identity()
        self.form.setVisible(identity is None)
        self.create_button.setVisible(identity is None)
        self.export_button.setEnabled(identity is not None)
        if identity is None:
            self.info.setText(
                self.tr("{0}还没有签署密钥。退回意见文件由它签署；创建后导出证书，发给各单位登记。").format(
                    self.ws.city.name
                )
            )
            return
        self.info.setText(
            self.tr("{0}\n证书持有人：{1}\n指纹（SHA-256）：{2}\n有效期至：{3:%Y-%m-%d}").format(
                self.ws.city.name, identity.signer, identity.fingerprint, identity.certificate.not_valid_after_utc
            )
        )

    def create_key(self) -> None:
        if self.passphrase.text() != self.confirm.text():
            self.error.setText(self.tr("两次输入的口令不一致"))
            return
        try:
            self.ws.city.create_identity(self.passphrase.text(), self.signer.text())
        except IpdeskError as error:
            self.error.setText(str(error))
            return
        self.error.clear()
        self.load()

    def export(self) -> None:
        default = str(Path.home() / f"{self.ws.city.name}.cer")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出证书"), default, self.tr("证书 (*.cer)"))
        if not path:
            return
        try:
            self.ws.signoff.export_certificate(self.ws.city.name, path)
        except IpdeskError as error:
            self.error.setStyleSheet("color: #b00020;")
            self.error.setText(str(error))
            return
        self.error.setStyleSheet("color: #1b5e20;")
        self.error.setText(self.tr("证书已导出：{0}").format(path))


class ContactsDialog(QDialog):
    """单位联系人: whom the office calls at each unit (催报), edited here or in the roster workbook."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(self.tr("单位联系人"))
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels([self.tr("单位"), self.tr("联系人"), self.tr("联系电话")])
        self.before = ws.plans.contacts()
        for unit in ws.plan.units:
            person, phone = self.before.get(unit.name, ("", ""))
            name = QStandardItem(unit.name)
            name.setEditable(False)
            self.model.appendRow([name, QStandardItem(person), QStandardItem(phone)])
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setColumnWidth(0, 260)
        self.view.setColumnWidth(1, 120)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        note = QLabel(
            self.tr(
                "双击填写。催报名单中，尚未报送过的单位列出这里的联系人；也可在“方案 → 单位名册”导出的表中填写后导入。"
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 560)

    def accept(self) -> None:
        """Save the rows that changed; a row refused (a phone with letters) is named and nothing after it saved."""
        for row in range(self.model.rowCount()):
            unit = self.model.item(row, 0).text()
            person, phone = self.model.item(row, 1).text().strip(), self.model.item(row, 2).text().strip()
            if (person, phone) == self.before.get(unit, ("", "")):
                continue
            try:
                self.ws.plans.set_contact(unit, person, phone)
            except IpdeskError as error:
                self.error.setText(self.tr("{0}：{1}").format(unit, error))
                self.view.setCurrentIndex(self.model.index(row, 2))
                self.before = self.ws.plans.contacts()
                return
        super().accept()
