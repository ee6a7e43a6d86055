"""Domain errors of the law engine: a stable code, bilingual text, the offending values.

The shared ``.po`` file is not the home of these texts: the engine must run without
Django (benchmarks, property tests), so every message lives in ``messages.py`` in
zh-Hans and English and the error carries both.
"""

from __future__ import annotations

from typing import Any

from perfloop.core.errors import DomainError
from perfloop.separation.law.messages import BilingualText, message


class LawInputError(DomainError):
    """Input the engine cannot compute with: impossible dates, negative wages, missing months …"""

    code = "law_input_invalid"

    def __init__(self, code: str, **details: Any) -> None:
        text = message(f"error.{code}", **details)
        super().__init__(str(text.en), code=code, **_plain(details))
        # The API and the UI render ``message``; it resolves to the active language when shown.
        self.message = text  # type: ignore[assignment]
        self.text = text

    @property
    def text_zh(self) -> str:
        return self.text.zh

    @property
    def text_en(self) -> str:
        return self.text.en


class ReferenceDataMissingError(LawInputError):
    """No published figure for the city or year asked about: never guess one."""

    code = "reference_data_missing"
    http_status = 404


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """Details as JSON-ready values (dates, decimals and other objects become strings)."""
    return {key: _plain_value(value) for key, value in details.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain_value(item) for key, item in value.items()}
    if isinstance(value, int | bool | str) or value is None:
        return value
    return str(value)


__all__ = ["BilingualText", "LawInputError", "ReferenceDataMissingError"]
