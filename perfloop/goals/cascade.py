"""Cascading an annual target down a plan: company → org units → people → months, in exact decimals.

Every share is a whole number of quanta (a fen for CNY, one for counts). Shares are found by the
largest-remainder (Hamilton) method on integers: each child first gets the floor of its exact share,
and the quanta left over go one each to the largest fractional parts (ties to the earlier child). The
shares therefore always add up to the total exactly — nothing is lost to rounding, nothing invented.

A parent's children must add up to *at least* the parent (a gap is shown, never hidden) and at most
the plan's over-allocation allowance above it: loading everyone far above the company target is how a
quota is "deliberately raised" (labour-law-cn.md CN-C-01).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

FEN = Decimal("0.01")
ONE = Decimal(1)
FOUR_PLACES = Decimal("0.0001")
MONTHS_IN_YEAR = 12

# The smallest share of a KPI in its unit: money to the fen, counts in whole units, the rest to 4 places.
_QUANTA: Mapping[str, Decimal] = {"cny": FEN, "count": ONE}


class CascadeError(ValueError):
    """An allocation that cannot be made; ``code`` is stable for callers."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def quantum_for_unit(unit: str) -> Decimal:
    """The smallest share of a KPI measured in ``unit`` (``cny`` → 0.01, ``count`` → 1)."""
    return _QUANTA.get(unit, FOUR_PLACES)


def _as_quanta(amount: Decimal, quantum: Decimal) -> int:
    quanta = amount / quantum
    if quanta != quanta.to_integral_value():
        raise CascadeError(
            f"{amount} is not a whole number of {quantum} units", code="amount_not_a_whole_quantum"
        )
    return int(quanta)


def integer_weights(weights: Sequence[Decimal]) -> list[int]:
    """Weights as integers with the same ratios (scaled by a common power of ten)."""
    places = 0
    for weight in weights:
        if not weight.is_finite():
            raise CascadeError(f"weight {weight} is not a number", code="invalid_weight")
        if weight < 0:
            raise CascadeError(f"weight {weight} is negative", code="negative_weight")
        exponent = weight.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    scale = 10**places
    return [int(weight * scale) for weight in weights]


def allocate_quanta(units: int, weights: Sequence[int]) -> list[int]:
    """The integer core of :func:`allocate`: ``units`` split by integer ``weights``, largest remainder."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise CascadeError("every weight is zero", code="zero_weights")
    floors: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        share, remainder = divmod(units * weight, weight_sum)
        floors.append(share)
        remainders.append(remainder)
    leftover = units - sum(floors)
    if leftover:
        # Largest remainder first; Python's sort is stable, so equal remainders keep the children's order.
        for index in sorted(range(len(floors)), key=remainders.__getitem__, reverse=True)[:leftover]:
            floors[index] += 1
    return floors


def allocate(total: Decimal, weights: Sequence[Decimal], *, quantum: Decimal = FEN) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` into whole quanta that add up to ``total`` exactly."""
    if total < 0:
        raise CascadeError(f"cannot allocate a negative total {total}", code="negative_target")
    if not weights:
        raise CascadeError("nothing to allocate to", code="no_children")
    shares = allocate_quanta(_as_quanta(total, quantum), integer_weights(weights))
    return [(Decimal(share) * quantum).quantize(quantum) for share in shares]


def spread_over_months(
    annual: Decimal, seasonality: Sequence[Decimal], *, quantum: Decimal = FEN
) -> list[Decimal]:
    """An annual target as twelve monthly targets weighted by the seasonality; they add up to the year."""
    if len(seasonality) != MONTHS_IN_YEAR:
        raise CascadeError(
            f"seasonality needs {MONTHS_IN_YEAR} weights, got {len(seasonality)}", code="invalid_seasonality"
        )
    return allocate(annual, seasonality, quantum=quantum)


def flat_seasonality() -> list[Decimal]:
    """Every month weighs the same."""
    return [ONE] * MONTHS_IN_YEAR


@dataclass(frozen=True)
class AllocationNode:
    """A node of the cascade: its weight among its siblings and its own children (units or people)."""

    key: str
    weight: Decimal = ONE
    children: tuple[AllocationNode, ...] = field(default=())


def cascade_tree(
    total: Decimal, children: Sequence[AllocationNode], *, quantum: Decimal = FEN
) -> dict[str, Decimal]:
    """Every node's share of ``total``, down to the leaves; each parent's children add up to it exactly."""
    amounts: dict[str, Decimal] = {}
    pending: list[tuple[Decimal, Sequence[AllocationNode]]] = [(total, children)]
    while pending:
        amount, nodes = pending.pop()
        if not nodes:
            continue
        for node, share in zip(
            nodes, allocate(amount, [n.weight for n in nodes], quantum=quantum), strict=True
        ):
            amounts[node.key] = share
            if node.children:
                pending.append((share, node.children))
    return amounts


class SplitStatus(StrEnum):
    OK = "ok"
    SHORT = "short"  # the children add up to less than the parent: a gap
    OVER = "over"  # the children exceed the parent by more than the allowance
    UNSPLIT = "unsplit"  # no children yet (a leaf, or a unit not split further)


@dataclass(frozen=True)
class SplitCheck:
    """How a parent's target compares with the sum of its children's."""

    parent: Decimal
    children_total: Decimal
    children: int
    status: SplitStatus
    allowance: Decimal

    @property
    def gap(self) -> Decimal:
        """How much the children fall short of the parent (0 when they cover it)."""
        return max(self.parent - self.children_total, Decimal(0))

    @property
    def surplus(self) -> Decimal:
        """How much the children exceed the parent (0 when they do not)."""
        return max(self.children_total - self.parent, Decimal(0))

    @property
    def is_valid(self) -> bool:
        return self.status in (SplitStatus.OK, SplitStatus.UNSPLIT)


def check_split(parent: Decimal, children: Sequence[Decimal], *, max_overallocation: Decimal) -> SplitCheck:
    """Children must add up to at least the parent and at most ``parent × (1 + max_overallocation)``."""
    if max_overallocation < 0:
        raise CascadeError("the over-allocation allowance cannot be negative", code="invalid_allowance")
    total = sum(children, Decimal(0))
    allowance = parent * max_overallocation
    if not children:
        status = SplitStatus.UNSPLIT
    elif total < parent:
        status = SplitStatus.SHORT
    elif total > parent + allowance:
        status = SplitStatus.OVER
    else:
        status = SplitStatus.OK
    return SplitCheck(
        parent=parent, children_total=total, children=len(children), status=status, allowance=allowance
    )
