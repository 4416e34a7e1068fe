"""The printable 退回意见 (a one-page A4 letter) beside the signed feedback file, so that a unit's head can read,
sign for and file on paper what the office decided.

It says who returns what — the office, the unit, the period and the version — then the office's comment on the whole
return and its comment on each task (with the task's number and name), the date and who decided, and at the foot of
the page the signed file's name and SHA-256: the paper and the file are matched by that fingerprint (the unit's
ipdesk shows the same figure when it imports the file). Made from the signed file's own content, so writing it
again later gives the same letter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ipdesk.domain.periods import Period, chinese_date
from ipdesk.exchange.feedback import Feedback
from ipdesk.reports.files import safe_part
from ipdesk.reports.layout import MM
from ipdesk.reports.pdf_pages import (
    Block,
    DocumentInfo,
    Page,
    Space,
    Text,
    TextStyle,
    draw_text,
    font_measure,
    paginate,
    render,
)

# A4 portrait with the 公文 page's margins (top 37 mm, binding 28 mm, right 26 mm); the foot keeps room for the
# fingerprint lines.
PAGE = Page(size=(210 * MM, 297 * MM), left=28 * MM, right=26 * MM, top=30 * MM, bottom=30 * MM)
SUFFIX = ".pdf"
BODY_SIZES = (14.0, 12.0, 10.5)  # 四号, 小四, 五号: the largest with which the letter fits on one page


def letter_name(feedback_file_name: str) -> str:
    """The letter's file name: the signed file's, with .pdf (…_v1_退回意见.pdf beside …_v1_退回意见.json)."""
    return safe_part(Path(feedback_file_name).stem) + SUFFIX


def decision_day(feedback: Feedback) -> str:
    """The day of the decision as a 公文 writes it (2025年10月21日), or the text as recorded if it is no date."""
    try:
        return chinese_date(dt.datetime.fromisoformat(feedback.decided_at).date())
    except ValueError:
        return feedback.decided_at


def period_words(code: str) -> str:
    try:
        return Period.parse(code).chinese
    except ValueError:
        return code


def texts(feedback: Feedback, task_names: dict[int, str]) -> list[tuple[str, str]]:
    """Every text the letter prints, with where (for the font check)."""
    found = [("办公室", feedback.office), ("单位", feedback.unit), ("总体意见", feedback.comment)]
    for c in feedback.task_comments:
        found.append((f"第{c.task_seq}项任务", f"{task_names.get(c.task_seq or 0, '')}{c.comment}"))
    return [*found, ("经办人", feedback.decided_by)]


def _story(feedback: Feedback, task_names: dict[int, str], font: str, size: float) -> list[Block]:
    lead = size * 1.75
    title = TextStyle(font, 22, 32, align="center", bold=True, space_after=6 * MM)
    body = TextStyle(font, size, lead, space_after=size * 0.4)
    heading = TextStyle(font, size, lead, bold=True, space_before=size * 0.6, space_after=size * 0.2)
    item = TextStyle(font, size, lead, indent=2 * size, space_after=size * 0.3)
    right = TextStyle(font, size, lead, align="right")
    period = period_words(feedback.period)
    blocks: list[Block] = [
        Text("退回意见", title),
        Text(f"{feedback.unit}：", body),
        Text(
            f"　　你单位报送的{period}工作进展报告（第{feedback.version}版）经{feedback.office}审核，"
            "现退回修改，意见如下。请按意见修改后重新签署报送。",
            body,
        ),
    ]
    if feedback.comment:
        blocks += [Text("一、总体意见", heading, keep_with_next=True), Text(f"　　{feedback.comment}", body)]
    if feedback.task_comments:
        number = "二" if feedback.comment else "一"
        blocks.append(Text(f"{number}、对具体任务的意见", heading, keep_with_next=True))
        for n, comment in enumerate(feedback.task_comments, 1):
            name = task_names.get(comment.task_seq or 0, "")
            task = f"第{comment.task_seq}项任务“{name}”" if name else f"第{comment.task_seq}项任务"
            blocks.append(Text(f"{n}. {task}：{comment.comment}", item))
    blocks += [
        Space(8 * MM),
        Text(feedback.office, right),
        Text(decision_day(feedback), right),
        Text(f"经办人：{feedback.decided_by}", right),
    ]
    return blocks


def write_letter(
    feedback: Feedback, file_name: str, sha256: str, task_names: dict[int, str], path: Path, font: str
) -> None:
    """Draw the letter into ``path``: on one page, with the body in the largest of ``BODY_SIZES`` that fits (very
    long comments continue on a second page rather than being cut)."""
    pages: list = []
    for size in BODY_SIZES:
        pages = paginate(_story(feedback, task_names, font, size), PAGE)
        if len(pages) == 1:
            break
    footer = _footer(file_name, feedback.office, sha256, font)

    def decorate(canvas, number: int, total: int) -> None:
        footer(canvas)
        if total > 1:
            text = f"第 {number} 页 共 {total} 页"
            draw_text(canvas, font, 9, (PAGE.size[0] - font_measure(font, 9)(text)) / 2, 8 * MM, text)

    info = DocumentInfo(
        title=f"退回意见：{feedback.unit}{period_words(feedback.period)}（v{feedback.version}）",
        author=feedback.office,
        keywords=f"ipdesk;feedback;sha256={sha256}",
    )
    render(Path(path), pages, PAGE, font, info, decorate)


def _footer(file_name: str, office: str, sha256: str, font: str) -> Callable[[object], None]:
    """The fingerprint lines at the foot of every page, under a thin rule."""
    size = 8.5
    lines = [
        f"电子文件：{file_name}（{office}签名）",
        f"SHA-256：{sha256[:32]}",
        f"　　　　　{sha256[32:]}",
        "核对：电子文件的 SHA-256（如 Windows 命令 certutil -hashfile 文件名 SHA256）应与上列指纹一致。",
    ]

    def draw(canvas) -> None:
        canvas.setStrokeColorRGB(0.4, 0.4, 0.4)
        canvas.setLineWidth(0.4)
        top = PAGE.bottom - 4 * MM
        canvas.line(PAGE.left, top, PAGE.size[0] - PAGE.right, top)
        canvas.setFillColorRGB(0.25, 0.25, 0.25)
        y = top - size - 2
        for line in lines:
            draw_text(canvas, font, size, PAGE.left, y, line)
            y -= size * 1.35
        canvas.setFillColorRGB(0, 0, 0)

    return draw
