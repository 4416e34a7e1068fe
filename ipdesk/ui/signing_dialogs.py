"""签署, 验证文件 and the unit's certificate: the reviewer's dialogs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.errors import IpdeskError
from ipdesk.domain.periods import Period, chinese_datetime
from ipdesk.ui.operations import run_in_background
from ipdesk.workspace import Workspace

VERDICT_COLOURS = {
    "有效": "#1b5e20",
    "已被修改": "#b00020",
    "内容不一致": "#b00020",
    "签名人未知": "#7a5b00",
    "需要升级": "#7a5b00",
    "不是ipdesk文件": "#555555",
    "文件损坏": "#b00020",
}


class SignDialog(QDialog):
    """The reviewer's passphrase; the first time, it is asked twice and the unit's key is created."""

    signed = Signal()

    def __init__(self, ws: Workspace, unit: str, period: Period, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws, self.unit, self.period = ws, unit, period
        self.creating = ws.signoff.identity(unit) is None
        self.setWindowTitle(self.tr("签署报告"))
        intro = QLabel(
            self.tr("签署{0}{1}的报告。签署后该期数据锁定，并生成签名的 Excel 和 PDF。").format(unit, period.chinese)
        )
        intro.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.reviewer = QLineEdit(ws.settings.get(ws.settings.REVIEWER_NAME))
        self.reviewer.setPlaceholderText(self.tr("签署人的姓名，将印在签署栏和证书中"))
        form = QFormLayout()
        form.addRow(self.tr("审核人"), self.reviewer)
        if self.creating:
            note = QLabel(
                self.tr(
                    "本单位还没有签署密钥：这次签署会创建它。请设置至少 6 位的签署口令并妥善保管，"
                    "口令遗失将无法再以本证书签署。"
                )
            )
            note.setWordWrap(True)
            form.addRow(note)
            form.addRow(self.tr("设置签署口令"), self.passphrase)
            form.addRow(self.tr("再输入一次"), self.confirm)
        else:
            identity = ws.signoff.identity(unit)
            assert identity is not None
            fingerprint = QLabel(identity.fingerprint)
            fingerprint.setWordWrap(True)
            fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.tr("证书持有人"), QLabel(identity.signer))
            form.addRow(self.tr("证书指纹"), fingerprint)
            form.addRow(self.tr("签署口令"), self.passphrase)
            self.confirm.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("签署"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 280)
        (self.passphrase if self.reviewer.text() else self.reviewer).setFocus()

    def accept(self) -> None:
        passphrase = self.passphrase.text()
        reviewer = self.reviewer.text().strip()
        if not reviewer:
            self.error.setText(self.tr("请填写审核人姓名：签署必须由具名的审核人进行"))
            self.reviewer.setFocus()
            return
        if self.creating and passphrase != self.confirm.text():
            self.error.setText(self.tr("两次输入的口令不一致"))
            self.confirm.clear()
            self.confirm.setFocus()
            return
        self.buttons.setEnabled(False)
        unit, period = self.unit, self.period

        def done(_: object) -> None:
            self.signed.emit()
            super(SignDialog, self).accept()

        def failed(error: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.passphrase.clear()
            self.confirm.clear()
            self.error.setText(str(error) if isinstance(error, IpdeskError) else self.tr("签署失败：{0}").format(error))
            self.passphrase.setFocus()

        run_in_background(
            self,
            self.tr("正在签署并生成签名文件…"),
            lambda: self.ws.signoff.sign(unit, period, passphrase, create=self.creating, reviewer=reviewer),
            done,
            failed,
        )


class VerifyDialog(QDialog):
    """验证文件: add or drop returns; each gets its verdict in words (and colour)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(self.tr("验证报送文件"))
        self.setAcceptDrops(True)
        self.model = QStandardItemModel(0, 4, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("结论"), self.tr("文件"), self.tr("单位 / 报送期 / 版本"), self.tr("说明")]
        )
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setWordWrap(True)
        add = QPushButton(self.tr("添加文件…"))
        add.clicked.connect(self.choose)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        hint = QLabel(self.tr("把 ipdesk 导出的 .xlsx、.pdf 或 .p7s 文件拖到这里，或点击“添加文件…”。不需要网络。"))
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.resize(900, 420)

    def choose(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择要验证的文件"), "", self.tr("报送文件 (*.xlsx *.pdf *.p7s);;所有文件 (*)")
        )
        self.verify([Path(f) for f in files])

    def verify(self, files: list[Path]) -> None:
        for path in files:
            verdict = self.ws.signoff.verify(path)
            status = QStandardItem(verdict.status.value)
            status.setForeground(QBrush(QColor(VERDICT_COLOURS.get(verdict.status.value, "#000000"))))
            facts = f"{verdict.unit}　{verdict.period}　v{verdict.version}" if verdict.unit else ""
            if verdict.signer:
                facts += f"\n签署人 {verdict.signer}　{chinese_datetime(verdict.signed_at)}"
            row = [status, QStandardItem(path.name), QStandardItem(facts), QStandardItem(verdict.detail)]
            row[1].setToolTip(str(path))
            for item in row:
                item.setEditable(False)
            self.model.appendRow(row)
        for column in range(3):
            self.view.resizeColumnToContents(column)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.verify([Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()])
        event.acceptProposedAction()


class CertificateDialog(QDialog):
    """The unit's certificate: signer, fingerprint to read out over the phone, and export for the city office."""

    def __init__(self, ws: Workspace, unit: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ws, self.unit = ws, unit
        self.setWindowTitle(self.tr("本单位签署证书"))
        identity = ws.signoff.identity(unit)
        form = QFormLayout(self)
        form.addRow(self.tr("单位"), QLabel(unit))
        if identity is None:
            form.addRow(QLabel(self.tr("还没有签署密钥。审核人第一次签署时会创建，也可以导入市局签发的证书。")))
            import_button = QPushButton(self.tr("导入市局签发的证书（.p12/.pfx）…"))
            import_button.clicked.connect(self.import_pkcs12)
            form.addRow(import_button)
        else:
            certificate = identity.certificate
            fingerprint = QLabel(identity.fingerprint)
            fingerprint.setWordWrap(True)
            fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.tr("签署人"), QLabel(identity.signer))
            form.addRow(self.tr("证书指纹（SHA-256）"), fingerprint)
            form.addRow(
                self.tr("有效期"),
                QLabel(f"{certificate.not_valid_before_utc:%Y-%m-%d} 至 {certificate.not_valid_after_utc:%Y-%m-%d}"),
            )
            export = QPushButton(self.tr("导出证书（.cer）…"))
            export.clicked.connect(self.export)
            form.addRow(export)
        self.message = QLabel()
        form.addRow(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        form.addRow(close)
        self.resize(560, 220)

    def import_pkcs12(self) -> None:
        source, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择市局签发的证书"), "", self.tr("PKCS#12 (*.p12 *.pfx)")
        )
        if not source:
            return
        passphrase, ok = QInputDialog.getText(
            self, self.tr("证书口令"), self.tr("该证书文件的口令："), QLineEdit.EchoMode.Password
        )
        if not ok:
            return
        try:
            identity = self.ws.signoff.import_identity(self.unit, source, passphrase)
        except IpdeskError as error:
            self.message.setText(str(error))
            return
        self.message.setText(self.tr("已导入，证书指纹：{0}").format(identity.fingerprint))

    def export(self) -> None:
        target, _ = QFileDialog.getSaveFileName(self, self.tr("导出证书"), f"{self.unit}.cer", self.tr("证书 (*.cer)"))
        if not target:
            return
        try:
            self.ws.signoff.export_certificate(self.unit, target)
        except IpdeskError as error:
            self.message.setText(str(error))
            return
        self.message.setText(self.tr("证书已导出：{0}").format(target))
