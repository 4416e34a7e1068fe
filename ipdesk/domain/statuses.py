"""The status a unit gives a task in a period (完成状态)."""

from __future__ import annotations

from enum import StrEnum

from ipdesk.domain.errors import InvalidInput


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LAGGING = "lagging"
    ONGOING = "ongoing"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def description(self) -> str:
        """The definition printed in a form's 填表说明."""
        return _DESCRIPTIONS[self]

    @classmethod
    def parse(cls, text: str) -> TaskStatus:
        """Accept the stored code or the Chinese word."""
        cleaned = str(text).strip()
        for status in cls:
            if cleaned in (status.value, status.label):
                return status
        choices = "、".join(s.label for s in cls)
        raise InvalidInput(f"完成状态“{text}”无效，应为：{choices}")


_LABELS = {
    TaskStatus.NOT_STARTED: "未启动",
    TaskStatus.IN_PROGRESS: "推进中",
    TaskStatus.DONE: "已完成",
    TaskStatus.LAGGING: "滞后",
    TaskStatus.ONGOING: "持续推进",
}
_DESCRIPTIONS = {
    TaskStatus.NOT_STARTED: "尚未开展工作",
    TaskStatus.IN_PROGRESS: "已开展，按计划序时推进",
    TaskStatus.DONE: "已全部完成任务内容",
    TaskStatus.LAGGING: "进度落后于序时要求，须说明原因",
    TaskStatus.ONGOING: "常态化工作，长期持续开展",
}
