"""Model fields for core value types."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import Combinable

from perfloop.core.months import Month, MonthError


class MonthField(models.PositiveIntegerField):  # type: ignore[type-arg]
    """Stores a :class:`Month` as ``YYYYMM`` (an integer that sorts and reads well in SQL)."""

    description = "Calendar month (YYYYMM)"

    # Types for django-stubs: assign and filter with a Month (or YYYYMM), read back a Month.
    _pyi_private_set_type: Month | int | str | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Month  # type: ignore[assignment]
    _pyi_lookup_exact_type: Month | int | str  # type: ignore[assignment]

    def from_db_value(self, value: int | None, expression: Any, connection: Any) -> Month | None:
        return None if value is None else Month.from_int(value)

    def to_python(self, value: Any) -> Month | None:
        if value is None or isinstance(value, Month):
            return value
        try:
            if isinstance(value, int):
                return Month.from_int(value)
            return Month.parse(str(value))
        except MonthError as exc:
            raise ValidationError(str(exc), code="invalid_month") from exc

    def get_prep_value(self, value: Any) -> int | None:
        month = self.to_python(value)
        return None if month is None else month.as_int()

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else str(value)
