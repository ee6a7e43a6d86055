"""Reading the demo company back: the case study's figures, measured from the database.

These are system-level reads for the `demo` command: they return counts and ratios only, never a
person's data, so they take no viewer. Every figure comes from the stored scorecards, team aggregates
and employee records — a change to the data or to the scoring shows up here, nothing is a constant.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from perfloop.accounts.models import User
from perfloop.core.months import Month
from perfloop.demo.credentials import DEMO_SIGN_INS, DemoSignIn
from perfloop.demo.generator import TIMELINE, Timeline
from perfloop.metrics.models import Scorecard, TeamMonth
from perfloop.metrics.services import scoring_policy_get
from perfloop.org.models import Employee

# The policy definition of long-term underperformance: 连续6个月未完成目标 (product.md, monitoring).
LONG_TERM_MONTHS = 6

DEFINITIONS: dict[str, str] = {
    "reps": "people with a scored scorecard (a composite, i.e. measured against sales KPI targets) in at "
    "least one month of the before window",
    "long_term_underperformers": f"people whose scorecard in the last month of the before window has "
    f"streak_below >= {LONG_TERM_MONTHS} (consecutive months not met)",
    "met": "a month is met when the composite attainment reaches the scoring policy's met_threshold",
    "team_completion": "sum of TeamMonth.actual / sum of TeamMonth.target over every unit and every month "
    "of the window (primary KPI revenue): the sales department's actual over its target",
    "team_completion_before": "team_completion over the before window (the six months judged)",
    "team_completion_after": "team_completion over the after window (after the leavers left and the new "
    "reps joined)",
    "improved": "long-term underperformers whose scorecard is met in the last month of the improvement "
    "phase and who are still employed at the end of the after window",
    "not_improved": "long-term underperformers who did not improve",
    "left": "long-term underperformers no longer employed at the end of the after window",
    "hired": "scored people hired on or after the first day of the improvement phase",
}


def demo_summary(*, timeline: Timeline = TIMELINE) -> dict[str, Any]:
    """The case study's figures (50 reps, 8 long-term underperformers, 75% → 90% …) as stored."""
    before = _window(timeline.before_first, timeline.before_last)
    scored = Q(composite__isnull=False)
    reps = Scorecard.objects.filter(before, scored).values("employee_id").distinct().count()
    underperformers = set(
        Scorecard.objects.filter(month=timeline.before_last, streak_below__gte=LONG_TERM_MONTHS).values_list(
            "employee_id", flat=True
        )
    )
    end = timeline.after_last.last_day
    employed_at_end = set(
        Employee.objects.filter(pk__in=underperformers)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gt=end))
        .values_list("pk", flat=True)
    )
    met_at_end_of_plan = set(
        Scorecard.objects.filter(
            month=timeline.improvement_last, employee_id__in=underperformers, is_met=True
        ).values_list("employee_id", flat=True)
    )
    improved = met_at_end_of_plan & employed_at_end
    hired = (
        Employee.objects.filter(
            hire_date__gte=timeline.improvement_first.first_day, scorecards__composite__isnull=False
        )
        .distinct()
        .count()
    )
    return {
        "reps": reps,
        "long_term_underperformers": len(underperformers),
        "team_completion_before": _completion(timeline.before_first, timeline.before_last),
        "team_completion_after": _completion(timeline.after_first, timeline.after_last),
        "improved": len(improved),
        "not_improved": len(underperformers - improved),
        "left": len(underperformers - employed_at_end),
        "hired": hired,
        "met_threshold": float(scoring_policy_get().met_threshold),
        "months_before": [str(m) for m in timeline.before_months],
        "months_improvement": [str(m) for m in timeline.improvement_months],
        "months_after": [str(m) for m in timeline.after_months],
        "definitions": DEFINITIONS,
    }


def demo_sign_ins_present() -> list[DemoSignIn]:
    """The demo personas whose accounts exist and are active in this database."""
    active = set(
        User.objects.filter(username__in=[s.username for s in DEMO_SIGN_INS], is_active=True).values_list(
            "username", flat=True
        )
    )
    return [s for s in DEMO_SIGN_INS if s.username in active]


def _window(first: Month, last: Month) -> Q:
    return Q(month__gte=first, month__lte=last)


def _completion(first: Month, last: Month) -> float | None:
    sums = TeamMonth.objects.filter(_window(first, last)).aggregate(
        actual=Sum("actual"), target=Sum("target")
    )
    target: Decimal | None = sums["target"]
    if not target:
        return None
    return round(float(sums["actual"] / target), 4)
