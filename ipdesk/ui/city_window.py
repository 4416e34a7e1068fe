"""The city office's window (市领导小组办公室汇总): who has reported what, importing returns, review, 催报.

The centre is the completeness matrix — every unit × every begun period of the chosen kind (the office's rhythm or
longer), each cell the unit's account for that period from the office's accounting (``domain.accounting``): 未到期 /
逾期 / 待审 / 已接收 / 已退回 for one return, with 逾期N天 when it came late; 已齐 3/3 / 缺报 2/3 over several.
Files and folders dropped on the window (or chosen) are imported with a progress bar that can be stopped;
double-clicking a cell opens that return for review.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.accounting import ReturnState, UnitAccount, UnitState
from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.periods import Period, PeriodKind, chinese_date, chinese_datetime
from ipdesk.domain.returns import ImportOutcome
from ipdesk.ui.city_dialogs import CertificatesDialog, ImportResultsDialog, OfficeKeyDialog, ReviewDialog
from ipdesk.ui.city_summary import RulesDialog, choose_period, write_report
from ipdesk.ui.damage import check_in_background, offer_newest_backup
from ipdesk.ui.operations import run_with_progress
from ipdesk.ui.rows_model import RowsTableModel
from ipdesk.workspace import Workspace

if TYPE_CHECKING:
    from ipdesk.domain.accounting import Matrix

STATE_COLOURS = {  # background, text
    UnitState.NOT_DUE: ("#f0f0f0", "#555555"),
    UnitState.OVERDUE: ("#f8d0d0", "#8b0000"),
    UnitState.INCOMPLETE: ("#fbe3e3", "#8b0000"),
    UnitState.PENDING: ("#fff1c2", "#6b4f00"),
    UnitState.ACCEPTED: ("#d8f0d8", "#1b5e20"),
    UnitState.COMPLETE: ("#e3f2e3", "#1b5e20"),
    UnitState.RETURNED: ("#ffe0b2", "#8a4b00"),
    UnitState.NOT_COLLECTED: ("#ffffff", "#999999"),
}
LATE_TEXT = "#b03a00"  # a return received late keeps its state's background, its words turn orange-brown
ALL_UNITS = "全部单位"
KIND_WORDS = {
    PeriodKind.MONTH: "按月",
    PeriodKind.QUARTER: "按季度",
    PeriodKind.HALF: "按半年",
    PeriodKind.YEAR: "按年度",
}


class MatrixModel(RowsTableModel):
    """Rows: units; columns: periods; a cell: the unit's state for the period."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.periods: list[Period] = []
        self.matrix: Matrix | None = None

    def set_matrix(self, matrix: Matrix) -> None:
        self.beginResetModel()
        self.rows = list(matrix.units)
        self.periods = list(matrix.periods)
        self.matrix = matrix
        self.endResetModel()

    def account(self, unit: str, period: Period) -> UnitAccount:
        assert self.matrix is not None  # there are cells only once a matrix is set
        return self.matrix.cell(unit, period)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.periods)

    def cell(self, index: QModelIndex | QPersistentModelIndex) -> UnitAccount:
        return self.account(self.rows[index.row()].name, self.periods[index.column()])

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return _column_title(self.periods[section])
            return self.rows[section].name
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal and self.matrix:
            period = self.periods[section]
            due = self.matrix.deadline(period)
            return self.tr("{0}，截止日 {1}").format(period.chinese, chinese_date(due) if due else "—")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        cell = self.cell(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            background, foreground = STATE_COLOURS[cell.state]
            if role == Qt.ItemDataRole.ForegroundRole and cell.late and not cell.missing:
                foreground = LATE_TEXT
            return QBrush(QColor(background if role == Qt.ItemDataRole.BackgroundRole else foreground))
        if role == Qt.ItemDataRole.ToolTipRole:
            return _cell_tip(cell)
        return None


def _column_title(period: Period) -> str:
    if period.kind is PeriodKind.MONTH:
        return f"{period.year % 100:02d}年{period.index}月"
    return period.chinese.replace("年第", "年").replace("季度", "季")


def _cell_tip(cell: UnitAccount) -> str:
    """The unit's account in words: each return's deadline, and each version with the day it was received."""
    lines = [f"{cell.unit}：{cell.summary}"]
    for item in cell.returns:
        line = f"{item.period.chinese}：截止日 {chinese_date(item.deadline)}，{item.state.label}"
        if item.timeliness_text:
            line += f"（{item.timeliness_text}）"
        lines.append(line)
        for version in item.versions:
            lines.append(
                f"　v{version.version}：{version.signed_by} 于 {chinese_datetime(version.signed_at)} 签署，"
                f"{chinese_datetime(version.received_at)} 收到，{version.status.label}"
            )
        if item.state is ReturnState.RETURNED and item.latest is not None and item.latest.comment:
            lines.append(f"　退回意见：{item.latest.comment}")
    for period in cell.not_collected:
        lines.append(f"{period.chinese}：未纳入汇总")
    return "\n".join(lines)


class CityWindow(QMainWindow):
    def __init__(self, ws: Workspace, today: dt.date | None = None):
        super().__init__()
        self.ws = ws
        self.today = today or dt.date.today()
        self._damage_offered = False
        self.setWindowTitle(self.tr("ipdesk — {0}汇总").format(ws.city.name))
        self.setAcceptDrops(True)
        self.model = MatrixModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        # Several cells may be selected (Ctrl/Shift+click, a column's header) to accept them together.
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setDefaultSectionSize(96)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # The selected cell keeps its state colour and gets a frame: the colour is the information.
        self.view.setStyleSheet("QTableView::item:selected { border: 2px solid #1f4e79; color: black; }")
        self.view.doubleClicked.connect(self.review_at)
        self.view.selectionModel().currentChanged.connect(lambda *_: self.show_summary())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        legend = QLabel(
            "　".join(
                f'<span style="background:{bg};color:{fg}">&nbsp;{state.label}&nbsp;</span>'
                for state, (bg, fg) in STATE_COLOURS.items()
            )
            + f'　<span style="color:{LATE_TEXT}">逾期N天 = 逾期报送</span>'
            + self.tr("　双击单元格审阅；把报送文件或文件夹拖到窗口上即可导入")
        )
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(legend)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        self.setCentralWidget(central)
        self._build_actions()
        self.statusBar()
        self.resize(1240, 680)
        self._restore()
        self.refresh()

    # -- building ---------------------------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        bar = QToolBar(self.tr("工具栏"))
        bar.setObjectName("city-toolbar")
        self.addToolBar(bar)
        files = self.menuBar().addMenu(self.tr("文件(&F)"))
        review = self.menuBar().addMenu(self.tr("审阅(&R)"))
        summary = self.menuBar().addMenu(self.tr("汇总(&S)"))
        self.import_action = self._action(
            self.tr("导入报送文件…"), QKeySequence.StandardKey.Open, self.choose_files, files
        )
        self.import_folder_action = self._action(self.tr("导入文件夹…"), "Ctrl+Shift+O", self.choose_folder, files)
        files.addSeparator()
        self.remind_action = self._action(self.tr("导出催报名单…"), "Ctrl+E", self.export_reminders, files)
        files.addSeparator()
        self.trust_action = self._action(self.tr("信任的证书…"), None, self.open_certificates, files)
        self.contacts_action = self._action(self.tr("单位联系人…"), None, self.open_contacts, files)
        self.key_action = self._action(self.tr("本局签署证书…"), None, self.open_office_key, files)
        files.addSeparator()
        self._action(self.tr("设置…"), "Ctrl+,", self.open_settings, files)
        files.addSeparator()
        self._action(self.tr("退出"), QKeySequence.StandardKey.Quit, self.close, files)
        self.review_action = self._action(self.tr("审阅所选报送…"), "Return", self.review_current, review)
        self.accept_selected_action = self._action(
            self.tr("接收所选的待审报告（无提醒的）"), "Ctrl+Shift+A", self.accept_selected, review
        )
        review.addSeparator()
        self.since_action = self._action(self.tr("从哪个月开始汇总…"), None, self.choose_start, review)
        for kind, text in (
            (PeriodKind.MONTH, "月度汇总…"),
            (PeriodKind.QUARTER, "季度督导报告…"),
            (PeriodKind.YEAR, "年度考核…"),
        ):
            self._action(self.tr(text), None, lambda checked=False, k=kind: self.write_report(k), summary)
        self._action(self.tr("终期评估…"), None, lambda: write_report(self, self.ws, None, self.today), summary)
        summary.addSeparator()
        self._action(self.tr("考核计分规则…"), None, self.open_rules, summary)
        for action in (self.import_action, self.import_folder_action, self.remind_action, self.trust_action):
            bar.addAction(action)
        bar.addSeparator()
        bar.addWidget(QLabel(self.tr(" 报送周期 ")))
        self.kind_box = QComboBox()
        self._fill_kinds()
        self.kind_box.currentIndexChanged.connect(lambda _: self.refresh(keep_place=False))
        bar.addWidget(self.kind_box)
        bar.addWidget(QLabel(self.tr(" 单位 ")))
        self.group_box = QComboBox()
        self.group_box.addItem(self.tr(ALL_UNITS), None)
        for group in self.ws.city.unit_groups():
            self.group_box.addItem(group, group)
        self.group_box.currentIndexChanged.connect(lambda _: self.refresh())
        bar.addWidget(self.group_box)
        bar.addSeparator()
        bar.addWidget(QLabel(self.tr(" 收到日期 ")))
        self.received_on = QDateEdit(QDate(self.today.year, self.today.month, self.today.day))
        self.received_on.setCalendarPopup(True)
        self.received_on.setDisplayFormat("yyyy-MM-dd")
        self.received_on.setMaximumDate(QDate(self.today.year, self.today.month, self.today.day))
        self.received_on.setToolTip(self.tr("导入的文件是哪一天收到的（如 U 盘上周送来）：是否按时报送以此为准"))
        bar.addWidget(self.received_on)

    def _fill_kinds(self) -> None:
        """The office's rhythm and every longer kind (a quarter under a monthly rhythm is its three months)."""
        from ipdesk.domain.accounting import kinds_shown

        rhythm = self.ws.settings.report_kind()
        self.kind_box.blockSignals(True)
        self.kind_box.clear()
        for kind in kinds_shown(rhythm):
            self.kind_box.addItem(self.tr(KIND_WORDS[kind]) if kind is not rhythm else kind.label, kind)
        self.kind_box.setCurrentIndex(0)
        self.kind_box.blockSignals(False)

    def _action(self, text: str, shortcut, slot, menu) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- the matrix -------------------------------------------------------------------------------------------------
    def refresh(self, keep_place: bool = True) -> None:
        """Read the matrix afresh; the selected cell stays, unless the columns changed kind (then the newest period
        due is selected)."""
        current = self.view.currentIndex()
        position = (current.row(), current.column()) if current.isValid() and keep_place else None
        kind = PeriodKind(self.kind_box.currentData())
        matrix = self.ws.city.matrix(kind, self.group_box.currentData(), self.today)
        # a longer column says more: 已齐 3/3 逾期1期
        self.view.horizontalHeader().setDefaultSectionSize(96 if kind is self.ws.settings.report_kind() else 136)
        self.model.set_matrix(matrix)
        column = position[1] if position else max(self._latest_due_column(), 0)
        row = position[0] if position else 0
        if self.model.rowCount() and self.model.columnCount():
            index = self.model.index(min(row, self.model.rowCount() - 1), min(column, self.model.columnCount() - 1))
            self.view.setCurrentIndex(index)
            self.view.horizontalScrollBar().setValue(self.view.horizontalScrollBar().maximum())
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        self.show_summary()

    def _latest_due_column(self) -> int:
        """The newest period whose return is due by now (the one the office is chasing)."""
        matrix = self.model.matrix
        due = [
            n for n, p in enumerate(self.model.periods) if matrix and (matrix.deadline(p) or self.today) <= self.today
        ]
        return due[-1] if due else self.model.columnCount() - 1

    def current_period(self) -> Period | None:
        index = self.view.currentIndex()
        return self.model.periods[index.column()] if index.isValid() else None

    def show_summary(self) -> None:
        period = self.current_period()
        matrix = self.model.matrix
        if period is None or matrix is None:
            self.summary.setText(self.tr("没有可显示的报送期"))
            return
        due = matrix.deadline(period)
        when = self.tr("{0}（截止日 {1}）：").format(period.chinese, chinese_date(due) if due else "—")
        self.summary.setText(when + matrix.columns[period.code].tally_text())

    # -- importing --------------------------------------------------------------------------------------------------
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择报送文件"), "", self.tr("ipdesk 报送文件 (*.xlsx *.pdf);;所有文件 (*)")
        )
        if paths:
            self.import_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("选择存放报送文件的文件夹"))
        if folder:
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> None:
        if self.ws.read_only:
            QMessageBox.warning(self, "ipdesk", self.tr("以只读方式打开，不能导入"))
            return
        ws, today = self.ws, self.today
        chosen = self.received_on.date()
        received_on = dt.date(chosen.year(), chosen.month(), chosen.day())

        def work(report, cancelled):
            return ws.city.import_files(
                paths, progress=report, cancelled=cancelled, today=today, received_on=received_on
            )

        def done(results) -> None:
            self.refresh()
            self.results_dialog = ImportResultsDialog(results, self)
            self.results_dialog.show()
            imported = sum(1 for r in results if r.outcome is ImportOutcome.IMPORTED)
            when = "" if received_on == today else self.tr("（收到日期按 {0} 计）").format(received_on.isoformat())
            self.statusBar().showMessage(
                self.tr("导入完成：{0} 个文件，新收到 {1} 份{2}").format(len(results), imported, when), 8000
            )
            # A date set for last week's USB stick is not carried over to the next files.
            self.received_on.setDate(QDate(today.year, today.month, today.day))

        run_with_progress(self, self.tr("正在验证并导入报送文件…"), work, done, self._failed)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # -- review ------------------------------------------------------------------------------------------------------
    def review_current(self) -> None:
        self.review_at(self.view.currentIndex())

    def review_at(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        cell = self.model.cell(index)
        received = [r for r in cell.returns if r.received]
        if not received:
            period = self.model.periods[index.column()]
            self.statusBar().showMessage(
                self.tr("尚未收到{0}{1}的报送材料（{2}）").format(cell.unit, period.chinese, cell.state.label), 6000
            )
            return
        # a long column (a quarter of months): the newest return received
        self.review_dialog = ReviewDialog(self.ws, cell.unit, received[-1].period, self)
        self.review_dialog.decided.connect(self.refresh)
        self.review_dialog.show()

    def accept_selected(self) -> None:
        """接收 every selected 待审 return that has no 提醒; the others are listed with the reason."""
        from ipdesk.domain.reports import ReportStatus

        cells = [self.model.cell(i) for i in self.view.selectionModel().selectedIndexes()]
        # a long column (a quarter of months) holds several returns: each 待审 one is a candidate, once
        candidates = list(
            {
                (r.unit, r.period.code): r
                for cell in cells
                for r in cell.returns
                if r.latest is not None and r.latest.status is ReportStatus.SIGNED
            }.values()
        )
        if not candidates:
            self.statusBar().showMessage(self.tr("所选单元格中没有待审的报告"), 6000)
            return
        accepted, skipped = [], []
        for cell in candidates:
            try:
                notes = self.ws.city.reminders_of(cell.unit, cell.period)
                if notes:
                    skipped.append(self.tr("{0} {1}：{2}").format(cell.unit, cell.period.chinese, "；".join(notes)))
                    continue
                self.ws.city.accept(cell.unit, cell.period)
                accepted.append(cell)
            except IpdeskError as error:
                skipped.append(self.tr("{0} {1}：{2}").format(cell.unit, cell.period.chinese, error))
        self.refresh()
        text = self.tr("已接收 {0} 份报告。").format(len(accepted))
        if skipped:
            text += self.tr("\n\n以下 {0} 份有提醒，未接收，请逐份审阅：\n").format(len(skipped)) + "\n".join(skipped)
        QMessageBox.information(self, self.tr("接收所选报告"), text)

    def write_report(self, kind: PeriodKind) -> None:
        period = choose_period(self, self.ws, kind, self.today)
        if period is not None:
            write_report(self, self.ws, period, self.today)

    def open_rules(self) -> None:
        self.rules_dialog = RulesDialog(self.ws, self, self.today)
        self.rules_dialog.show()

    def choose_start(self) -> None:
        """Periods before the office began collecting with ipdesk are left out of the matrix."""
        from PySide6.QtWidgets import QInputDialog

        from ipdesk.domain.deadlines import plan_periods

        plan = self.ws.plan
        months = plan_periods(PeriodKind.MONTH, plan.start_date, plan.end_date)
        labels = [self.tr("方案实施以来全部")] + [m.chinese for m in months]
        current = self.ws.settings.get(self.ws.settings.CITY_FROM)
        position = next((n + 1 for n, m in enumerate(months) if m.code == current), 0)
        choice, ok = QInputDialog.getItem(
            self, self.tr("开始汇总的月份"), self.tr("从哪个月开始用 ipdesk 收集报送材料："), labels, position, False
        )
        if not ok:
            return
        month = None if choice == labels[0] else months[labels.index(choice) - 1]
        try:
            self.ws.city.set_collecting_from(month)
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return
        self.refresh()

    # -- 催报, certificates -------------------------------------------------------------------------------------------
    def export_reminders(self) -> None:
        period = self.current_period()
        if period is None:
            return
        default = str(Path.home() / f"{period.code}_催报名单.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出催报名单"), default, self.tr("Excel 工作簿 (*.xlsx)"))
        if not path:
            return
        try:
            written = self.ws.city.write_reminders(period, Path(path), self.today)
            count = len(self.ws.city.reminders(period, self.today))
        except IpdeskError as error:
            QMessageBox.warning(self, "ipdesk", str(error))
            return
        self.statusBar().showMessage(self.tr("已导出催报名单（{0} 个单位）：{1}").format(count, written), 8000)

    def open_certificates(self) -> None:
        self.certificates_dialog = CertificatesDialog(self.ws, self)
        self.certificates_dialog.changed.connect(self.refresh)
        self.certificates_dialog.show()

    def open_contacts(self) -> None:
        from ipdesk.ui.city_dialogs import ContactsDialog

        self.contacts_dialog = ContactsDialog(self.ws, self)
        self.contacts_dialog.open()

    def open_settings(self) -> None:
        from ipdesk.ui.city_setup import CitySettingsDialog

        dialog = CitySettingsDialog(self.ws, self)
        if dialog.exec():
            self._fill_kinds()
            self.refresh(keep_place=False)

    def open_office_key(self) -> None:
        self.office_key_dialog = OfficeKeyDialog(self.ws, self)
        self.office_key_dialog.show()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def start_integrity_check(self) -> None:
        """Check the whole database in the background after start; on damage, offer the newest good backup."""
        check_in_background(self, self.ws, self.offer_restore)

    def offer_restore(self, problem: str) -> None:
        """The database is damaged: nothing more is written to it; offer the newest good backup (once)."""
        if self._damage_offered:
            self.show_message(self.tr("数据库已损坏，修改没有保存。请用备份恢复（见刚才的提示）。"))
            return
        self._damage_offered = True
        offer_newest_backup(self, self.ws, problem)

    def _failed(self, error: BaseException) -> None:
        message = str(error) if isinstance(error, IpdeskError) else self.tr("操作失败：{0}").format(error)
        QMessageBox.warning(self, "ipdesk", message)

    # -- window state ------------------------------------------------------------------------------------------------
    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("city/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def closeEvent(self, event) -> None:
        QSettings().setValue("city/geometry", self.saveGeometry())
        super().closeEvent(event)
