"""Reading a month out of a query parameter, the same way for every API: the same codes, the same words."""

from __future__ import annotations

from django.utils.translation import gettext as _

from perfloop.core.errors import DomainError
from perfloop.core.months import Month, MonthError


class ParameterError(DomainError):
    code = "invalid_parameter"


def month_param(value: str | None, name: str) -> Month | None:
    """The month in ``value`` (2025-03, 2025年3月 …), None when absent; ``invalid_month`` when unreadable."""
    if not value:
        return None
    try:
        return Month.parse(value)
    except MonthError as exc:
        raise ParameterError(
            _("%(parameter)s: “%(value)s” is not a month (YYYY-MM).")
            % {"parameter": name, "value": value[:20]},
            code="invalid_month",
            parameter=name,
        ) from exc


def required_month_param(value: str | None, name: str) -> Month:
    """Like ``month_param``, and ``missing_month`` when the parameter is absent."""
    month = month_param(value, name)
    if month is None:
        raise ParameterError(
            _("%(parameter)s is required (YYYY-MM).") % {"parameter": name},
            code="missing_month",
            parameter=name,
        )
    return month
