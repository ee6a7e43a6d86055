"""Dates that follow a termination in mainland China: formalities, limitation, retention.

- CN-PR-03 (LCL Art. 50): certificate, file and social-insurance transfer within 15 days,
  severance on completion of the hand-over, contract text kept ≥ 2 years.
- CN-PR-04 (Pay-Regs Art. 9, 6): final wages in one sum at termination, wage records ≥ 2 years.
- CN-E-02 (LDMAL Art. 27): 1-year limitation, restarted by interruption, paused by suspension;
  wage arrears may be claimed until 1 year after employment ends.
- CN-E-03 (derived): keep the evidence pack ≥ 2 years after termination and until any dispute closes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.messages import BilingualText, message
from perfloop.separation.law.periods import add_years

FILE_TRANSFER_DAYS = 15
CONTRACT_RETENTION_YEARS = 2
WAGE_RECORD_RETENTION_YEARS = 2
EVIDENCE_RETENTION_YEARS = 2
LIMITATION_YEARS = 1


@dataclass(frozen=True, slots=True)
class Deadline:
    """Something to do (or keep) by a date, with the rule that sets it."""

    code: str
    rule_id: str
    due_on: dt.date | None
    text: BilingualText

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "rule_id": self.rule_id,
            "due_on": None if self.due_on is None else self.due_on.isoformat(),
            "text_zh": self.text.zh,
            "text_en": self.text.en,
        }


def _deadline(code: str, rule_id: str, due_on: dt.date | None, **params: object) -> Deadline:
    return Deadline(code=code, rule_id=rule_id, due_on=due_on, text=message(f"deadline.{code}", **params))


def termination_schedule(
    termination_date: dt.date, handover_completed_on: dt.date | None = None
) -> list[Deadline]:
    """What LCL Art. 50 and the Pay Regulations require at and after the termination date."""
    return [
        _deadline("termination_certificate", "CN-PR-03", termination_date),
        _deadline(
            "file_and_social_insurance_transfer",
            "CN-PR-03",
            termination_date + dt.timedelta(days=FILE_TRANSFER_DAYS),
        ),
        _deadline("severance_on_handover", "CN-PR-03", handover_completed_on),
        _deadline("final_wages", "CN-PR-04", termination_date),
        _deadline("keep_contract_text", "CN-PR-03", add_years(termination_date, CONTRACT_RETENTION_YEARS)),
        _deadline("keep_wage_records", "CN-PR-04", add_years(termination_date, WAGE_RECORD_RETENTION_YEARS)),
    ]


@dataclass(frozen=True, slots=True)
class Suspension:
    """A period during which limitation does not run (force majeure or other just cause)."""

    starts_on: dt.date
    ends_on: dt.date


def limitation_deadline(
    knew_on: dt.date,
    *,
    interruptions: Iterable[dt.date] = (),
    suspensions: Iterable[Suspension] = (),
) -> dt.date:
    """The last day to apply for arbitration (LDMAL Art. 27 ¶1–3): 1 year, restarted by interruptions,
    extended by the days of any suspension that falls while the period runs."""
    start = knew_on
    deadline = add_years(start, LIMITATION_YEARS)
    events: list[tuple[dt.date, Suspension | None]] = [(day, None) for day in interruptions]
    for suspension in suspensions:
        if suspension.ends_on < suspension.starts_on:
            raise LawInputError("dates_reversed", start=suspension.starts_on, end=suspension.ends_on)
        events.append((suspension.starts_on, suspension))
    for day, pause in sorted(events, key=lambda event: event[0]):
        if day < start or day > deadline:
            continue
        if pause is None:
            start = day
            deadline = add_years(day, LIMITATION_YEARS)
        else:
            deadline += (pause.ends_on - pause.starts_on) + dt.timedelta(days=1)
    return deadline


def wage_arrears_deadline(employment_ended_on: dt.date) -> dt.date:
    """Wage arrears: no limit while employed, then within a year of the end (LDMAL Art. 27 ¶4)."""
    return add_years(employment_ended_on, LIMITATION_YEARS)


def evidence_retention_until(
    termination_date: dt.date,
    *,
    dispute_open: bool = False,
    dispute_closed_on: dt.date | None = None,
) -> dt.date | None:
    """CN-E-03: the evidence pack is kept ≥ 2 years after termination and until any dispute is finally closed.

    ``None`` while a dispute is open: there is no end date yet.
    """
    if dispute_open:
        return None
    until = add_years(termination_date, EVIDENCE_RETENTION_YEARS)
    if dispute_closed_on is not None and dispute_closed_on > until:
        return dispute_closed_on
    return until
