"""The working: structured steps and parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from perfloop.separation.law.cn_severance import PartMonthCounting
from perfloop.separation.law.working import (
    ParameterStatus,
    Working,
    decimal_text,
    display,
    exact_money_text,
    money_text,
    render_text,
)


def test_values_display_plainly():
    assert display(True) == "true"
    assert display(None) == "none"
    assert display(PartMonthCounting.EXACT) == "exact"
    assert display(dt.date(2024, 1, 2)) == "2024-01-02"
    assert display(Decimal("3.50")) == "3.5"
    assert decimal_text(Decimal("1E+1")) == "10"


def test_money_is_shown_to_the_fen_and_inexact_intermediates_are_marked():
    assert money_text(Decimal("32000")) == "32,000.00"
    assert exact_money_text(Decimal("8000")) == "8,000.00"
    assert exact_money_text(Decimal("100000") / 12) == "≈8,333.3333"


def test_parameters_record_whether_the_default_applied_and_keep_the_first_record():
    working = Working()
    working.use("notice_days", value=30, default=30, rule_id="CN-PR-01", status=ParameterStatus.STATUTORY)
    working.use("notice_days", value=10, default=30, rule_id="CN-PR-01", status=ParameterStatus.STATUTORY)
    working.use("rounding", value="x", default="y", rule_id="CN-M-09", status=ParameterStatus.UNVERIFIED)
    assert working.parameters["notice_days"].is_default
    assert working.parameters["rounding"].as_dict()["is_default"] is False


def test_steps_render_as_numbered_lines_in_either_language():
    working = Working()
    working.add("CN-M-06", "pay_in_lieu_not_due", formula="notice given ⇒ P = 0", values={}, result="0.00")
    assert render_text(working.steps, "en").startswith(" 1. [CN-M-06] notice given ⇒ P = 0 = 0.00")
    assert "代通知金" in render_text(working.steps, "zh-hans")
    assert working.steps[0].as_dict()["rule_id"] == "CN-M-06"
