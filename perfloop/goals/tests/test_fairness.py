"""The fairness guard (labour-law-cn.md CN-C-01/02)."""

from decimal import Decimal
from typing import Any

from perfloop.core.months import Month
from perfloop.goals.fairness import FairnessCode, check_against_peers, check_mid_period_raise, median

MARCH = Month(2025, 3)
NAMES: dict[str, Any] = {"kpi": "revenue", "kpi_name_en": "Monthly revenue", "kpi_name_zh": "月度销售额"}


def test_median_of_odd_and_even_counts():
    assert median([Decimal(3), Decimal(1), Decimal(2)]) == 2
    assert median([Decimal(1), Decimal(2), Decimal(3), Decimal(10)]) == Decimal("2.5")
    assert median([]) is None


def test_a_target_far_above_same_position_peers_is_flagged_with_the_numbers():
    warning = check_against_peers(
        month=MARCH, value=Decimal(100000), peer_values=[Decimal(80000)] * 5, unit="cny", **NAMES
    )
    assert warning is not None
    assert warning.code == FairnessCode.ABOVE_PEERS
    assert warning.reference == Decimal(80000)
    assert warning.peers == 5
    assert "25.0%" in warning.message_en
    assert "¥100,000" in warning.message_en
    assert "同岗位 5 名同事" in warning.message_zh
    assert "CN-C-01" in warning.message_zh
    assert warning.as_dict()["reference"] == "80000"


def test_a_few_peers_still_flag_a_target_but_their_median_is_neither_shown_nor_kept():
    # Two peers: their median and one target the reader knows would give away the other's target.
    warning = check_against_peers(
        month=MARCH, value=Decimal(120000), peer_values=[Decimal(80000), Decimal(100000)], unit="cny", **NAMES
    )
    assert warning is not None
    assert warning.code == FairnessCode.ABOVE_PEERS
    for message in (warning.message_en, warning.message_zh):
        assert "90,000" not in message
        assert "33.3%" not in message
        assert "CN-C-01" in message
    assert "more than 10% above the median of the 2 peers" in warning.message_en
    assert "同岗位 2 名同事的中位数高出 10% 以上" in warning.message_zh
    assert warning.as_dict()["reference"] is None


def test_a_target_within_ten_percent_of_peers_is_fine():
    assert (
        check_against_peers(
            month=MARCH, value=Decimal(88000), peer_values=[Decimal(80000)] * 3, unit="cny", **NAMES
        )
        is None
    )


def test_one_peer_is_not_enough_to_compare():
    assert (
        check_against_peers(
            month=MARCH, value=Decimal(200000), peer_values=[Decimal(80000)], unit="cny", **NAMES
        )
        is None
    )


def test_for_a_lower_is_better_kpi_a_stricter_target_is_a_lower_one():
    churn: dict[str, Any] = {"kpi": "churn_rate", "kpi_name_en": "Churn", "kpi_name_zh": "流失率"}
    peers = [Decimal("0.15")] * 3
    warning = check_against_peers(
        month=MARCH, value=Decimal("0.10"), peer_values=peers, unit="ratio", direction="lower", **churn
    )
    assert warning is not None
    assert "below" in warning.message_en
    assert (
        check_against_peers(
            month=MARCH, value=Decimal("0.20"), peer_values=peers, unit="ratio", direction="lower", **churn
        )
        is None
    )


def test_raising_a_target_after_its_month_began_is_flagged():
    warning = check_mid_period_raise(
        month=MARCH, value=Decimal(90000), previous=Decimal(80000), today=MARCH, unit="cny", **NAMES
    )
    assert warning is not None
    assert warning.code == FairnessCode.RAISED_MID_PERIOD
    assert "CN-C-02" in warning.message_zh
    assert warning.as_dict()["reference"] == "80000"


def test_raising_a_future_month_lowering_a_target_or_a_first_target_is_not_flagged():
    common: dict[str, Any] = {"month": MARCH, "unit": "cny", **NAMES}
    assert (
        check_mid_period_raise(value=Decimal(90000), previous=Decimal(80000), today=Month(2025, 2), **common)
        is None
    )
    assert (
        check_mid_period_raise(value=Decimal(70000), previous=Decimal(80000), today=MARCH, **common) is None
    )
    assert check_mid_period_raise(value=Decimal(90000), previous=None, today=MARCH, **common) is None


def test_a_difference_of_one_unit_is_rounding_not_a_raised_quota():
    customers: dict[str, Any] = {
        "kpi": "new_customers",
        "kpi_name_en": "New customers",
        "kpi_name_zh": "新客户",
    }
    peers = [Decimal(3)] * 4
    common: dict[str, Any] = {"month": MARCH, "peer_values": peers, "unit": "count", **customers}
    assert check_against_peers(value=Decimal(4), quantum=Decimal(1), **common) is None
    assert check_against_peers(value=Decimal(5), quantum=Decimal(1), **common) is not None
