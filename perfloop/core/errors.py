"""Domain errors: a stable machine code plus a translatable message.

The UI and the API show the message; logs and clients key on the code.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base for every business-rule failure that a user can act on."""

    code: str = "domain_error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class NotFound(DomainError):  # noqa: N818 - named after the HTTP answer it becomes
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):  # noqa: N818 - named after the HTTP answer it becomes
    code = "permission_denied"
    http_status = 403
