"""The city office's window, driven through its real widgets: the matrix, importing by drop, review, 接收 and 退回,
and the certificates dialog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDropEvent
from PySide6.QtWidgets import QMessageBox, QToolBar

from ipdesk import Workspace
from ipdesk.domain.accounting import UnitState
from ipdesk.domain.reports import ReportStatus
from ipdesk.signing.identity import KeyStore
from ipdesk.ui.operations import BackgroundOp
from ipdesk.ui.task_editor import AUTOSAVE_MS
from ipdesk.ui.task_table import SEQ_ROLE, TaskTableModel

from .conftest import under_wine
from .unit_desk import UnitDesk

TODAY = dt.date(2025, 11, 20)
BEILIN, YANTA = "碑林区人民政府", "雁塔区人民政府"


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    root = tmp_path_factory.mktemp("gui-units")
    desks = {unit: UnitDesk(root / unit, unit) for unit in (BEILIN, YANTA)}
    files = {unit: desk.sign("2025-10", root / "out") for unit, desk in desks.items()}
    certificates = {unit: desk.certificate() for unit, desk in desks.items()}
    yield files, certificates, desks
    for desk in desks.values():
        desk.ws.close()


@pytest.fixture
def window(qtbot, tmp_path, returns, monkeypatch):
    from ipdesk.ui.city_window import CityWindow

    _, certificates, _ = returns
    BackgroundOp.synchronous = True
    ws = Workspace(tmp_path / "city.db", actor="张主任")
    ws.signoff._keys = KeyStore(tmp_path / "city-keys")
    ws.trust.add(certificates[BEILIN])
    ws.settings.set("reviewer_name", "张主任")
    window = CityWindow(ws, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    BackgroundOp.synchronous = False


def cell_text(window, unit: str, period: str) -> str:
    row = [u.name for u in window.model.rows].index(unit)
    column = [p.code for p in window.model.periods].index(period)
    return window.model.index(row, column).data()


def drop(window, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)


def test_the_matrix_opens_on_the_period_being_chased(window):
    assert window.model.rowCount() == 43
    assert window.model.periods[0].code == "2022-07" and window.model.periods[-1].code == "2025-11"
    assert window.current_period().code == "2025-10"  # due on 5 November, the newest one due by the 20th
    assert cell_text(window, BEILIN, "2025-10") == "逾期"
    assert cell_text(window, BEILIN, "2025-11") == "未到期"
    assert "43 个单位应报 43 份，已收到 0 份" in window.summary.text() and "逾期 43" in window.summary.text()
    window.group_box.setCurrentIndex(window.group_box.findText("区县"))
    assert window.model.rowCount() == 13
    window.kind_box.setCurrentIndex(window.kind_box.findData(window.kind_box.itemData(1)))
    assert window.model.periods[-1].code == "2025Q4"


def test_dropping_files_imports_them_and_says_how_each_went(window, returns):
    files, _, _ = returns
    drop(window, [files[BEILIN][".xlsx"], files[YANTA][".pdf"]])
    results = window.results_dialog.model
    outcomes = {results.item(r, 2).text(): results.item(r, 0).text() for r in range(results.rowCount())}
    assert outcomes[BEILIN] == "已导入" and outcomes[YANTA] == "拒绝"  # 雁塔区's certificate is not registered
    assert "签名人未知" in results.item(1, 4).text() or "签名人未知" in results.item(0, 4).text()
    assert cell_text(window, BEILIN, "2025-10").startswith("待审 逾期")  # due 5 November, signed (and received) now
    assert "已收到 1 份，其中按时 0 份、逾期报送 1 份；未报 42 份" in window.summary.text()


def test_review_accept_and_return(window, returns, tmp_path, monkeypatch):
    files, _, _ = returns
    window.import_paths([files[BEILIN][".xlsx"]])
    window.results_dialog.close()
    row = [u.name for u in window.model.rows].index(BEILIN)
    column = [p.code for p in window.model.periods].index("2025-10")
    window.review_at(window.model.index(row, column))
    dialog = window.review_dialog
    assert BEILIN in dialog.header.text() and "待审" in dialog.header.text()
    assert dialog.tasks.rowCount() == 30
    from ipdesk.ui.task_table import TaskTableModel

    view = dialog.proxy
    ranks = [dialog.tasks.rows[view.mapToSource(view.index(r, 0)).row()].light.rank for r in range(view.rowCount())]
    assert ranks == sorted(ranks)  # the clerk's own table, red lights first
    assert view.index(0, dialog.tasks.CHANGES).data() == "上期无报送，无法比较"
    assert not dialog.task_view.verticalHeader().isVisible()  # no row numbers beside 序号
    dialog.task_view.setCurrentIndex(view.index(1, dialog.tasks.CHANGES))  # a click on the 与上期相比 cell
    shown = dialog.tasks.lines[view.index(1, 0).data(SEQ_ROLE)]
    assert dialog.detail.toPlainText().startswith(f"{shown.seq}. {shown.name}")
    assert dialog.task_view.isColumnHidden(TaskTableModel.CHANGED)
    assert "工作进展及成效" in dialog.detail.toPlainText()
    assert dialog.accept_button.isEnabled() and not dialog.feedback_button.isVisibleTo(dialog)
    assert "提醒" not in dialog.header.text()  # verified, no package expected (no evidence listed), no 退回 before

    from ipdesk.ui.city_dialogs import ReturnDialog

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)

    def fill_and_accept(self):
        # the tasks with their name, status and light; the file goes beside the workspace unless chosen
        headers = [self.model.headerData(c, Qt.Orientation.Horizontal) for c in range(self.model.columnCount())]
        assert headers[:4] == ["序号", "任务名称", "状态", "预警"]
        first = min(dialog.tasks.lines.values(), key=lambda t: t.seq)
        assert self.model.item(0, 1).text() == first.name and self.model.item(0, 2).text() == first.status_label
        assert self.model.item(0, 3).text() == first.light_label
        assert self.folder.text() == str(window.ws.path.parent)
        self.whole.setPlainText("请补充第三季度的佐证材料")
        self.model.item(0, ReturnDialog.COMMENT).setText("进度偏高，请核实")
        self.passphrase.setText("市局签署口令")
        self.confirm.setText("市局签署口令")
        self.folder.setText(str(tmp_path / "feedback"))
        self.accept()
        return self.result()

    monkeypatch.setattr(ReturnDialog, "exec", fill_and_accept)
    dialog.return_to_unit()
    received = window.ws.city.received(BEILIN, "2025-10")
    assert received.status is ReportStatus.RETURNED and received.comment == "请补充第三季度的佐证材料"
    assert list((tmp_path / "feedback").glob("*退回意见.json"))
    assert cell_text(window, BEILIN, "2025-10").startswith("已退回")
    assert not dialog.accept_button.isEnabled()
    assert window.ws.city.matrix(today=TODAY).cell(BEILIN, "2025-10").state is UnitState.RETURNED
    # The feedback file lost on the way: written again, the same bytes, from the review dialog.
    assert dialog.feedback_button.isVisibleTo(dialog)
    sent = next((tmp_path / "feedback").glob("*退回意见.json"))
    opened: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Open)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    again = dialog.write_feedback_again(str(tmp_path / "again"))
    assert again.name == sent.name and again.read_bytes() == sent.read_bytes()
    assert [Path(p) for p in opened] == [again.with_suffix(".pdf")]  # the printable letter, offered and opened


def test_a_return_and_its_files_are_one_row_with_the_whole_reason(window, returns):
    files, certificates, _ = returns
    window.ws.trust.add(certificates[YANTA])
    drop(window, [files[BEILIN][".xlsx"], files[BEILIN][".pdf"], files[YANTA][".xlsx"], files[YANTA][".pdf"]])
    results = window.results_dialog.model
    assert results.rowCount() == 2  # two returns, not four files
    row = next(r for r in range(2) if results.item(r, 2).text() == BEILIN)
    assert results.item(row, 0).text() == "已导入"
    assert results.item(row, 1).text().splitlines() == [files[BEILIN][".xlsx"].name, files[BEILIN][".pdf"].name]
    assert "已有相同版本" not in results.item(row, 0).text()
    assert results.item(row, 4).text() in results.item(row, 4).toolTip()  # the whole reason, never cut


def test_the_matrix_accepts_a_selection(window, returns, monkeypatch):
    from PySide6.QtCore import QItemSelectionModel

    files, certificates, _ = returns
    window.ws.trust.add(certificates[YANTA])
    window.import_paths([files[BEILIN][".xlsx"], files[YANTA][".xlsx"]])
    window.results_dialog.close()
    column = [p.code for p in window.model.periods].index("2025-10")
    selection = window.view.selectionModel()
    selection.clearSelection()
    for unit in (BEILIN, YANTA):
        row = [u.name for u in window.model.rows].index(unit)
        selection.select(window.model.index(row, column), QItemSelectionModel.SelectionFlag.Select)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: told.append(text))
    window.accept_selected_action.trigger()
    assert told and "已接收 2 份报告" in told[0]
    # imported today, long after the deadline: 已接收, and the days late said beside
    assert cell_text(window, BEILIN, "2025-10").startswith("已接收")
    assert cell_text(window, YANTA, "2025-10").startswith("已接收")


def test_certificates_dialog_registers_with_the_fingerprint_shown(window, returns, monkeypatch):
    _, certificates, _ = returns
    window.open_certificates()
    dialog = window.certificates_dialog
    assert dialog.model.rowCount() == 1
    asked = []

    def question(parent, title, text, *rest):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    assert dialog.add_file(certificates[YANTA])
    assert "指纹" in asked[0] and YANTA in asked[0]
    assert dialog.model.rowCount() == 2
    dialog.view.setCurrentIndex(dialog.model.index(1, 0))
    dialog.remove()
    assert dialog.model.rowCount() == 1


def test_the_city_window_fits_a_small_screen(window, tmp_path):
    window.resize(1280, 720)
    window.grab().save(str(tmp_path / "city.png"))
    assert window.view.isVisible() and window.summary.isVisible()
    assert window.frameGeometry().height() <= 720 + 40


def test_first_run_asks_which_side_and_sets_up_the_office(qtbot, tmp_path):
    from ipdesk.ui.app import open_window
    from ipdesk.ui.city_setup import SideDialog
    from ipdesk.ui.city_window import CityWindow

    ws = Workspace(tmp_path / "new.db", actor="张主任")
    dialog = SideDialog(ws, today=dt.date(2026, 11, 25))
    qtbot.addWidget(dialog)
    assert not dialog.city_form.isEnabled()
    dialog.city_side.setChecked(True)
    assert dialog.city_form.isEnabled()
    assert dialog.since.currentData() == "2025-12"  # the plan's last month: the one due when it has ended
    dialog.person.setText("")
    dialog.accept()
    assert "经办人" in dialog.error.text() and ws.kind == ""
    dialog.person.setText("张主任")
    dialog.since.setCurrentIndex(dialog.since.findData("2025-09"))
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert ws.kind == "city" and ws.settings.get("city_from") == "2025-09"
    window = open_window(ws, smoke_test=False)
    qtbot.addWidget(window)
    assert isinstance(window, CityWindow)
    assert window.model.periods[0].code == "2025-09"
    window.close()
    ws.close()


def test_the_clerk_imports_the_city_feedback_and_sees_the_comment_beside_the_task(
    qtbot, tmp_path, returns, monkeypatch
):
    from ipdesk.ui.main_window import MainWindow

    files, certificates, desks = returns
    city = Workspace(tmp_path / "city.db", actor="张主任")
    city.signoff._keys = KeyStore(tmp_path / "city-keys")
    city.trust.add(certificates[YANTA])
    city.city.import_files([files[YANTA][".xlsx"]], today=TODAY)
    seq = city.city.snapshot(YANTA, "2025-10").tasks[1].seq
    feedback = city.city.return_to_unit(
        YANTA,
        "2025-10",
        "请补充佐证材料",
        {seq: "请说明进度依据"},
        tmp_path / "fb",
        "市局签署口令",
        "张主任",
        create=True,
    )
    city_cer = city.signoff.keys.export_certificate(city.city.name, tmp_path / "city.cer")
    city.close()

    # the unit's own workspace, opened in the clerk's window
    ws = desks[YANTA].ws
    window = MainWindow(ws, YANTA, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: shown.append(text))
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warned.append(text))
    window.import_feedback_file(feedback)
    assert warned and "未在本工作区登记" in warned[0]
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(city_cer), ""))
    window.register_city_certificate()
    assert ws.trust.certificates("city")
    window.import_feedback_file(feedback)
    assert shown and "已新建第 2 版" in shown[-1]
    assert window.period.code == "2025-10" and ws.reports.state(YANTA, "2025-10").version == 2
    # the comment on the whole report is in a bar above the task list, never in the toolbar
    assert "请补充佐证材料" not in window.report_state.text() and "v2 填报中" in window.report_state.text()
    assert window.comment_bar.isVisibleTo(window) and "请补充佐证材料" in window.comment_bar.text.text()
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().width() == 1280)
    bar = window.findChild(QToolBar, "periodBar")
    # (checked on Linux; not under Wine, whose stand-ins for Windows' UI fonts measure otherwise than 微软雅黑)
    for action in (window.carry_all_action, window.submit_action, window.export_action)[: 0 if under_wine() else 3]:
        button = bar.widgetForAction(action)
        assert button is not None and button.isVisible(), action.text()  # not pushed behind the » overflow
        assert bar.rect().contains(button.geometry()), action.text()
    # the commented task is marked in the table's 意见 column
    column = TaskTableModel.COMMENT
    assert not window.table.horizontalHeader().isSectionHidden(column)
    marks = {
        window.proxy.index(r, 0).data(SEQ_ROLE): window.proxy.index(r, column).data()
        for r in range(window.proxy.rowCount())
    }
    assert marks[seq] == "待处理" and sum(1 for m in marks.values() if m) == 1
    window.select_task(seq)
    box = window.editor.comment_box
    assert box.isVisibleTo(window) and "请说明进度依据" in box.rows[0][1].text()
    window.grab().save(str(tmp_path / "feedback-1280x720.png"))
    # the comment stays while the clerk types, through autosaves
    window.editor.problems.setFocus()
    qtbot.keyClicks(window.editor.problems, "jin du yi ju")
    qtbot.wait(AUTOSAVE_MS + 300)
    assert "jin du yi ju" in ws.progress.get(seq, YANTA, "2025-10").problems  # saved …
    assert box.isVisibleTo(window) and "请说明进度依据" in box.rows[0][1].text()  # … and still in sight
    window.grab().save(str(tmp_path / "feedback-typing-1280x720.png"))
    # 已处理 with what was done: kept, the table says so, the box shows the answer
    box.rows[0][2].setText("已补充进度依据")
    qtbot.mouseClick(box.rows[0][3], Qt.MouseButton.LeftButton)
    handled = next(c for c in ws.reports.comments(YANTA, "2025-10") if c.task_seq == seq)
    assert handled.answered and handled.answer == "已补充进度依据"
    row = next(r for r in range(window.proxy.rowCount()) if window.proxy.index(r, 0).data(SEQ_ROLE) == seq)
    assert window.proxy.index(row, column).data() == "已处理"
    assert "已补充进度依据" in window.editor.comment_box.rows[0][1].text()
    # submit lists the comment still open (the whole report's) and can go back to it
    listed = []

    def answer(box_self):
        listed.append(box_self.informativeText())
        return next(b for b in box_self.buttons() if b.text() == "返回处理")

    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda self: answer(self))
    window.comment_bar.close_button.click()  # put away for now …
    assert not window.comment_bar.isVisibleTo(window)
    window.submit()
    assert listed and "请补充佐证材料" in listed[0]  # … still listed at 提交审核
    assert ws.reports.state(YANTA, "2025-10").status is ReportStatus.DRAFT
    assert window.comment_bar.isVisibleTo(window)  # 返回处理 brings the bar back
    window.select_task(next(r.task.seq for r in window.model.rows if r.task.seq != seq))
    assert not window.editor.comment_box.isVisibleTo(window)
    window.close()


def test_city_settings_change_the_deadline_and_the_rhythm(window):
    from ipdesk.ui.city_setup import CitySettingsDialog

    dialog = CitySettingsDialog(window.ws, window)
    dialog.due_day.setValue(10)
    dialog.kind.setCurrentIndex(dialog.kind.findData("quarter"))
    dialog.person.setText("")
    dialog.accept()
    assert "经办人" in dialog.error.text() and window.ws.settings.due_day() == 5  # nothing saved
    dialog.person.setText("王科长")
    dialog.accept()
    assert window.ws.settings.due_day() == 10 and window.ws.settings.report_kind().value == "quarter"
    assert window.ws.city.matrix(today=TODAY).deadline("2025Q3") == dt.date(2025, 10, 10)
    window._fill_kinds()  # what open_settings does after the dialog: months are no longer offered
    assert [window.kind_box.itemData(n) for n in range(window.kind_box.count())] == ["quarter", "half", "year"]
    dialog = CitySettingsDialog(window.ws, window)
    dialog.since.setCurrentIndex(dialog.since.findData("2025-07"))
    dialog.green.setValue(90)
    dialog.phone.setText("029-86786666")
    dialog.accept()
    office = window.ws.city.office_settings()
    assert (office.collecting_from.code, office.green, office.phone) == ("2025-07", 0.9, "029-86786666")
    assert [p.code for p in window.ws.city.matrix(today=TODAY).periods] == ["2025Q3", "2025Q4"]
    # the 通报's 版头 and 版记: a 发文字号 without 〔〕 is refused with the reason, then saved as written
    dialog.notice_number.setText("市知识产权强市办[2025]N号")
    dialog.accept()
    assert "〔" in dialog.error.text() and window.ws.settings.get("notice_number") == ""
    dialog.notice_number.setText("市知识产权强市办〔{年}〕N号")
    dialog.notice_copy_to.setText("市委办公厅。")
    dialog.accept()
    assert window.ws.settings.get("notice_number") == "市知识产权强市办〔{年}〕N号"
    assert window.ws.settings.get("notice_copy_to") == "市委办公厅。"


def test_the_received_date_applies_to_one_import_and_then_returns_to_today(window, returns):
    from PySide6.QtCore import QDate

    files, _, _ = returns
    assert window.received_on.date() == QDate(2025, 11, 20) and window.received_on.maximumDate() == QDate(2025, 11, 20)
    window.received_on.setDate(QDate(2025, 11, 3))  # the USB stick came in on the 3rd
    window.import_paths([files[BEILIN][".xlsx"]])
    window.results_dialog.close()
    assert "收到日期按 2025-11-03 计" in window.statusBar().currentMessage()
    assert window.received_on.date() == QDate(2025, 11, 20)  # the next files are today's unless said otherwise


def test_contacts_are_edited_in_the_city_window(window):
    window.contacts_action.trigger()
    dialog = window.contacts_dialog
    row = next(r for r in range(dialog.model.rowCount()) if dialog.model.item(r, 0).text() == YANTA)
    dialog.model.item(row, 1).setText("孙立")
    dialog.model.item(row, 2).setText("电话")
    dialog.accept()
    assert "不是号码" in dialog.error.text() and window.ws.plans.contacts().get(YANTA) is None
    dialog.model.item(row, 2).setText("029-85550000")
    dialog.accept()
    assert window.ws.plans.contacts()[YANTA] == ("孙立", "029-85550000")


def test_the_office_enters_adjustments_with_their_reason_and_the_ranking_follows(window, qtbot, returns):
    from ipdesk.ui.city_summary import RulesDialog

    files, _, _ = returns
    window.ws.city.import_files([files[BEILIN][".xlsx"]], today=TODAY)
    rules = RulesDialog(window.ws, window, TODAY)
    qtbot.addWidget(rules)
    year = rules.year.currentData()
    before = next(c for c in window.ws.city.reports.scores(year, TODAY) if c.unit == BEILIN).total
    rules.open_adjustments()
    dialog = rules.adjustments_dialog
    dialog.unit.setCurrentText(BEILIN)
    dialog.points.setValue(3)
    dialog.add()  # no reason: refused, nothing recorded
    assert "原因" in dialog.error.text() and window.ws.city.reports.adjustments(year) == []
    dialog.reason.setText("创新工作")
    dialog.add()
    assert dialog.model.rowCount() == 1 and dialog.model.index(0, 1).data() == "+3"
    after = next(c for c in window.ws.city.reports.scores(year, TODAY) if c.unit == BEILIN).total
    assert after == before + 3
    shown = {rules.model.index(r, 2).data(): rules.model.index(r, 3).data() for r in range(rules.model.rowCount())}
    assert shown[BEILIN] == f"{after:g}"  # the ranking beside was recomputed
    dialog.view.setCurrentIndex(dialog.model.index(0, 0))
    dialog.remove()
    assert window.ws.city.reports.adjustments(year) == []


def test_the_window_writes_the_report_its_annex_and_the_notice_and_lists_them(window, returns, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from ipdesk.domain.periods import Period
    from ipdesk.ui.city_summary import write_report

    files, _, _ = returns
    assert [r.outcome.value for r in window.ws.city.import_files([files[BEILIN][".xlsx"]], today=TODAY)] == ["已导入"]
    folder = tmp_path / "报告"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    told = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: told.append(a[2]) or QMessageBox.StandardButton.No)
    write_report(window, window.ws, Period.parse("2025-10"), TODAY)
    names = [
        "西安市_2025-10_月度汇总.xlsx",
        "西安市_2025-10_月度汇总.pdf",
        "西安市_2025-10_月度汇总_附件_任务明细.xlsx",
        "西安市_2025-10_月度汇总_附件_任务明细.pdf",
        "西安市_2025-10_通报（草稿）.docx",
    ]
    assert len(told) == 1 and all(name in told[0] for name in names)  # the annex is among the files listed
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)
