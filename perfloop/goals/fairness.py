"""The fairness guard: warnings that a target may be an unlawfully raised quota.

不能胜任 is judged against "the workload of staff in the same type of work and the same post", and
"the employer must not deliberately raise the quota so that the employee cannot meet it" (LL-Expl
Art. 26; labour-law-cn.md CN-C-01). Derived from it (CN-C-02): compare a target with same-position
peers, and flag a target raised for one person after the period began. A warning does not forbid the
target; it demands a written justification, which is kept with the goal version as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from perfloop.core.months import Month
from perfloop.goals.suggestions import format_amount

PEER_TOLERANCE = Decimal("0.10")  # more than 10% harder than the peers' median is worth a sentence
MIN_PEERS = 2  # below two peers a median says nothing about "the same post"
# Below this many peers the median is not shown (nor kept with the goal): with two or three peers, their
# median and one target someone knows give away the others' targets, people the reader may not see.
MIN_PEERS_SHOWN = 5


class FairnessCode(StrEnum):
    ABOVE_PEERS = "above_peers"
    RAISED_MID_PERIOD = "raised_mid_period"


@dataclass(frozen=True)
class FairnessWarning:
    """One reason a target needs a written justification."""

    code: FairnessCode
    kpi: str
    kpi_name_en: str
    kpi_name_zh: str
    month: Month
    value: Decimal
    reference: Decimal  # the peers' median, or the value agreed before the raise
    peers: int
    unit: str
    direction: str
    employee_id: int | None = None

    @property
    def difference(self) -> Decimal:
        """How much harder the target is than the reference, as a share of it (0.125 = 12.5%)."""
        if not self.reference:
            return Decimal(0)
        change = (self.value - self.reference) / self.reference
        return -change if self.direction == "lower" else change

    @property
    def is_reference_shown(self) -> bool:
        """The peers' median may be shown: enough peers that it names nobody's target."""
        return self.code != FairnessCode.ABOVE_PEERS or self.peers >= MIN_PEERS_SHOWN

    def _numbers(self) -> tuple[str, str, str]:
        percent = (self.difference * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return format_amount(self.value, self.unit), format_amount(self.reference, self.unit), f"{percent}%"

    @property
    def message_en(self) -> str:
        value, reference, percent = self._numbers()
        if self.code == FairnessCode.ABOVE_PEERS and not self.is_reference_shown:
            harder = "below" if self.direction == "lower" else "above"
            return (
                f"{self.kpi_name_en} {self.month}: {value} is more than {PEER_TOLERANCE:.0%} {harder} the "
                f"median of the {self.peers} peers in the same position. A quota must not be raised so "
                "that it cannot be met (CN-C-01): write down why this target is fair."
            )
        if self.code == FairnessCode.ABOVE_PEERS:
            harder = "below" if self.direction == "lower" else "above"
            return (
                f"{self.kpi_name_en} {self.month}: {value} is {percent} {harder} the median of {self.peers} "
                f"peers in the same position ({reference}). A quota must not be raised so that it cannot be "
                "met (CN-C-01): write down why this target is fair."
            )
        return (
            f"{self.kpi_name_en} {self.month}: raised from {reference} to {value} after the month began. "
            "A mid-period raise for one person can be read as a deliberate raise (CN-C-02): write down why."
        )

    @property
    def message_zh(self) -> str:
        value, reference, percent = self._numbers()
        month = f"{self.month.year}年{self.month.month}月"
        if self.code == FairnessCode.ABOVE_PEERS and not self.is_reference_shown:
            harder = "低" if self.direction == "lower" else "高"
            return (
                f"{self.kpi_name_zh}（{month}）：{value} 比同岗位 {self.peers} 名同事的中位数{harder}出 "
                f"{PEER_TOLERANCE:.0%} 以上。用人单位不得故意提高定额使员工无法完成（CN-C-01），"
                "请写明该目标合理的理由。"
            )
        if self.code == FairnessCode.ABOVE_PEERS:
            harder = "低" if self.direction == "lower" else "高"
            return (
                f"{self.kpi_name_zh}（{month}）：{value} 比同岗位 {self.peers} 名同事的中位数（{reference}）"
                f"{harder} {percent}。用人单位不得故意提高定额使员工无法完成（CN-C-01），"
                "请写明该目标合理的理由。"
            )
        return (
            f"{self.kpi_name_zh}（{month}）：在该月开始后由 {reference} 提高到 {value}。"
            "期中单独提高个人目标可能被认定为故意提高定额（CN-C-02），请写明理由。"
        )

    def message(self, language: str | None) -> str:
        return self.message_en if (language or "").startswith("en") else self.message_zh

    def as_dict(self) -> dict[str, object]:
        """The form kept with the goal version (both languages, so the evidence reads in either)."""
        return {
            "code": str(self.code),
            "employee": self.employee_id,
            "kpi": self.kpi,
            "month": str(self.month),
            "value": str(self.value),
            # A median of a few peers is not kept either: it is recomputed from the targets when needed.
            "reference": str(self.reference) if self.is_reference_shown else None,
            "peers": self.peers,
            "message_en": self.message_en,
            "message_zh": self.message_zh,
        }


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _is_harder(value: Decimal, reference: Decimal, direction: str) -> bool:
    return value < reference if direction == "lower" else value > reference


def check_against_peers(
    *,
    kpi: str,
    kpi_name_en: str,
    kpi_name_zh: str,
    month: Month,
    value: Decimal,
    peer_values: Sequence[Decimal],
    unit: str,
    direction: str = "higher",
    tolerance: Decimal = PEER_TOLERANCE,
    quantum: Decimal = Decimal(0),
    employee_id: int | None = None,
) -> FairnessWarning | None:
    """Warn when ``value`` is harder than the same-position peers' median by more than ``tolerance``.

    A difference of one ``quantum`` or less (one customer more, when whole customers are split over
    months) is rounding, not a raised quota, and is not flagged.
    """
    reference = median(peer_values)
    if reference is None or len(peer_values) < MIN_PEERS:
        return None
    limit = reference * (1 - tolerance) if direction == "lower" else reference * (1 + tolerance)
    if not _is_harder(value, limit, direction) or abs(value - reference) <= quantum:
        return None
    return FairnessWarning(
        code=FairnessCode.ABOVE_PEERS,
        kpi=kpi,
        kpi_name_en=kpi_name_en,
        kpi_name_zh=kpi_name_zh,
        month=month,
        value=value,
        reference=reference,
        peers=len(peer_values),
        unit=unit,
        direction=direction,
        employee_id=employee_id,
    )


def check_mid_period_raise(
    *,
    kpi: str,
    kpi_name_en: str,
    kpi_name_zh: str,
    month: Month,
    value: Decimal,
    previous: Decimal | None,
    today: Month,
    unit: str,
    direction: str = "higher",
    employee_id: int | None = None,
) -> FairnessWarning | None:
    """Warn when a target already published is made harder once its month has begun."""
    if previous is None or month > today or not _is_harder(value, previous, direction):
        return None
    return FairnessWarning(
        code=FairnessCode.RAISED_MID_PERIOD,
        kpi=kpi,
        kpi_name_en=kpi_name_en,
        kpi_name_zh=kpi_name_zh,
        month=month,
        value=value,
        reference=previous,
        peers=0,
        unit=unit,
        direction=direction,
        employee_id=employee_id,
    )
