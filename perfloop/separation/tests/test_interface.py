"""The shapes a pack returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from perfloop.separation.law.interface import (
    CalculationResult,
    EligibilityResult,
    RouteAssessment,
    Severity,
    finding,
)
from perfloop.separation.law.messages import message


def test_a_route_is_allowed_unless_something_blocks_it():
    warn = finding("ranking_not_proof", Severity.WARN, "CN-C-03")
    block = finding("no_reassessment", Severity.BLOCK, "CN-G-01")
    open_route = RouteAssessment("a", message("route.lcl_40_2"), ("CN-G-01",), (warn,))
    closed = RouteAssessment("b", message("route.lcl_40_2"), ("CN-G-01",), (warn, block))
    assert open_route.is_allowed
    assert not closed.is_allowed
    result = EligibilityResult("cn", dt.date(2024, 1, 1), (open_route, closed), (), "a", ())
    assert result.allowed_routes == ["a"]
    assert result.codes(Severity.BLOCK) == {"no_reassessment"}
    assert result.as_dict()["routes"][1]["blocking_reasons"][0]["rule_ids"] == ["CN-G-01"]


def test_amounts_serialise_as_exact_strings():
    result = CalculationResult("severance", message("result.severance"), Decimal("32000.00"), (), (), "CNY")
    payload = result.as_dict()
    assert payload["amount"] == "32000.00"
    assert payload["amount_display"] == "32,000.00"
