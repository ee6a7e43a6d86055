"""Month query parameters: one reading, one set of codes and words for every API."""

import pytest
from django.utils import translation

from perfloop.core.months import Month
from perfloop.core.params import ParameterError, month_param, required_month_param


def test_a_month_is_read_in_either_notation():
    assert month_param("2025-03", "month") == Month(2025, 3)
    assert required_month_param("2025年3月", "first") == Month(2025, 3)


def test_an_absent_optional_month_is_none():
    assert month_param(None, "month") is None
    assert month_param("", "month") is None


def test_an_unreadable_month_names_the_parameter_in_the_readers_language():
    with translation.override("zh-hans"), pytest.raises(ParameterError) as caught:
        month_param("2025-13", "last")
    assert caught.value.code == "invalid_month"
    assert caught.value.details == {"parameter": "last"}
    assert str(caught.value.message) == "last：“2025-13”不是有效月份（YYYY-MM）。"


def test_a_required_month_that_is_missing_says_so():
    with pytest.raises(ParameterError) as caught:
        required_month_param(None, "first")
    assert caught.value.code == "missing_month"
