"""Where alerts go: the in-app inbox, e-mail and chat webhooks (WeCom, DingTalk, Feishu, Slack).

Each channel turns one digest (a title and lines of text) into what its platform expects; the
services decide who gets which digest and log every e-mail and webhook call as a `Delivery`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Digest:
    """One message: a title, lines of plain text (one per alert), and an optional link."""

    title: str
    lines: list[str] = field(default_factory=list)
    link: str = ""

    def as_text(self) -> str:
        body = "\n".join(self.lines)
        return f"{body}\n\n{self.link}".strip() if self.link else body


class DeliveryError(Exception):
    """A failed attempt; ``is_retryable`` says whether trying again later may help."""

    def __init__(self, message: str, *, is_retryable: bool, status_code: int | None = None) -> None:
        super().__init__(message)
        self.is_retryable = is_retryable
        self.status_code = status_code
