"""导出: choose the formats and the folder, write the report off the GUI thread, open the folder afterwards."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ipdesk.domain.periods import Period

LAST_FOLDER = "export_folder"


class ExportDialog(QDialog):
    def __init__(self, unit: str, period: Period, folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("导出报告"))
        self.xlsx = QCheckBox(self.tr("Excel 工作簿（.xlsx）"))
        self.pdf = QCheckBox(self.tr("可打印的 PDF（.pdf）"))
        self.xlsx.setChecked(True)
        self.pdf.setChecked(True)
        default = folder or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        self.folder = QLineEdit(default)
        browse = QPushButton(self.tr("选择…"))
        browse.clicked.connect(self._browse)
        self.open_after = QCheckBox(self.tr("导出后打开所在文件夹"))
        self.open_after.setChecked(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        folder_line = QHBoxLayout()
        folder_line.addWidget(self.folder, 1)
        folder_line.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("导出"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("导出{0}{1}的工作进展情况表：").format(unit, period.chinese)))
        layout.addWidget(self.xlsx)
        layout.addWidget(self.pdf)
        layout.addWidget(QLabel(self.tr("保存到文件夹：")))
        layout.addLayout(folder_line)
        layout.addWidget(self.open_after)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 240)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("选择导出文件夹"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def formats(self) -> tuple[str, ...]:
        return tuple(f for f, box in (("xlsx", self.xlsx), ("pdf", self.pdf)) if box.isChecked())

    def accept(self) -> None:
        if not self.formats():
            self.error.setText(self.tr("请至少选择一种格式"))
            return
        if not Path(self.folder.text()).is_dir():
            self.error.setText(self.tr("文件夹不存在：{0}").format(self.folder.text()))
            return
        super().accept()


def open_folder(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
