"""Cascade arithmetic: exact shares to the fen, and splits checked against their parent."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfloop.goals.cascade import (
    FEN,
    AllocationNode,
    CascadeError,
    SplitStatus,
    allocate,
    cascade_tree,
    check_split,
    quantum_for_unit,
    spread_over_months,
)


def test_it_splits_a_hundred_yuan_in_three_without_losing_a_fen():
    shares = allocate(Decimal("100.00"), [Decimal(1)] * 3)
    assert shares == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(shares) == Decimal("100.00")


def test_leftover_fen_go_to_the_largest_remainders_not_the_first_child():
    # Exact shares 16.666…, 33.333…, 50.00: the one fen left goes to the first (remainder 0.666).
    assert allocate(Decimal("100.00"), [Decimal(1), Decimal(2), Decimal(3)]) == [
        Decimal("16.67"),
        Decimal("33.33"),
        Decimal("50.00"),
    ]
    # Remainders .2 and .8 fen: the second child gets it.
    assert allocate(Decimal("0.10"), [Decimal(2), Decimal(8)]) == [Decimal("0.02"), Decimal("0.08")]


def test_counts_are_split_in_whole_units():
    shares = allocate(Decimal(36), [Decimal(1)] * 12, quantum=quantum_for_unit("count"))
    assert shares == [Decimal(3)] * 12
    uneven = allocate(Decimal(10), [Decimal(1)] * 3, quantum=Decimal(1))
    assert uneven == [Decimal(4), Decimal(3), Decimal(3)]


def test_decimal_weights_keep_their_ratios():
    shares = allocate(
        Decimal("960000.00"), [Decimal("0.9"), Decimal("1.1"), Decimal("1.05"), Decimal("0.95")]
    )
    assert sum(shares) == Decimal("960000.00")
    assert shares == [Decimal("216000.00"), Decimal("264000.00"), Decimal("252000.00"), Decimal("228000.00")]


def test_seasonality_spreads_a_year_over_twelve_months_exactly():
    weights = [Decimal(w) for w in ("0.6", "0.8", "1", "1", "1", "1.1", "1", "1", "1", "1.1", "1.2", "1.2")]
    months = spread_over_months(Decimal("960000.01"), weights)
    assert len(months) == 12
    assert sum(months) == Decimal("960000.01")
    assert months[0] < months[11]


@pytest.mark.parametrize(
    ("total", "weights", "code"),
    [
        (Decimal("-1"), [Decimal(1)], "negative_target"),
        (Decimal("1.005"), [Decimal(1)], "amount_not_a_whole_quantum"),
        (Decimal(10), [], "no_children"),
        (Decimal(10), [Decimal(0), Decimal(0)], "zero_weights"),
        (Decimal(10), [Decimal(1), Decimal(-1)], "negative_weight"),
    ],
)
def test_impossible_allocations_fail_with_a_code(total, weights, code):
    with pytest.raises(CascadeError) as raised:
        allocate(total, weights)
    assert raised.value.code == code


def test_seasonality_needs_twelve_weights():
    with pytest.raises(CascadeError) as raised:
        spread_over_months(Decimal(12), [Decimal(1)] * 11)
    assert raised.value.code == "invalid_seasonality"


def test_a_company_target_cascades_to_units_people_and_months_and_every_level_adds_up():
    east = AllocationNode("east", Decimal(3), tuple(AllocationNode(f"e{i}") for i in range(3)))
    south = AllocationNode("south", Decimal(2), tuple(AllocationNode(f"s{i}") for i in range(2)))
    amounts = cascade_tree(Decimal("1000000.00"), [east, south])
    assert amounts["east"] + amounts["south"] == Decimal("1000000.00")
    assert sum(amounts[f"e{i}"] for i in range(3)) == amounts["east"]
    assert sum(amounts[f"s{i}"] for i in range(2)) == amounts["south"]
    months = spread_over_months(amounts["e0"], [Decimal(1)] * 12)
    assert sum(months) == amounts["e0"]


@given(
    total=st.integers(min_value=0, max_value=10**12).map(lambda fen: Decimal(fen) * FEN),
    weights=st.lists(
        st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=40,
    ).filter(lambda ws: sum(ws) > 0),
)
def test_shares_always_add_up_exactly_and_differ_from_the_exact_share_by_less_than_a_fen(total, weights):
    shares = allocate(total, weights)
    assert sum(shares) == total
    weight_sum = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert share == share.quantize(FEN)
        assert abs(share - total * weight / weight_sum) < FEN


def test_a_split_short_of_the_parent_shows_the_gap():
    check = check_split(Decimal(100), [Decimal(40), Decimal(50)], max_overallocation=Decimal("0.1"))
    assert check.status == SplitStatus.SHORT
    assert check.gap == Decimal(10)
    assert not check.is_valid


def test_a_split_above_the_parent_within_the_allowance_is_fine_and_shows_the_surplus():
    check = check_split(Decimal(100), [Decimal(60), Decimal(45)], max_overallocation=Decimal("0.1"))
    assert check.status == SplitStatus.OK
    assert check.surplus == Decimal(5)
    assert check.gap == 0


def test_a_split_beyond_the_allowance_is_refused():
    check = check_split(Decimal(100), [Decimal(60), Decimal("50.01")], max_overallocation=Decimal("0.1"))
    assert check.status == SplitStatus.OVER
    assert not check.is_valid


def test_a_node_without_children_is_unsplit():
    assert check_split(Decimal(5), [], max_overallocation=Decimal(0)).status == SplitStatus.UNSPLIT
