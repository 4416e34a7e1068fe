"""The city office's window, driven through its real widgets: the matrix, importing by drop, review, 接收 and 退回,
and the certificates dialog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from ipdesk import Workspace
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.returns import SubmissionState
from ipdesk.signing.identity import KeyStore
from ipdesk.ui.operations import BackgroundOp

from .unit_desk import UnitDesk

TODAY = dt.date(2025, 11, 20)
BEILIN, YANTA = "碑林区人民政府", "雁塔区人民政府"


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    root = tmp_path_factory.mktemp("gui-units")
    desks = {unit: UnitDesk(root / unit, unit) for unit in (BEILIN, YANTA)}
    files = {unit: desk.sign("2025-10", root / "out") for unit, desk in desks.items()}
    certificates = {unit: desk.certificate() for unit, desk in desks.items()}
    yield files, certificates
    for desk in desks.values():
        desk.ws.close()


@pytest.fixture
def window(qtbot, tmp_path, returns, monkeypatch):
    from ipdesk.ui.city_window import CityWindow

    _, certificates = returns
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
    ws.close()
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
    assert cell_text(window, BEILIN, "2025-11") == "未报"
    assert "应报 43 个单位，已报 0 个" in window.summary.text()
    window.group_box.setCurrentIndex(window.group_box.findText("区县"))
    assert window.model.rowCount() == 13
    window.kind_box.setCurrentIndex(window.kind_box.findData(window.kind_box.itemData(1)))
    assert window.model.periods[-1].code == "2025Q4"


def test_dropping_files_imports_them_and_says_how_each_went(window, returns):
    files, _ = returns
    drop(window, [files[BEILIN][".xlsx"], files[YANTA][".pdf"]])
    results = window.results_dialog.model
    outcomes = {results.item(r, 2).text(): results.item(r, 0).text() for r in range(results.rowCount())}
    assert outcomes[BEILIN] == "已导入" and outcomes[YANTA] == "拒绝"  # 雁塔区's certificate is not registered
    assert "签名人未知" in results.item(1, 4).text() or "签名人未知" in results.item(0, 4).text()
    assert cell_text(window, BEILIN, "2025-10") == "待审"
    assert "已报 1 个" in window.summary.text()


def test_review_accept_and_return(window, returns, tmp_path, monkeypatch):
    files, _ = returns
    window.import_paths([files[BEILIN][".xlsx"]])
    window.results_dialog.close()
    row = [u.name for u in window.model.rows].index(BEILIN)
    column = [p.code for p in window.model.periods].index("2025-10")
    window.review_at(window.model.index(row, column))
    dialog = window.review_dialog
    assert BEILIN in dialog.header.text() and "待审" in dialog.header.text()
    assert dialog.tasks.rowCount() == 30
    first = dialog.tasks.rows[0]
    assert first.light == "red" or first.status == "lagging" or all(t.light != "red" for t in dialog.tasks.rows)
    assert "工作进展及成效" in dialog.detail.toPlainText()
    assert dialog.accept_button.isEnabled()

    from ipdesk.ui.city_dialogs import ReturnDialog

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)

    def fill_and_accept(self):
        self.whole.setPlainText("请补充第三季度的佐证材料")
        self.model.item(0, 2).setText("进度偏高，请核实")
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
    assert cell_text(window, BEILIN, "2025-10") == "已退回"
    assert not dialog.accept_button.isEnabled()
    assert window.ws.city.matrix(today=TODAY).cell(BEILIN, "2025-10").state is SubmissionState.RETURNED


def test_certificates_dialog_registers_with_the_fingerprint_shown(window, returns, monkeypatch):
    _, certificates = returns
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
