"""The clerk's main window: period, task table with filters, task editor, indicators tab, 待办, menus.

It fits the screens district offices have (1280×720 logical pixels, 1366×768): the editor scrolls rather than push
the status bar off the screen, the task name takes the room in the table, and size, maximised state, docks,
splitters and column widths are remembered (``window_memory``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence

# QMessageBox and QFileDialog are imported where a message or a file dialog is shown: the start makes no
# Python type (nor its enums) for them.
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ipdesk import __version__
from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.former_tasks import FormerTask
from ipdesk.domain.lights import Light
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.plan import Role, TaskKind
from ipdesk.domain.reports import Missing, ReportAction, ReportStatus, ReturnComment, allowed_actions
from ipdesk.domain.statuses import TaskStatus
from ipdesk.ui import window_memory
from ipdesk.ui.comment_panel import ReturnCommentBar
from ipdesk.ui.damage import check_in_background, offer_newest_backup
from ipdesk.ui.operations import run_in_background
from ipdesk.ui.period_picker import PeriodPicker
from ipdesk.ui.plan_menu import install_plan_menu
from ipdesk.ui.task_editor import FIELD_LABELS, TaskEditor
from ipdesk.ui.task_table import SEQ_ROLE, TaskFilterProxy, TaskRow, TaskTableModel
from ipdesk.ui.todo_panel import TodoPanel, summary
from ipdesk.workspace import TaskProgress, Workspace
from ipdesk.workspace.errors import user_message

if TYPE_CHECKING:
    from ipdesk.ui.indicator_panel import IndicatorPanel
    from ipdesk.ui.plan_import_dialog import PlanImportDialog

MESSAGE_MS = 5000
MEMORY_KEY = "main"
FITTED_COLUMNS = tuple(
    c
    for c in range(len(TaskTableModel.COLUMNS))
    if c not in (TaskTableModel.CATEGORY, TaskTableModel.NAME, TaskTableModel.CHANGED)
)
HIDDEN_BY_DEFAULT = (TaskTableModel.CHANGED,)  # mostly empty: shown on request (right-click the header)


class MainWindow(QMainWindow):
    # set by plan_menu: the plan the window shows, the toolbar's plan button, the dialog of the last plan import
    plan_code_shown: str
    plan_button: QToolButton
    plan_import_dialog: PlanImportDialog

    def __init__(self, ws: Workspace, unit: str, today: dt.date | None = None):
        super().__init__()
        self.ws = ws
        self.unit = unit
        self.today = today or dt.date.today()
        self.period: Period = ws.reports.default_period(self.today)
        self.locked_because = ""
        self.comments: list[ReturnComment] = []  # the city's comments of the last 退回 of this period
        self.status = ReportStatus.DRAFT  # of the period shown, as last read
        self._withdraw_agreed: tuple[str, str, int] | None = None  # the submitted report the clerk chose to change
        self._damage_offered = False
        self.former: list[FormerTask] = []  # tasks a plan update gave to other units, with the periods entered
        self.setWindowTitle(self.tr("ipdesk — {0}").format(unit))

        # -- tasks tab ----------------------------------------------------------------------------------------
        self.model = TaskTableModel(self)
        self.proxy = TaskFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(TaskTableModel.SEQ, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move within it), as in Windows lists
        # One line per row: every row is as high as the font makes it, without measuring any cell.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # the short columns are fitted once (below)
        header.setSectionResizeMode(TaskTableModel.NAME, QHeaderView.ResizeMode.Stretch)  # the name takes the room
        for column, width in ((TaskTableModel.CATEGORY, 84), (TaskTableModel.CHANGED, 84)):
            header.resizeSection(column, width)
        header.setMinimumSectionSize(32)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        for column in HIDDEN_BY_DEFAULT:
            header.hideSection(column)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._choose_columns)

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("查找任务名称、内容或已填写的文字（Ctrl+F）"))
        self.search.setClearButtonEnabled(True)
        self.category_filter = QComboBox()
        self.category_filter.addItem(self.tr("全部类别"), None)
        for category in ws.plan.categories:
            if any(t.category == category and t.kind is not TaskKind.INDICATOR for t in ws.plan.tasks):
                self.category_filter.addItem(category, category)
        self.role_filter = QComboBox()
        self.role_filter.addItem(self.tr("牵头和协作"), None)
        self.role_filter.addItem(self.tr("牵头"), Role.LEAD.value)
        self.role_filter.addItem(self.tr("协作"), Role.COOP.value)
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("全部状态"), "any")
        self.status_filter.addItem(self.tr("未填"), None)
        for status in TaskStatus:
            self.status_filter.addItem(status.label, status.value)
        self.light_filter = QComboBox()
        self.light_filter.addItem(self.tr("全部预警"), None)
        for light in (Light.RED, Light.YELLOW, Light.GREEN):
            self.light_filter.addItem(light.label, light.value)
        filters = QHBoxLayout()
        for combo in (self.category_filter, self.role_filter, self.status_filter, self.light_filter):
            filters.addWidget(combo)
            combo.currentIndexChanged.connect(self.apply_filters)
        self.search.textChanged.connect(self.apply_filters)
        self.count_label = QLabel()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.comment_bar = ReturnCommentBar()  # the city's comment on the whole report: here, not in the toolbar
        left_layout.addWidget(self.comment_bar)
        left_layout.addWidget(self.search)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table)
        left_layout.addWidget(self.count_label)

        self.editor = TaskEditor(ws)
        # On a low screen the editor scrolls: its buttons stay reachable and the status bar stays on screen.
        self.editor_scroll = QScrollArea()
        self.editor_scroll.setWidget(self.editor)
        self.editor_scroll.setWidgetResizable(True)
        self.editor_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.editor_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from the table straight to the fields
        self.editor_scroll.setMinimumWidth(380)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.editor_scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([560, 480])
        self.splitter = splitter

        # The indicators tab's panel is built when the tab is first shown or its panel first needed (``indicators``):
        # the window opens on the tasks.
        self._indicator_panel: IndicatorPanel | None = None
        self.indicators_tab = QWidget()
        QVBoxLayout(self.indicators_tab).setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, self.tr("任务进展"))
        self.tabs.addTab(self.indicators_tab, self.tr("主要指标与示范工程"))
        self.setCentralWidget(self.tabs)

        # -- period bar, 待办, status bar ---------------------------------------------------------------------
        self.picker = PeriodPicker(ws.plan.start_date, ws.plan.end_date)
        self.report_state = QLabel()
        self.report_state.setObjectName("reportState")
        bar = QToolBar(self.tr("报送期"))
        bar.setObjectName("periodBar")
        bar.setMovable(False)
        self.unit_label = QLabel(f"<b>{unit}</b>　")
        bar.addWidget(self.unit_label)
        bar.addWidget(QLabel(self.tr("报送期：")))
        bar.addWidget(self.picker)
        bar.addSeparator()
        bar.addWidget(self.report_state)
        self.addToolBar(bar)

        self.todo = TodoPanel()
        self.todo_dock = QDockWidget(self.tr("待办"), self)
        self.todo_dock.setObjectName("todoDock")
        self.todo_dock.setWidget(self.todo)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.todo_dock)
        self.resizeDocks([self.todo_dock], [180], Qt.Orientation.Horizontal)
        self.due_label = QLabel()
        self.statusBar().addPermanentWidget(self.due_label)

        self._build_actions(bar)

        # -- wiring -------------------------------------------------------------------------------------------
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.editor.saved.connect(self._task_saved)
        self.editor.message.connect(self.show_message)
        self.editor.damaged.connect(self.offer_restore)
        self.editor.may_edit = self.may_edit
        self.editor.comment_box.handle.connect(self.handle_comment)
        self.comment_bar.handle.connect(self.handle_comment)
        self.picker.changed.connect(self.set_period)
        self.picker.kind_changed.connect(self.set_report_kind)
        self.todo.open_period.connect(self.open_period)
        self.todo.start_from.connect(self.start_reporting_from)
        self.todo.mark_sent.connect(self.mark_sent)
        self.tabs.currentChanged.connect(lambda _: self.flush())
        self.tabs.currentChanged.connect(self._tab_shown)

        self.setAcceptDrops(True)  # drop a received return on the window to verify it
        self.picker.set_period(self.period)
        self.load_period()
        self._fit_columns()
        window_memory.place(self, MEMORY_KEY)
        window_memory.restore(MEMORY_KEY, self, self._remembered_splitters(), self._remembered_headers())
        self._keep_column_modes()

    @property
    def indicators(self) -> IndicatorPanel:
        """The indicators tab's panel, built (loaded with the period shown, its splitter and columns as remembered)
        the first time it is shown or needed."""
        if self._indicator_panel is None:
            from ipdesk.ui.indicator_panel import IndicatorPanel

            panel = IndicatorPanel(self.ws)
            panel.message.connect(self.show_message)
            panel.changed.connect(self._after_change)
            panel.damaged.connect(self.offer_restore)
            panel.may_edit = self.may_edit
            layout = self.indicators_tab.layout()
            assert layout is not None
            layout.addWidget(panel)
            panel.show()  # now, not at the next turn of the event loop: the tab may be showing already
            self._indicator_panel = panel
            panel.load(self.unit, self.period, bool(self.locked_because))
            window_memory.restore_views(MEMORY_KEY, *self._indicator_views(panel))
        return self._indicator_panel

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.indicators_tab:
            self.indicators  # noqa: B018  # builds the panel the first time its tab is shown

    @staticmethod
    def _indicator_views(panel: IndicatorPanel) -> tuple[dict[str, QSplitter], dict[str, QHeaderView]]:
        return (
            {"indicators": panel.splitter},
            {"indicators": panel.table.horizontalHeader(), "targets": panel.target_table.horizontalHeader()},
        )

    def _fit_columns(self) -> None:
        """The short columns (序号, 角色, 状态 …) as wide as what they show, measured once when the window opens: a
        column that resizes to its contents measures every cell again at each change and each paint. The widths the
        user set, remembered, are put back after this.

        The width is the one ``QTableView.resizeColumnToContents`` gives — the widest cell's size hint (plus the
        grid line) or the header's, whichever is wider — but the delegate is asked once per different text in the
        column rather than once per row: a cell's size hint here depends on its text alone (no icons, fonts or
        check boxes), and a column like 角色 or 预警 has two or three texts in thirty rows."""
        table, model = self.table, self.proxy
        header = table.horizontalHeader()
        table.ensurePolished()
        grid = 1 if table.showGrid() else 0
        for column in FITTED_COLUMNS:
            cells: dict[object, QModelIndex] = {}
            for row in range(model.rowCount()):
                index = model.index(row, column)
                cells.setdefault(index.data(), index)
            content = max((table.sizeHintForIndex(index).width() for index in cells.values()), default=0) + grid
            header.resizeSection(column, max(content, header.sectionSizeHint(column)))

    def _keep_column_modes(self) -> None:
        """The remembered widths stay, but not a remembered resize-to-contents mode (saved by earlier releases)."""
        header = self.table.horizontalHeader()
        for column in range(header.count()):
            if header.sectionResizeMode(column) is QHeaderView.ResizeMode.ResizeToContents:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TaskTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)

    def _remembered_splitters(self) -> dict[str, QSplitter]:
        """The splitters remembered: the indicators tab's once built (until then, what was saved stays saved)."""
        panel = self._indicator_panel
        return {"tasks": self.splitter, **(self._indicator_views(panel)[0] if panel is not None else {})}

    def _remembered_headers(self) -> dict[str, QHeaderView]:
        panel = self._indicator_panel
        headers: dict[str, QHeaderView] = {"tasks": self.table.horizontalHeader()}
        return {**headers, **(self._indicator_views(panel)[1] if panel is not None else {})}

    def _choose_columns(self, where: QPoint) -> None:
        """Right-click on the table's header: which columns to show (remembered with the column widths)."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column, title in enumerate(TaskTableModel.COLUMNS):
            if column in (TaskTableModel.SEQ, TaskTableModel.NAME):
                continue
            action = menu.addAction(self.tr(title))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: header.setSectionHidden(c, not shown))
        menu.exec(header.mapToGlobal(where))

    # -- actions ------------------------------------------------------------------------------------------------
    def _action(
        self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None, slot, menu, tip: str = ""
    ) -> QAction:
        action = QAction(self.tr(text), self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(self.tr(tip))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_actions(self, bar: QToolBar) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu(self.tr("文件(&F)"))
        self.save_action = self._action(
            "保存", QKeySequence.StandardKey.Save, self.save_now, file_menu, "立即保存（填写内容也会自动保存）"
        )
        self.export_action = self._action(
            "导出报告…", "Ctrl+E", self.export, file_menu, "导出本期的 Excel 工作簿和可打印的 PDF"
        )
        self._action("验证文件…", "Ctrl+Shift+V", self.open_verify, file_menu, "检查收到的报送文件是否有效、是否被改动")
        self._action("本单位签署证书…", None, self.open_certificate, file_menu)
        self._action(
            "导入退回意见…",
            None,
            self.import_feedback,
            file_menu,
            "导入市局发来的退回意见文件（.json），打开下一版修改",
        )
        self._action("登记市局证书…", None, self.register_city_certificate, file_menu, "登记市领导小组办公室的证书")
        install_plan_menu(self, file_menu, bar)  # 导入方案…, the 方案 menu, the current plan on the toolbar
        file_menu.addSeparator()
        self._action("设置…", "Ctrl+,", self.open_settings, file_menu)
        file_menu.addSeparator()
        self._action("退出", "Ctrl+Q", self.close, file_menu)

        edit_menu = menus.addMenu(self.tr("编辑(&E)"))
        self._action("撤销", "Ctrl+Z", self.undo, edit_menu)
        self._action("重做", "Ctrl+Y", self.redo, edit_menu)
        edit_menu.addSeparator()
        self._action("查找", QKeySequence.StandardKey.Find, self.focus_search, edit_menu)
        edit_menu.addSeparator()
        self.carry_one_action = self._action(
            "沿用上期（本任务）",
            "Ctrl+Shift+L",
            self.carry_forward_one,
            edit_menu,
            "把上一期本任务填写的内容复制到本期，作为起点",
        )
        self.carry_all_action = self._action(
            "沿用上期（全部任务）",
            None,
            self.carry_forward_all,
            edit_menu,
            "把上一期各任务填写的内容复制到本期尚未填写的地方",
        )

        task_menu = menus.addMenu(self.tr("任务(&T)"))
        self._action("上一项任务", "Alt+Up", lambda: self.step_task(-1), task_menu)
        self._action("下一项任务", "Alt+Down", lambda: self.step_task(1), task_menu)
        task_menu.addSeparator()
        self.history_action = self._action(
            "修改记录…",
            "Ctrl+H",
            self.show_history,
            task_menu,
            "查看本任务本期每一处修改：时间、修改人、原内容和新内容",
        )

        report_menu = menus.addMenu(self.tr("报送(&R)"))
        self._action("上一期", "Ctrl+PgUp", lambda: self.picker.step(-1), report_menu)
        self._action("下一期", "Ctrl+PgDown", lambda: self.picker.step(1), report_menu)
        report_menu.addSeparator()
        self.submit_action = self._action(
            "提交审核", "Ctrl+Return", self.submit, report_menu, "检查本期填报是否完整，并提交审核人签署"
        )
        self.submit_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.sign_action = self._action(
            "签署…", "Ctrl+Shift+S", self.sign, report_menu, "审核人签署已提交的报告：数据锁定并生成签名文件"
        )
        self.revise_action = self._action(
            "修订", None, self.revise, report_menu, "在已签署的报告之后新建一个可修改的版本"
        )

        view_menu = menus.addMenu(self.tr("视图(&V)"))
        view_menu.addAction(self.todo_dock.toggleViewAction())
        view_menu.addSeparator()
        self._action("下一个窗格", "F6", lambda: self.cycle_panes(1), view_menu, "在任务列表、编辑区和待办之间切换")
        self._action("上一个窗格", "Shift+F6", lambda: self.cycle_panes(-1), view_menu)
        help_menu = menus.addMenu(self.tr("帮助(&H)"))
        self.help_action = self._action(
            "使用说明", QKeySequence.StandardKey.HelpContents, self.show_help, help_menu, "填报、提交、签署、导出的步骤"
        )
        self.help_action.setShortcuts([QKeySequence("F1")])
        help_menu.addSeparator()
        self._action("关于 ipdesk", None, self.about, help_menu)

        bar.addSeparator()
        bar.addAction(self.carry_all_action)
        bar.addAction(self.submit_action)
        bar.addAction(self.export_action)

    # -- loading --------------------------------------------------------------------------------------------
    def lock_reason(self) -> str:
        if self.ws.read_only:
            return self.tr("以只读方式打开：另一个 ipdesk 正在修改这个数据库，这里只能查看。")
        state = self.ws.reports.state(self.unit, self.period)
        if state is None or not state.status.locked:
            return ""
        signed = self.ws.signoff.signed(self.unit, self.period)
        if signed is not None:
            when = signed.signed_at[:16].replace("T", " ")
            return self.tr(
                "{0}的报告（第 {1} 版）已于 {2} 由{3}签署，数据已锁定，只能查看。如需更正，请用“报送 → 修订”。"
            ).format(self.period.chinese, state.version, when, signed.signed_by)
        return self.tr("{0}的报告{1}，数据已锁定，只能查看。").format(self.period.chinese, state.status.label)

    def load_period(self) -> None:
        """(Re)load the table, editor and indicators for ``self.period``, keeping the selected task."""
        self.flush()
        keep = self.current_seq()
        counts = self.ws.evidence.counts(self.unit, self.period)
        self.comments = self.ws.reports.comments(self.unit, self.period)
        marks = self._comment_marks()
        seen = [  # with the former tasks of this period, read-only
            r for r in self.ws.progress.seen(self.unit, self.period) if r.task.kind is not TaskKind.INDICATOR
        ]
        lights = self.ws.lights.for_tasks(r.progress for r in seen)
        rows = [self._task_row(r, light, counts, marks) for r, light in zip(seen, lights, strict=True)]
        self.model.set_rows(rows)
        self.former = self.ws.progress.former(self.unit)
        self.locked_because = self.lock_reason()  # asked once per load: the table's rows all share it
        if self._indicator_panel is not None:  # else loaded when first shown
            self._indicator_panel.load(self.unit, self.period, bool(self.locked_because))
        self._update_count()
        self._refresh_report_state()
        self._refresh_todo()
        self.editor.row = None  # show what is stored now, not what the editor held before
        if keep is None or self.model.row_of(keep) < 0:  # e.g. a former task, listed only where it was entered
            keep = rows[0].task.seq if rows else None
        self.select_task(keep)

    def set_period(self, period: Period) -> None:
        if period == self.period:
            return
        self.flush()
        self.period = period
        self.load_period()

    def open_period(self, period: Period) -> None:
        self.picker.set_period(period)
        self.set_period(period)

    def _refresh_report_state(self) -> ReportStatus:
        state = self.ws.reports.state(self.unit, self.period)
        status = state.status if state else ReportStatus.DRAFT
        self.status = status
        if status is not ReportStatus.SUBMITTED:
            self._withdraw_agreed = None  # the next submission is asked about afresh
        text = self.tr("{0}：{1}").format(self.period.chinese, status.label)
        if state is not None and state.version > 1:  # v2 填报中: after a 退回 or 修订 the version matters
            text = self.tr("{0}：v{1} {2}").format(self.period.chinese, state.version, status.label)
        open_count = sum(1 for c in self.comments if not c.answered)
        if open_count:
            text += self.tr("（{0} 条退回意见待处理）").format(open_count)
        whole = next((c for c in self.comments if c.task_seq is None), None)
        self.comment_bar.show_comment(whole, state.version - 1 if state else 1, status.locked or self.ws.read_only)
        if state and state.status is ReportStatus.SUBMITTED:
            text += self.tr("（{0} {1}）").format(state.submitted_by, state.submitted_at[:16].replace("T", " "))
        self.report_state.setText(text)
        allowed = allowed_actions(status)  # the life cycle's table decides, never the window
        self.submit_action.setEnabled(ReportAction.SUBMIT in allowed)
        self.sign_action.setEnabled(ReportAction.SIGN in allowed)
        self.revise_action.setEnabled(ReportAction.REVISE in allowed)
        for action in (self.carry_all_action, self.carry_one_action):  # nothing to carry into a locked period
            action.setEnabled(not status.locked)
        if self.ws.read_only:
            for action in (
                self.submit_action,
                self.sign_action,
                self.revise_action,
                self.carry_all_action,
                self.carry_one_action,
            ):
                action.setEnabled(False)
        return status

    def _after_change(self) -> None:
        """After a change was saved: the report's status may have moved (a submitted report is withdrawn by a
        change), and with it 待办. The city's comments stay as they are: only 已处理 handles them."""
        before = self.status
        if self._refresh_report_state() is not before:
            self._refresh_todo()

    def _refresh_todo(self) -> None:
        items = self.ws.reports.due(self.unit, self.today)
        self.todo.show_items(items, self.today)
        self.due_label.setText(summary(items, self.today))

    def _update_count(self) -> None:
        shown, rows = self.proxy.rowCount(), self.model.rowCount()
        former = sum(1 for r in self.model.rows if r.former is not None)
        total = rows - former
        lead = sum(1 for r in self.model.rows if r.role is Role.LEAD)
        indicators = len(self.ws.indicators.for_unit(self.unit))
        text = self.tr("本表 {0} 项任务（牵头 {1}，协作 {2}）").format(total, lead, total - lead)
        if indicators:  # the same count as `ipdesk tasks`: indicator rows of the task list are filled elsewhere
            text += self.tr("；另有 {0} 项主要指标在“主要指标与示范工程”页填写，共 {1} 项").format(
                indicators, total + indicators
            )
        if former:
            text += self.tr("；另列 {0} 项原承担任务（已调整给其他单位，本期有填报记录，只能查看）").format(former)
        elsewhere = [f for f in self.former if self.period not in f.periods]
        if elsewhere and not former:  # never silently gone: say where the kept entries can be read
            if len(elsewhere) == 1:
                first = elsewhere[0]
                text += self.tr("；原承担任务第 {0} 项{1}，原填报内容保留，可在{2}查看").format(
                    first.task.seq, first.mark, first.periods[-1].chinese
                )
            else:  # several, each moved to its own units and kept in its own periods: named together
                text += self.tr("；原承担任务第 {0} 项已调整给其他单位，原填报内容保留，可在填报过的期次查看").format(
                    "、".join(str(f.task.seq) for f in elsewhere)
                )
        if shown != rows:
            text += self.tr("；显示 {0} 项").format(shown)
        self.count_label.setText(text)
        self.count_label.setToolTip(text)

    # -- selection ------------------------------------------------------------------------------------------
    def current_seq(self) -> int | None:
        index = self.table.currentIndex()
        return index.data(SEQ_ROLE) if index.isValid() else None

    def select_task(self, seq: int | None) -> None:
        if seq is None:
            self.editor.load(None)
            return
        source_row = self.model.row_of(seq)
        if source_row < 0:
            self.editor.load(None)
            return
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():  # filtered out: clear the filters rather than edit an invisible task
            self.clear_filters()
            index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        self._load_editor(seq)

    def _current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self._load_editor(current.data(SEQ_ROLE))

    def _load_editor(self, seq: int) -> None:
        if (
            self.editor.row is not None
            and self.editor.row.task.seq == seq
            and self.editor.row.progress.period == self.period
        ):
            return
        row = self.model.rows[self.model.row_of(seq)]
        reason = row.former.read_only_reason(self.unit) if row.former is not None else self.locked_because
        self.editor.load(TaskProgress(row.task, row.role, row.progress, row.former), reason)
        self.editor.show_comments([c for c in self.comments if c.task_seq == seq])

    def panes(self) -> list[tuple[QWidget, QWidget]]:
        """F6's stops, each (the pane, the widget that takes the focus): the task list (on the indicators tab, its
        table), the editor's first field, 待办 when shown."""
        if self.tabs.currentIndex() != 0:
            stops: list[tuple[QWidget, QWidget]] = [(self.indicators, self.indicators.table)]
        else:
            stops = [(self.table, self.table)]
            if self.editor.isEnabled():
                first = self.editor.status if self.editor.status.isEnabled() else self.editor.achievements
                stops.append((self.editor_scroll, first))
        if self.todo_dock.isVisible():
            stops.append((self.todo_dock, self.todo.view))
        return stops

    def cycle_panes(self, direction: int) -> None:
        """F6 / Shift+F6: move the focus to the next (previous) pane."""
        stops = self.panes()
        focused = self.focusWidget()
        current = next(
            (n for n, (pane, _) in enumerate(stops) if focused is pane or (focused and pane.isAncestorOf(focused))),
            None,
        )
        target = stops[0] if current is None else stops[(current + direction) % len(stops)]
        target[1].setFocus(Qt.FocusReason.OtherFocusReason)

    def _task_row(self, row: TaskProgress, light: Light, counts: dict[int, int], marks: dict[int, str]) -> TaskRow:
        """A row of the task table: the task, its light (none for a former task), its evidence count and its 意见
        mark."""
        seq = row.task.seq
        return TaskRow(
            row.task,
            row.role,
            row.progress,
            light if row.former is None else Light.NONE,
            counts.get(seq, 0),
            marks.get(seq, ""),
            row.former,
        )

    def _comment_marks(self) -> dict[int, str]:
        """Task → "open" or "handled" for the tasks the last 退回 commented on (the table's 意见 column)."""
        marks: dict[int, str] = {}
        for comment in self.comments:
            if comment.task_seq is not None and marks.get(comment.task_seq) != "open":
                marks[comment.task_seq] = "handled" if comment.answered else "open"
        return marks

    def handle_comment(self, comment_id: int, answer: str, handled: bool) -> None:
        """已处理 (or 重新打开) on a comment of the city's, from the bar above the table or the editor's box."""
        try:
            changed = self.ws.reports.mark_comment(self.unit, self.period, comment_id, answer, handled)
        except IpdeskError as error:
            self.show_message(self.tr("没有改动：{0}").format(user_message(error)))
            return
        self.comments = self.ws.reports.comments(self.unit, self.period)
        marks = self._comment_marks()
        for row in self.model.rows:
            if row.comment != marks.get(row.task.seq, ""):
                row.comment = marks.get(row.task.seq, "")
                self.model.update_row(row)
        self._refresh_report_state()
        seq = self.current_seq()
        self.editor.show_comments([c for c in self.comments if c.task_seq == seq])
        left = sum(1 for c in self.comments if not c.answered)
        self.show_message(
            (self.tr("意见已标记为已处理") if changed.answered else self.tr("意见已改回待处理"))
            + (self.tr("；还有 {0} 条待处理").format(left) if left else self.tr("；退回意见已全部处理"))
        )

    def step_task(self, direction: int) -> None:
        """Alt+↓/↑: the next (previous) task; the focus stays where it was (in the table, or in the same field of
        the editor). On a combo box Alt+↓/↑ opens its list instead, as everywhere in Windows."""
        focused = self.focusWidget()
        if isinstance(focused, QComboBox):
            focused.showPopup()
            return
        rows = self.proxy.rowCount()
        if rows == 0:
            return
        current = self.table.currentIndex().row()
        target = max(0, min(rows - 1, current + direction)) if current >= 0 else 0
        self.select_task(self.proxy.index(target, 0).data(SEQ_ROLE))
        if focused is not None and self.editor.isAncestorOf(focused) and self.editor.isEnabled():
            focused.setFocus()  # the same field of the next task

    def _task_saved(self, row: TaskProgress) -> None:
        if row.progress.period != self.period:  # a draft of another period saved on retry
            return
        counts = self.ws.evidence.counts(self.unit, self.period)
        light = self.ws.lights.for_task(row.progress)
        self.model.update_row(self._task_row(row, light, counts, self._comment_marks()))
        before = self.status
        self._after_change()
        message = self.tr("已自动保存 {0}").format(dt.datetime.now().strftime("%H:%M:%S"))
        if before is ReportStatus.SUBMITTED and self.status is ReportStatus.DRAFT:
            message = self.tr("已保存；{0}的报告已撤回，回到“填报中”。改完后请重新提交审核（Ctrl+Enter）").format(
                self.period.chinese
            )
        self.statusBar().showMessage(message, MESSAGE_MS * 2)

    # -- filters --------------------------------------------------------------------------------------------
    def apply_filters(self) -> None:
        # Combo boxes hold plain codes (Qt turns enums into strings); read them back as the domain's values.
        role, status, light = (c.currentData() for c in (self.role_filter, self.status_filter, self.light_filter))
        self.proxy.set_filters(
            category=self.category_filter.currentData(),
            role=Role(role) if role else None,
            status=status if status == "any" else TaskStatus(status) if status else None,
            light=Light(light) if light else None,
            text=self.search.text(),
        )
        self._update_count()

    def clear_filters(self) -> None:
        for combo in (self.category_filter, self.role_filter, self.status_filter, self.light_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    # -- commands -------------------------------------------------------------------------------------------
    def flush(self) -> None:
        self.editor.flush()
        if self._indicator_panel is not None:
            self._indicator_panel.commit()

    def _indicator_drafts(self) -> dict:
        """The indicator values typed and not stored (none before the indicators tab was built)."""
        return self._indicator_panel.drafts if self._indicator_panel is not None else {}

    def save_now(self) -> None:
        """Ctrl+S: 已保存 only once every write committed; otherwise what was not saved, and why."""
        self.flush()
        pending = [d for d in self.editor.drafts.values() if d.pending]
        problems = [d.problem or d.percent_problem for d in pending]
        problems += [typed.problem for typed in self._indicator_drafts().values()]
        if problems:
            count = len(problems)
            self.statusBar().showMessage(
                self.tr("没有保存：{0}（{1} 处内容仍在输入框中，会自动重试）").format(problems[0].rstrip("。"), count),
                MESSAGE_MS * 2,
            )
            return
        self.show_message(self.tr("已保存 {0}").format(dt.datetime.now().strftime("%H:%M:%S")))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, MESSAGE_MS)

    def undo(self) -> None:
        box = self.focusWidget()
        if isinstance(box, QPlainTextEdit | QLineEdit):
            box.undo()

    def redo(self) -> None:
        box = self.focusWidget()
        if isinstance(box, QPlainTextEdit | QLineEdit):
            box.redo()

    def may_edit(self) -> bool:
        """Asked before the first change to a submitted report: changing it withdraws the submission."""
        from PySide6.QtWidgets import QMessageBox

        if self.status is not ReportStatus.SUBMITTED or self.ws.read_only:
            return True
        state = self.ws.reports.state(self.unit, self.period)
        if state is None or state.status is not ReportStatus.SUBMITTED:
            return True
        token = (self.unit, self.period.code, state.version)
        if self._withdraw_agreed == token:
            return True
        when = state.submitted_at[:16].replace("T", " ")
        answer = QMessageBox.question(
            self,
            self.tr("修改已提交的报告"),
            self.tr(
                "{0}的报告已于 {1} 由{2}提交审核，正在等待审核人签署。\n\n"
                "现在修改会撤回这次提交：报告回到“填报中”，审核人在您重新提交之前不能签署它。"
                "修改完成后，请再次“提交审核”（Ctrl+Enter）。\n\n要撤回提交并修改吗？"
            ).format(self.period.chinese, when, state.submitted_by or self.tr("填报人")),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.show_message(self.tr("没有修改：{0}的报告仍是“已提交审核”").format(self.period.chinese))
            return False
        self._withdraw_agreed = token
        return True

    def set_report_kind(self, kind: PeriodKind) -> None:
        """The toolbar's 月报/季报/… is the report kind of 设置: one setting, so that 待办 lists the same periods."""
        if self.ws.read_only or kind is self.ws.settings.report_kind():
            return
        try:
            self.ws.settings.set(self.ws.settings.REPORT_KIND, kind.value)
        except IpdeskError as error:
            self.show_message(str(error))
            return
        self._refresh_todo()
        self.show_message(self.tr("报送周期已改为{0}（“设置”中的报送周期同时改变）").format(kind.label))

    def start_reporting_from(self, period: Period) -> None:
        """待办's 从此期开始报送: earlier periods were reported otherwise and are no longer listed as owed."""
        try:
            self.ws.settings.set(self.ws.settings.FIRST_PERIOD, period.code)
        except IpdeskError as error:
            self.show_message(str(error))
            return
        self._refresh_todo()
        self.show_message(self.tr("待办从{0}开始列出（可在“设置”中修改）").format(period.chinese))

    def mark_sent(self, period: Period) -> None:
        """待办's 标记为已报送: the signed return went to the city office; 待办 lets the period go."""
        try:
            self.ws.reports.mark_sent(self.unit, period)
        except IpdeskError as error:
            self.show_message(self.tr("没有标记：{0}").format(user_message(error)))
            return
        self._refresh_todo()
        self.show_message(self.tr("{0}的报告已标记为已报送").format(period.chinese))

    def show_help(self) -> None:
        from ipdesk.ui.help_dialog import HelpDialog

        if getattr(self, "help_dialog", None) is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show()
        self.help_dialog.raise_()

    def carry_forward_one(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        row = self.editor.row
        if row is not None and row.former is not None:
            self.show_message(row.former.read_only_reason(self.unit))
            return
        if row is None or not self.may_edit():
            return
        self.flush()
        overwrite = False
        if not row.progress.is_empty:
            answer = QMessageBox.question(
                self,
                self.tr("沿用上期"),
                self.tr("本期该任务已有填写内容。用上期内容覆盖吗？\n选“否”则只填补空白的栏目。"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            overwrite = answer == QMessageBox.StandardButton.Yes
        self._carry_forward([row.task.seq], overwrite)

    def carry_forward_all(self) -> None:
        if not self.may_edit():
            return
        self.flush()
        self._carry_forward(None, False)

    def _carry_forward(self, seqs: list[int] | None, overwrite: bool) -> None:
        unit, period = self.unit, self.period

        def done(changed: list[int]) -> None:
            self.load_period()
            self._after_change()
            if changed:
                self.show_message(
                    self.tr("已沿用{0}的内容：{1} 项任务").format(period.previous().chinese, len(changed))
                )
            else:
                self.show_message(self.tr("{0}没有可沿用的内容").format(period.previous().chinese))

        run_in_background(
            self,
            self.tr("正在沿用上期内容…"),
            lambda: self.ws.progress.carry_forward(unit, period, seqs, overwrite),
            done,
            lambda error: self.show_message(self.tr("没有沿用：{0}").format(user_message(error))),
        )

    def submit(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.flush()
        if not self._agree_to_open_comments() or not self._agree_to_carried():
            return
        missing = self.ws.reports.missing(self.unit, self.period)
        if missing:
            from ipdesk.ui.submit_dialog import MissingDialog  # dialogs load when first opened

            dialog = MissingDialog(missing, self.period.chinese, self)
            dialog.go_to.connect(self.go_to_missing)
            self.missing_dialog = dialog
            dialog.open()
            return
        warnings = self.ws.reports.rule_warnings(self.unit, self.period)
        if warnings:  # 提醒: asked once, for all of them
            answer = QMessageBox.question(
                self,
                self.tr("请核对数据"),
                self.tr("以下数据可能有误，请核对：\n\n{0}\n\n仍要提交审核吗？").format(
                    "\n".join(v.text for v in warnings)
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            self.ws.reports.submit(self.unit, self.period)
        except IpdeskError as error:
            QMessageBox.warning(self, self.tr("不能提交"), str(error))
            return
        self._refresh_report_state()
        self._refresh_todo()
        self.show_message(self.tr("{0}的报告已提交审核").format(self.period.chinese))

    def _agree_to_carried(self) -> bool:
        """提交审核 with 工作进展 that repeat the previous period word for word: say how many, list them, go back."""
        from PySide6.QtWidgets import QMessageBox

        same = [
            seq for seq, fields in self.ws.progress.carried(self.unit, self.period).items() if "achievements" in fields
        ]
        same = [seq for seq in same if self.model.row_of(seq) >= 0]  # tasks of this table (not indicator rows)
        if not same:
            return True
        names = [f"第{seq}项 {self.model.rows[self.model.row_of(seq)].task.name}" for seq in same]
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("工作进展与上期相同"))
        box.setText(self.tr("{0} 项工作进展与上期相同（沿用上期后没有更新）：").format(len(same)))
        shown = "\n".join(names[:15]) + (self.tr("\n……等 {0} 项").format(len(names)) if len(names) > 15 else "")
        box.setInformativeText(shown + self.tr("\n\n报告中这些内容将标注“同上期”。仍要提交审核吗？"))
        go_back = box.addButton(self.tr("返回更新"), QMessageBox.ButtonRole.RejectRole)
        box.addButton(self.tr("仍然提交"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(go_back)
        box.exec()
        if box.clickedButton() is go_back:
            self.tabs.setCurrentIndex(0)
            self.select_task(same[0])
            self.editor.achievements.setFocus()
            return False
        return True

    def _agree_to_open_comments(self) -> bool:
        """提交审核 with comments of the 退回 not marked 已处理: list them and let the clerk go back to them."""
        from PySide6.QtWidgets import QMessageBox

        still_open = [c for c in self.comments if not c.answered]
        if not still_open:
            return True
        lines = [
            (self.tr("整份报告") if c.task_seq is None else self.tr("第{0}项").format(c.task_seq)) + "：" + c.comment
            for c in still_open
        ]
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("还有退回意见未处理"))
        box.setText(self.tr("市局退回意见中有 {0} 条还没有标记“已处理”：").format(len(still_open)))
        box.setInformativeText("\n".join(lines) + self.tr("\n\n仍要提交审核吗？"))
        go_back = box.addButton(self.tr("返回处理"), QMessageBox.ButtonRole.RejectRole)
        box.addButton(self.tr("仍然提交"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(go_back)
        box.exec()
        if box.clickedButton() is go_back:
            first = still_open[0]
            if first.task_seq is not None:
                self.tabs.setCurrentIndex(0)
                self.select_task(first.task_seq)
            else:
                self.comment_bar.dismissed.discard(first.id or 0)
                self._refresh_report_state()
            return False
        return True

    def go_to_missing(self, item: Missing) -> None:
        if item.kind == "target":
            self.tabs.setCurrentWidget(self.indicators_tab)
            return
        if item.kind == "indicator":
            self.tabs.setCurrentWidget(self.indicators_tab)
            self.indicators.select_indicator(item.seq)
            return
        self.tabs.setCurrentIndex(0)
        self.select_task(item.seq)
        progress = self.editor.row.progress if self.editor.row else None
        if progress is not None and progress.status is None:
            self.editor.status.setFocus()
        elif progress is not None and not progress.achievements.strip():
            self.editor.achievements.setFocus()
        else:
            self.editor.problems.setFocus()

    def start_integrity_check(self) -> None:
        """Check the whole database in the background after start; on damage, offer the newest good backup."""
        check_in_background(self, self.ws, self.offer_restore)

    def offer_restore(self, problem: str) -> None:
        """The database is damaged: nothing more is written to it; offer the newest good backup (once)."""
        if self._damage_offered:
            self.show_message(self.tr("数据库已损坏，修改没有保存。请用备份恢复（见刚才的提示）。"))
            return
        self._damage_offered = True
        kept = self.keep_unsaved_text()
        saved_note = self.tr("\n\n没有保存的填写内容已另存到：{0}").format(kept) if kept else ""

        def let_go() -> None:  # kept in the text file above; the damaged file takes nothing more
            self.editor.forget_drafts()
            if self._indicator_panel is not None:
                self._indicator_panel.forget_drafts()
            self._closing_after_restore = True

        offer_newest_backup(self, self.ws, problem, saved_note, let_go)

    def unsaved(self) -> list[str]:
        """What was typed and is not stored, one paragraph per task or indicator (empty when all is saved)."""
        paragraphs = []
        for draft in self.editor.unsaved_drafts():
            task = self.ws.tasks.get(draft.task_seq)
            lines = [f"== {draft.period.chinese} 第{task.seq}项 {task.name} =="]
            for name, label in FIELD_LABELS.items():
                value = draft.values.get(name) or ""
                if name == "status" and value:
                    value = TaskStatus(value).label
                lines.append(f"{label}：{value}")
            lines.append(f"未保存的原因：{draft.problem or draft.percent_problem}")
            paragraphs.append("\n".join(lines))
        if self._indicator_panel is not None:
            self._indicator_panel.commit()
        for key, typed in self._indicator_drafts().items():
            paragraphs.append(
                f"== {key[0]} 指标/目标 {key[1]} ==\n本期数值：{typed.value}\n说明：{typed.note}\n"
                f"数据来源：{typed.source}\n未保存的原因：{typed.problem}"
            )
        return paragraphs

    def keep_unsaved_text(self) -> Path | None:
        """Write what is not stored to a text file in the user data folder, so that it survives closing."""
        from PySide6.QtWidgets import QMessageBox

        paragraphs = self.unsaved()
        if not paragraphs:
            return None
        from ipdesk.paths import user_data_dir

        stamp = dt.datetime.now()
        folder = user_data_dir() / "未保存的填写"
        target = folder / f"未保存的填写-{stamp:%Y%m%d-%H%M%S}.txt"
        heading = f"ipdesk 没能保存到数据库的填写内容（{stamp:%Y-%m-%d %H:%M}，{self.unit}）\n\n"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target.write_text(heading + "\n\n".join(paragraphs) + "\n", encoding="utf-8-sig")
        except OSError as error:
            QMessageBox.warning(
                self,
                self.tr("无法另存"),
                self.tr("没有保存的内容也无法另存到文件（{0}）。请先把输入框中的内容复制到别处。").format(
                    user_message(error)
                ),
            )
            return None
        return target

    def show_history(self) -> None:
        from ipdesk.ui.history_dialog import HistoryDialog

        self.flush()
        if self.editor.row is not None:
            self.history_dialog = HistoryDialog(self.ws, self.editor.row, self)
            self.history_dialog.show()

    def sign(self) -> None:
        from ipdesk.ui.signing_dialogs import SignDialog

        self.flush()
        dialog = SignDialog(self.ws, self.unit, self.period, self)
        self.sign_dialog = dialog
        dialog.signed.connect(self._after_signing)
        dialog.open()

    def _after_signing(self) -> None:
        self.load_period()
        self.show_message(
            self.tr("{0}的报告已签署；可用“导出报告”保存签名的 Excel、PDF 和 .p7s").format(self.period.chinese)
        )

    def revise(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self,
            self.tr("修订"),
            self.tr("为{0}新建一个可修改的版本？已签署的版本及其文件保持不变。").format(self.period.chinese),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            version = self.ws.signoff.revise(self.unit, self.period)
        except IpdeskError as error:
            QMessageBox.warning(self, self.tr("不能修订"), str(error))
            return
        self.load_period()
        self.show_message(self.tr("已新建第 {0} 版，可以修改").format(version))

    def open_verify(self, files: list | None = None) -> None:
        from ipdesk.ui.signing_dialogs import VerifyDialog

        dialog = VerifyDialog(self.ws, self)
        self.verify_dialog = dialog
        if files:
            dialog.verify(files)
        dialog.show()

    def open_certificate(self) -> None:
        from ipdesk.ui.signing_dialogs import CertificateDialog

        CertificateDialog(self.ws, self.unit, self).exec()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        feedback = [f for f in files if f.suffix.lower() == ".json"]
        for path in feedback:  # the city's 退回意见
            self.import_feedback_file(path)
        if len(feedback) < len(files):
            self.open_verify([f for f in files if f not in feedback])
        event.acceptProposedAction()

    def import_feedback(self) -> None:
        from PySide6.QtWidgets import QFileDialog  # its Python type is made when first used, not at the start

        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("导入退回意见"), "", self.tr("退回意见文件 (*.json);;所有文件 (*)")
        )
        if path:
            self.import_feedback_file(Path(path))

    def import_feedback_file(self, path: Path) -> None:
        """Verify the city's feedback, open the next version as a draft and show the comments beside the tasks."""
        from PySide6.QtWidgets import QMessageBox

        self.flush()
        try:
            result = self.ws.feedback.import_file(path)
        except IpdeskError as error:
            QMessageBox.warning(self, self.tr("导入退回意见"), str(error))
            return
        if not result.imported:
            self.show_message(self.tr("该退回意见以前已导入，未作改动"))
            return
        if result.unit == self.unit:
            self.open_period(result.period)
            self.load_period()
        lines = [f"{'整份报告' if c.task_seq is None else f'第{c.task_seq}项'}：{c.comment}" for c in result.comments]
        QMessageBox.information(
            self,
            self.tr("导入退回意见"),
            self.tr("{0}{1}的第 {2} 版已被市局退回，已新建第 {3} 版供修改：\n\n{4}\n\n意见显示在对应任务旁。").format(
                result.unit, result.period.chinese, result.returned_version, result.state.version, "\n".join(lines)
            ),
        )

    def register_city_certificate(self) -> None:
        """The unit registers the city office's certificate (fingerprint checked by phone) to read its feedback."""
        from PySide6.QtWidgets import (
            QFileDialog,  # its Python type is made when first used, not at the start
            QMessageBox,  # its Python type is made when first used, not at the start
        )

        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("登记市局证书"), "", self.tr("证书 (*.cer *.crt *.pem *.der);;所有文件 (*)")
        )
        if not path:
            return
        try:
            registration = self.ws.trust.check(Path(path))
        except IpdeskError as error:
            QMessageBox.warning(self, self.tr("登记市局证书"), str(error))
            return
        if registration.kind != "city":
            QMessageBox.warning(
                self,
                self.tr("登记市局证书"),
                self.tr("这不是市领导小组办公室的证书：\n{0}").format(registration.describe()),
            )
            return
        if registration.already:
            QMessageBox.information(self, self.tr("登记市局证书"), self.tr("该证书已登记过。"))
            return
        question = self.tr("请先电话向市局核对指纹，一致后再登记：\n\n{0}").format(registration.describe())
        if QMessageBox.question(self, self.tr("登记市局证书"), question) != QMessageBox.StandardButton.Yes:
            return
        try:
            self.ws.trust.add(Path(path), key_change_confirmed=registration.key_change)
        except IpdeskError as error:
            QMessageBox.warning(self, self.tr("登记市局证书"), str(error))
            return
        self.show_message(self.tr("已登记市局证书：{0}").format(registration.fingerprint))

    def export(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from ipdesk.ui.export_dialog import LAST_FOLDER, ExportDialog, open_folder

        self.flush()
        dialog = ExportDialog(self.unit, self.period, self.ws.settings.get(LAST_FOLDER), self)
        self.export_dialog = dialog
        if not dialog.exec():
            return
        folder, formats, unit, period = Path(dialog.folder.text()), dialog.formats(), self.unit, self.period
        self.ws.settings.set(LAST_FOLDER, str(folder))
        split = False
        size, limit = self.ws.reports.evidence_size(unit, period), self.ws.settings.evidence_mail_bytes()
        if size > limit:  # too large for office mail: say so, and offer parts that each fit
            mb, limit_mb = size / 1024 / 1024, limit // 1024 // 1024
            answer = QMessageBox.question(
                self,
                self.tr("佐证材料较大"),
                self.tr(
                    "本期佐证材料共 {0:.1f} MB，超过邮件附件上限 {1} MB（可在“设置”中修改）。\n\n"
                    "要把佐证材料包拆分成每个不超过 {1} MB 的几个包吗？\n选“否”则导出为一个包（可用U盘报送）。"
                ).format(mb, limit_mb),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            split = answer == QMessageBox.StandardButton.Yes

        def done(paths: list[Path]) -> None:
            self._refresh_todo()  # 待导出 → 已导出
            self.show_message(self.tr("已导出：{0}").format("、".join(p.name for p in paths)))
            if dialog.open_after.isChecked():
                open_folder(folder)

        def failed(error: BaseException) -> None:
            QMessageBox.warning(self, self.tr("导出失败"), str(error))

        run_in_background(
            self,
            self.tr("正在导出报告…"),
            lambda: self.ws.reports.export(unit, period, folder, formats, split_evidence=split),
            done,
            failed,
        )

    def open_settings(self) -> None:
        self.flush()
        kind = self.ws.settings.report_kind()
        from ipdesk.ui.setup_dialog import SetupDialog  # dialogs load when first opened

        dialog = SetupDialog(self.ws, first_run=False, parent=self)
        if dialog.exec():
            unit = self.ws.settings.get(self.ws.settings.UNIT)
            if unit != self.unit:
                self.unit = unit
                self.setWindowTitle(self.tr("ipdesk — {0}").format(unit))
                self.unit_label.setText(f"<b>{unit}</b>　")
            new_kind = self.ws.settings.report_kind()
            if new_kind is not kind:  # the toolbar follows 设置's 报送周期
                self.period = self.ws.reports.default_period(self.today)
                self.picker.set_period(self.period)
            self.load_period()

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            self.tr("关于 ipdesk"),
            self.tr("ipdesk {0}\n{1}\n\n数据库：{2}").format(__version__, self.ws.plan.title, self.ws.path or "内存"),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        if self.ws.damaged and not getattr(self, "_closing_after_restore", False):
            kept = self.keep_unsaved_text()  # the damaged file takes nothing: what was typed goes to a text file
            if kept is not None:
                self._tell_kept(kept)
        elif not getattr(self, "_closing_after_restore", False):
            while paragraphs := self.unsaved():
                choice = self.ask_about_unsaved(len(paragraphs))
                if choice == "retry":
                    self.editor.retry_drafts()
                    continue
                if choice == "cancel":
                    event.ignore()
                    return
                kept = self.keep_unsaved_text()
                if kept is None:
                    event.ignore()
                    return
                self._tell_kept(kept)
                break
        window_memory.save(MEMORY_KEY, self, self._remembered_splitters(), self._remembered_headers())
        super().closeEvent(event)

    def _tell_kept(self, kept: Path) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, self.tr("已另存"), self.tr("没有保存的填写内容已另存到：\n{0}").format(kept))

    def ask_about_unsaved(self, count: int) -> str:
        """ "retry", "keep" (write them to a text file and close) or "cancel"."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("还有没保存的内容"))
        box.setText(
            self.tr("有 {0} 处填写的内容没能保存到数据库（原因写在输入框旁）。关闭前要怎么处理？").format(count)
        )
        retry = box.addButton(self.tr("重试保存"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("另存到文本文件并关闭"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("不关闭"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        clicked = box.clickedButton()
        return "retry" if clicked is retry else "keep" if clicked is keep else "cancel"
