"""The case-study company of product.md ("The demo company"), generated as plain data from a seed.

Pure: a seed in, dataclasses and Polars frames out, no Django, so the story can be checked without a
database (tests/test_generator.py scores the frames with the pure engine). `services.demo_company_build`
writes the result to the database.

The story (docs/demo.md has the figures and the reasoning):

* 某制造企业, a manufacturer; 销售部 with five teams of ten reps, each team under a manager.
* History from 2024-01. The *before* window 2025-01..2025-06 is the six months in which the company judges
  long-term underperformance (连续6个月未完成目标). Eight reps slide below 70% revenue completion between
  2024-08 and 2025-01 and stay there; the other 42 never drop below 72%.
* The company's 绩效考核管理办法 counts a month as 未完成 (not met) when the composite attainment is below
  70%: with the whole team at about 78% of an 80,000 CNY revenue target, "below 100%" would brand 48 of 50
  people as failing, which is not the case the source document describes.
* Improvement phase 2025-07..2025-09 (three-month plans with training and mentoring): three of the eight
  recover to about 90%, five do not; the whole team improves with the training.
* The five who did not improve leave on 2025-10-31; five new reps start on 2025-11-03 in their teams.
  The *after* window 2025-11..2026-01 shows team completion at about 90%.

Every value is drawn from ``random.Random(seed)`` in a fixed order, inside bounds chosen so that the story
holds for any seed (the composite of a steady rep can never fall below 0.72, that of a struggling one never
reach 0.70); the seed only changes names, dates and the noise.

The monthly values are not written as such: ``records.py`` invents the deals, follow-ups, survey answers,
receivables and training enrolments behind them, ``exports.py`` writes those as the files the company's
systems export, and the build loads the files through the imports. ``facts`` holds what the imports compute
from the records — the story's values, with the ratios at the nearest ratio of whole counts. The goals are
recorded as agreed: published by the manager, confirmed by the rep, four of them disputed in 2026-01 (one
is the source document's example: 80,000 against a six-month average of 70,000, adjusted to 75,000).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import polars as pl

from perfloop.core.months import Month, month_range
from perfloop.demo.credentials import demo_sign_in
from perfloop.demo.records import Bounds, Records, RepMonth, simulate_records
from perfloop.metrics.catalogue import DEFAULT_KPIS

DEFAULT_SEED = 20250630
COMPANY_CITY = "上海"
COMPANY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
EMAIL_DOMAIN = "demo.perfloop.example"  # RFC 2606: can never deliver mail to a real person

KPI_TARGETS: dict[str, Decimal] = {kpi.code: kpi.default_target for kpi in DEFAULT_KPIS}
KPI_SOURCES: dict[str, str] = {
    "revenue": "crm",
    "new_customers": "crm",
    "conversion_rate": "crm",
    "collection_rate": "finance",
    "follow_ups": "crm",
    "feedback_score": "crm",
    "churn_rate": "crm",
    "training_participation": "lms",
}
KPI_CODES: tuple[str, ...] = tuple(kpi.code for kpi in DEFAULT_KPIS)

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class Timeline:
    """The demo's calendar: history, the judged *before* window, the improvement phase, the *after* window."""

    history_first: Month
    before_first: Month
    before_last: Month
    improvement_first: Month
    improvement_last: Month
    after_first: Month
    after_last: Month
    leaving_date: dt.date
    """Last working day of the reps who did not improve."""
    backfill_start_date: dt.date
    """First working day of the reps hired to replace them."""

    @property
    def months(self) -> list[Month]:
        return list(month_range(self.history_first, self.after_last))

    @property
    def before_months(self) -> list[Month]:
        return list(month_range(self.before_first, self.before_last))

    @property
    def improvement_months(self) -> list[Month]:
        return list(month_range(self.improvement_first, self.improvement_last))

    @property
    def after_months(self) -> list[Month]:
        return list(month_range(self.after_first, self.after_last))

    def as_dict(self) -> dict[str, str]:
        return {
            "history": f"{self.history_first}..{self.after_last}",
            "before": f"{self.before_first}..{self.before_last}",
            "improvement": f"{self.improvement_first}..{self.improvement_last}",
            "after": f"{self.after_first}..{self.after_last}",
            "leaving_date": self.leaving_date.isoformat(),
            "backfill_start_date": self.backfill_start_date.isoformat(),
        }


TIMELINE = Timeline(
    history_first=Month(2024, 1),
    before_first=Month(2025, 1),
    before_last=Month(2025, 6),
    improvement_first=Month(2025, 7),
    improvement_last=Month(2025, 9),
    after_first=Month(2025, 11),
    after_last=Month(2026, 1),
    leaving_date=dt.date(2025, 10, 31),
    backfill_start_date=dt.date(2025, 11, 3),
)


class Story(StrEnum):
    """The part a person plays in the case study."""

    STEADY = "steady"
    """A rep who never misses the 70% threshold."""
    IMPROVED = "improved"
    """A long-term underperformer who recovers during the improvement plan."""
    NOT_IMPROVED = "not_improved"
    """A long-term underperformer who does not recover and leaves."""
    NEW_HIRE = "new_hire"
    """A rep hired from the talent pool to replace one who left."""
    MANAGER = "manager"
    STAFF = "staff"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    name_en: str
    parent: str | None
    city: str
    head: str | None
    """Employee number of the unit's head."""


@dataclass(frozen=True)
class PositionSpec:
    code: str
    name: str
    name_en: str
    grade: str
    is_sales: bool
    is_scored: bool
    """Carries the catalogue's default KPI weights (only the reps are scored on sales KPIs)."""


@dataclass(frozen=True)
class EmployeeSpec:
    number: str
    name: str
    gender: str
    birth_date: dt.date
    hire_date: dt.date
    termination_date: dt.date | None
    position: str
    unit: str
    manager: str | None
    work_city: str
    contract_type: str
    contract_start: dt.date
    contract_end: dt.date | None
    probation_end: dt.date
    is_union_member: bool
    story: Story
    decline_month: Month | None = None
    """Long-term underperformers: the first month below 70%."""
    replaces: str | None = None
    """New hires: the employee number of the rep whose role they backfill."""

    @property
    def email(self) -> str:
        return f"{self.number.lower()}@{EMAIL_DOMAIN}"

    @property
    def status(self) -> str:
        return "left" if self.termination_date is not None else "active"

    def is_employed_in(self, month: Month) -> bool:
        """Employed for at least one day of the month (the rule the scoring service uses)."""
        return self.hire_date <= month.last_day and (
            self.termination_date is None or self.termination_date >= month.first_day
        )


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    employee: str | None
    scope_unit: str | None
    is_active: bool


@dataclass(frozen=True)
class GoalAgreement:
    """A rep's goals for one month: published by their manager, confirmed by the rep."""

    employee: str
    month: Month
    set_by: str
    """Employee number of the manager who published (and answers disputes)."""
    published_at: dt.datetime
    confirmed_at: dt.datetime


@dataclass(frozen=True)
class GoalDispute:
    """A published goal the rep disputed; the manager answered (adjusting it or not), the rep confirmed."""

    employee: str
    month: Month
    kpi: str
    comment: str
    answer: str
    adjusted_value: Decimal | None
    """None: the manager kept the value and explained it."""
    disputed_at: dt.datetime
    answered_at: dt.datetime
    confirmed_at: dt.datetime


@dataclass(frozen=True, eq=False)
class DemoCompany:
    """Everything the demo writes. Frames use employee numbers and ``Month.index`` months.

    * ``facts``: employee (str), month (Int32), kpi (str), value (Decimal 16,4), source (str) — what the
      imports compute from ``records``.
    * ``targets``: employee, month, kpi, value — the goals as published (before disputes).
    * ``wages``: employee, month, amount (Decimal 12,2).
    """

    seed: int
    timeline: Timeline
    units: tuple[UnitSpec, ...]
    positions: tuple[PositionSpec, ...]
    employees: tuple[EmployeeSpec, ...]
    users: tuple[UserSpec, ...]
    facts: pl.DataFrame
    targets: pl.DataFrame
    wages: pl.DataFrame
    records: Records
    agreements: tuple[GoalAgreement, ...]
    disputes: tuple[GoalDispute, ...]

    @property
    def final_targets(self) -> pl.DataFrame:
        """The targets in force: as published, with the disputes' adjustments."""
        adjusted = [d for d in self.disputes if d.adjusted_value is not None]
        if not adjusted:
            return self.targets
        changes = pl.DataFrame(
            [(d.employee, d.month.index, d.kpi, d.adjusted_value) for d in adjusted],
            schema={
                "employee": pl.String,
                "month": pl.Int32,
                "kpi": pl.String,
                "adjusted": pl.Decimal(16, 4),
            },
            orient="row",
        )
        return (
            self.targets.join(changes, on=["employee", "month", "kpi"], how="left")
            .with_columns(value=pl.coalesce("adjusted", "value"))
            .drop("adjusted")
        )

    def employee(self, number: str) -> EmployeeSpec:
        for spec in self.employees:
            if spec.number == number:
                return spec
        raise KeyError(number)

    def reps(self) -> list[EmployeeSpec]:
        return [e for e in self.employees if e.position == REP_POSITION]


# --- the organisation ----------------------------------------------------------------------------------

COMPANY_UNIT = "CO"
SALES_UNIT = "SALES"
REP_POSITION = "sales_rep"

POSITIONS: tuple[PositionSpec, ...] = (
    PositionSpec("sales_rep", "销售代表", "Sales representative", "S1", is_sales=True, is_scored=True),
    PositionSpec("sales_manager", "销售经理", "Sales manager", "M1", is_sales=True, is_scored=False),
    PositionSpec("sales_director", "销售总监", "Sales director", "M2", is_sales=True, is_scored=False),
    PositionSpec("general_manager", "总经理", "General manager", "E1", is_sales=False, is_scored=False),
    PositionSpec(
        "hr_business_partner",
        "人力资源业务伙伴",
        "HR business partner",
        "P2",
        is_sales=False,
        is_scored=False,
    ),
    PositionSpec("hr_director", "人力资源总监", "HR director", "M2", is_sales=False, is_scored=False),
    PositionSpec("recruiter", "招聘专员", "Recruiter", "P1", is_sales=False, is_scored=False),
    PositionSpec("legal_counsel", "法务专员", "Legal counsel", "P2", is_sales=False, is_scored=False),
    PositionSpec(
        "it_administrator", "系统管理员", "System administrator", "P2", is_sales=False, is_scored=False
    ),
)


@dataclass(frozen=True)
class _Team:
    code: str
    name: str
    name_en: str
    city: str


TEAMS: tuple[_Team, ...] = (
    _Team("SALES-SH1", "上海一组", "Shanghai team 1", "上海"),
    _Team("SALES-SH2", "上海二组", "Shanghai team 2", "上海"),
    _Team("SALES-SZ", "苏州组", "Suzhou team", "苏州"),
    _Team("SALES-HZ", "杭州组", "Hangzhou team", "杭州"),
    _Team("SALES-NJ", "南京组", "Nanjing team", "南京"),
)
REPS_PER_TEAM = 10

# Staff: employee number, position, unit, persona's username (None: a plain account), fixed monthly wage.
_STAFF: tuple[tuple[str, str, str, str | None, int], ...] = (
    ("E0001", "general_manager", COMPANY_UNIT, "executive", 58000),
    ("E0002", "sales_director", SALES_UNIT, None, 32000),
    ("E0003", "hr_business_partner", "HR", "hrbp", 18000),
    ("E0004", "recruiter", "HR", "recruiter", 13000),
    ("E0005", "legal_counsel", "LEGAL", "legal", 22000),
    ("E0006", "it_administrator", "IT", "admin", 17000),
)
# Staff who joined the cast later: drawn from a random stream of their own after everyone else, so that
# adding them changed no other person's name, dates, wage or performance (docs quote those).
_LATER_STAFF: tuple[tuple[str, str, str, str | None, int], ...] = (
    ("E0007", "hr_director", "HR", "hrd", 26000),
)
_MANAGER_NUMBERS = tuple(f"E{11 + i:04d}" for i in range(len(TEAMS)))
_FIRST_REP = 101

# The cast, fixed by employee number so that docs and personas can name them; the seed varies the rest.
# Underperformers: employee number → (story, first month below 70%). Longer declines did not recover.
UNDERPERFORMERS: dict[str, tuple[Story, Month]] = {
    "E0107": (Story.IMPROVED, Month(2024, 11)),
    "E0109": (Story.NOT_IMPROVED, Month(2024, 8)),
    "E0114": (Story.NOT_IMPROVED, Month(2024, 9)),
    "E0119": (Story.IMPROVED, Month(2024, 12)),
    "E0123": (Story.NOT_IMPROVED, Month(2024, 10)),
    "E0128": (Story.NOT_IMPROVED, Month(2024, 10)),
    "E0135": (Story.IMPROVED, Month(2025, 1)),
    "E0146": (Story.NOT_IMPROVED, Month(2024, 11)),
}
MENTORS = ("E0101", "E0121")
REP_PERSONA = "E0102"
MANAGER_PERSONA = _MANAGER_NUMBERS[0]


@dataclass(frozen=True)
class DisputeScript:
    """A goal of the dispute month that its rep disputes, and how the manager answers."""

    employee: str
    kpi: str
    comment: str
    answer: str
    adjusted_value: Decimal | None


# In the last month of the after window four reps dispute a goal (all of them steady or new, so an
# adjustment only raises an attainment that is met anyway). The first is the source document's example: the
# rep finds 80,000 too high against a six-month average of 70,000; the manager sets the midpoint, 75,000.
DISPUTE_MONTH = Month(2026, 1)
STORY_AVERAGE = Decimal(70000)
DISPUTE_SCRIPTS: tuple[DisputeScript, ...] = (
    DisputeScript(
        REP_PERSONA,
        "revenue",
        "我近6个月的平均销售额是 70,000 元，80,000 元的目标偏高，希望参考近期水平调整。",
        "参考你近6个月平均 70,000 元和团队标准 80,000 元，本月目标调整为两者的中点 75,000 元。",
        Decimal(75000),
    ),
    DisputeScript(
        "E0151",
        "new_customers",
        "入职第三个月，前任的客户还在交接，3 个新客户压力较大。",
        "考虑到客户交接，本月新客户目标调整为 2 个，下月起按团队标准 3 个。",
        Decimal(2),
    ),
    DisputeScript(
        "E0125",
        "collection_rate",
        "两家大客户习惯春节前统一付款，1 月回款率很难达到 90%。",
        "回款率目标全公司统一为 90%，维持不变；春节前集中付款的客户请提前和财务确认回款计划。",
        None,
    ),
    DisputeScript(
        "E0138",
        "follow_ups",
        "1 月要集中准备两个大项目的方案，40 次跟进难以完成。",
        "同意本月跟进次数目标调整为 36 次，请保证两个项目的方案按时提交。",
        Decimal(36),
    ),
)
# Employees whose hire date is part of the story: service before 2008-01-01 follows the pre-LCL
# severance rules (LCL Art. 97), which the separation calculators must handle.
_FIXED_HIRE_DATES = {
    "E0001": dt.date(2003, 5, 6),
    "E0101": dt.date(2006, 3, 13),
    "E0109": dt.date(2007, 9, 3),
    "E0121": dt.date(2010, 4, 6),
}
# E0109 leaves in 2025: keep him far from retirement so no LCL Art. 42 protection muddles the case.
_FIXED_PEOPLE = {"E0109": ("male", dt.date(1985, 6, 18))}

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
_FEMALE_GIVEN = "婷静敏丽芳娜雪琳颖佳欣怡慧倩雯霞燕洁萍玲晶璐瑶媛莉"
_MALE_GIVEN = "伟强磊军勇杰涛明超鹏浩宇斌辉峰健刚波亮俊龙飞翔凯"
_SHARED_GIVEN = "文晓子嘉思雨一新志建海春丹立"


def generate_company(*, seed: int = DEFAULT_SEED, timeline: Timeline = TIMELINE) -> DemoCompany:
    """Build the whole demo company from ``seed``; the same seed always gives identical data."""
    rng = random.Random(seed)
    names = _NamePicker(rng)
    employees = _employees(rng, names, timeline)
    later = random.Random(f"perfloop-demo-later-staff:{seed}")
    employees += _staff(later, names.drawing_from(later), _LATER_STAFF, timeline)
    by_number = {e.number: e for e in employees}
    rep_months = _performance(rng, employees, timeline)
    records, realised = simulate_records(rep_months, seed=seed)
    facts, revenue = _facts(rep_months, realised)
    agreements = _agreements(random.Random(f"perfloop-demo-goals:{seed}"), employees, timeline)
    return DemoCompany(
        seed=seed,
        timeline=timeline,
        units=_units(),
        positions=POSITIONS,
        employees=tuple(employees),
        users=tuple(_users(employees)),
        facts=facts,
        targets=_targets(employees, timeline),
        wages=_wages(rng, employees, by_number, revenue, timeline),
        records=records,
        agreements=agreements,
        disputes=_disputes(agreements),
    )


def _units() -> tuple[UnitSpec, ...]:
    return (
        UnitSpec(COMPANY_UNIT, "某制造企业", "A manufacturing company", None, COMPANY_CITY, "E0001"),
        UnitSpec(SALES_UNIT, "销售部", "Sales department", COMPANY_UNIT, COMPANY_CITY, "E0002"),
        *(
            UnitSpec(team.code, team.name, team.name_en, SALES_UNIT, team.city, manager)
            for team, manager in zip(TEAMS, _MANAGER_NUMBERS, strict=True)
        ),
        UnitSpec("HR", "人力资源部", "Human resources", COMPANY_UNIT, COMPANY_CITY, None),
        UnitSpec("LEGAL", "法务部", "Legal", COMPANY_UNIT, COMPANY_CITY, None),
        UnitSpec("IT", "信息技术部", "IT", COMPANY_UNIT, COMPANY_CITY, None),
    )


# --- people --------------------------------------------------------------------------------------------


class _NamePicker:
    """Unique, plausible Chinese names."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def drawing_from(self, rng: random.Random) -> _NamePicker:
        """A picker drawing from another stream that still never repeats a name this one gave."""
        picker = _NamePicker(rng)
        picker._used = self._used
        return picker

    def pick(self, gender: str) -> str:
        gendered = _FEMALE_GIVEN if gender == "female" else _MALE_GIVEN
        while True:
            surname = self._rng.choice(_SURNAMES)
            given = self._rng.choice(gendered)
            if self._rng.random() < 0.6:
                given = self._rng.choice(_SHARED_GIVEN + gendered) + given
            name = surname + given
            if name not in self._used:
                self._used.add(name)
                return name


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = Month.of(day) + months
    return dt.date(month.year, month.month, min(day.day, month.last_day.day))


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=-day.weekday() % 7)


def _random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _contract(hire: dt.date, reference: dt.date) -> tuple[str, dt.date, dt.date | None]:
    """The contract in force on ``reference``: three-year fixed terms, open-ended from the third
    (LCL Art. 14 ¶2(3): after two consecutive fixed terms the employee may insist on an open-ended one)."""
    terms = 0
    while _add_years(hire, 3 * (terms + 1)) <= reference:
        terms += 1
    if terms >= 2:
        return "open_ended", _add_years(hire, 6), None
    start = _add_years(hire, 3 * terms)
    return "fixed", start, _add_years(start, 3) - dt.timedelta(days=1)


def _person(
    rng: random.Random,
    names: _NamePicker,
    *,
    number: str,
    position: str,
    unit: str,
    manager: str | None,
    city: str,
    story: Story,
    hire_range: tuple[dt.date, dt.date],
    timeline: Timeline,
    female_share: float = 0.45,
    decline_month: Month | None = None,
    replaces: str | None = None,
    termination_date: dt.date | None = None,
) -> EmployeeSpec:
    gender = "female" if rng.random() < female_share else "male"
    hire = _FIXED_HIRE_DATES.get(number) or _monday_on_or_after(_random_day(rng, *hire_range))
    age_at_hire = rng.randint(21, 30)
    birth = _random_day(rng, dt.date(hire.year - age_at_hire, 1, 1), dt.date(hire.year - age_at_hire, 12, 28))
    if number in _FIXED_PEOPLE:
        gender, birth = _FIXED_PEOPLE[number]
    is_union_member = rng.random() < 0.35
    reference = termination_date or timeline.after_last.last_day
    contract_type, contract_start, contract_end = _contract(hire, reference)
    return EmployeeSpec(
        number=number,
        name=names.pick(gender),
        gender=gender,
        birth_date=birth,
        hire_date=hire,
        termination_date=termination_date,
        position=position,
        unit=unit,
        manager=manager,
        work_city=city,
        contract_type=contract_type,
        contract_start=contract_start,
        contract_end=contract_end,
        probation_end=_add_months(hire, 3) - dt.timedelta(days=1),
        is_union_member=is_union_member,
        story=story,
        decline_month=decline_month,
        replaces=replaces,
    )


def _staff(
    rng: random.Random,
    names: _NamePicker,
    staff: tuple[tuple[str, str, str, str | None, int], ...],
    timeline: Timeline,
) -> list[EmployeeSpec]:
    """Staff outside the sales teams, reporting to the general manager."""
    return [
        _person(
            rng,
            names,
            number=number,
            position=position,
            unit=unit,
            manager=None if number == "E0001" else "E0001",
            city=COMPANY_CITY,
            story=Story.STAFF,
            hire_range=(dt.date(2009, 1, 1), dt.date(2020, 12, 31)),
            timeline=timeline,
        )
        for number, position, unit, _username, _wage in staff
    ]


def _employees(rng: random.Random, names: _NamePicker, timeline: Timeline) -> list[EmployeeSpec]:
    people = _staff(rng, names, _STAFF, timeline)
    # Team managers sit in the sales department and head their team's unit: they are not scored on the
    # reps' KPIs, so they are not members of the team whose scorecards they read.
    for team, number in zip(TEAMS, _MANAGER_NUMBERS, strict=True):
        people.append(
            _person(
                rng,
                names,
                number=number,
                position="sales_manager",
                unit=SALES_UNIT,
                manager="E0002",
                city=team.city,
                story=Story.MANAGER,
                hire_range=(dt.date(2008, 1, 1), dt.date(2016, 12, 31)),
                timeline=timeline,
            )
        )
    rep_hires = (dt.date(2012, 1, 1), dt.date(2023, 6, 30))
    leavers: dict[str, str] = {}
    for t, (team, manager) in enumerate(zip(TEAMS, _MANAGER_NUMBERS, strict=True)):
        for i in range(REPS_PER_TEAM):
            number = f"E{_FIRST_REP + t * REPS_PER_TEAM + i:04d}"
            story, decline = UNDERPERFORMERS.get(number, (Story.STEADY, None))
            leaving = timeline.leaving_date if story is Story.NOT_IMPROVED else None
            if leaving:
                leavers[number] = team.code
            people.append(
                _person(
                    rng,
                    names,
                    number=number,
                    position=REP_POSITION,
                    unit=team.code,
                    manager=manager,
                    city=team.city,
                    story=story,
                    hire_range=rep_hires,
                    timeline=timeline,
                    decline_month=decline,
                    termination_date=leaving,
                )
            )
    managers = dict(zip((team.code for team in TEAMS), _MANAGER_NUMBERS, strict=True))
    team_city = {team.code: team.city for team in TEAMS}
    for k, (replaced, unit) in enumerate(sorted(leavers.items())):
        people.append(
            _person(
                rng,
                names,
                number=f"E{_FIRST_REP + len(TEAMS) * REPS_PER_TEAM + k:04d}",
                position=REP_POSITION,
                unit=unit,
                manager=managers[unit],
                city=team_city[unit],
                story=Story.NEW_HIRE,
                hire_range=(timeline.backfill_start_date, timeline.backfill_start_date),
                timeline=timeline,
                replaces=replaced,
            )
        )
    return people


def _users(employees: Iterable[EmployeeSpec]) -> list[UserSpec]:
    """An account for every employee: personas by their username, everyone else by employee number."""
    persona = {number: username for number, _p, _u, username, _w in _STAFF + _LATER_STAFF if username}
    persona[REP_PERSONA] = "rep"
    persona[MANAGER_PERSONA] = "manager"
    persona[MENTORS[0]] = "mentor"
    # The HRBP looks after the sales department only; the HR director (HR of the whole organisation, no
    # scope) runs what concerns everyone: the monthly close, alert rules, the audit log.
    scopes = {"hrbp": SALES_UNIT, "executive": COMPANY_UNIT}
    users = []
    for employee in employees:
        username = persona.get(employee.number)
        if username:
            role = demo_sign_in(username).role
        else:
            username = employee.number.lower()
            if employee.number in MENTORS:
                role = "mentor"
            elif employee.position in {"sales_manager", "sales_director"}:
                role = "manager"
            else:
                role = "rep"
        users.append(
            UserSpec(
                username=username,
                role=role,
                employee=employee.number,
                scope_unit=scopes.get(username),
                is_active=employee.termination_date is None,
            )
        )
    return users


# --- performance -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ranges:
    """Bounds of the non-revenue KPIs in one state; counts are drawn from ``new_customers`` uniformly."""

    new_customers: tuple[int, ...]
    conversion: tuple[float, float]
    collection: tuple[float, float]
    follow_ups: tuple[int, int]
    feedback: tuple[float, float]
    churn: tuple[float, float]
    training: tuple[float, float]


# With the catalogue's default weights (revenue 0.35 … training 0.05) and a 1.5 attainment cap these bounds
# keep the composite of "good" months ≥ 0.81 at 72% revenue, of "fading" months ≥ 0.74, and of "struggling"
# months ≤ 0.68 at 68% revenue: the story holds for every seed (tests/test_generator.py checks it).
_GOOD = _Ranges(
    (2, 2, 3, 3, 3, 4, 4, 5), (0.22, 0.31), (0.86, 0.98), (36, 50), (3.9, 4.7), (0.05, 0.15), (0.80, 1.0)
)
_FADING = _Ranges((2, 2, 3), (0.19, 0.25), (0.82, 0.92), (32, 42), (3.7, 4.3), (0.15, 0.20), (0.75, 0.95))
_STRUGGLING = _Ranges((0, 1, 1), (0.12, 0.18), (0.70, 0.84), (22, 32), (3.2, 3.8), (0.32, 0.45), (0.55, 0.78))
_RECOVERING = (
    _Ranges((1, 2, 2), (0.18, 0.22), (0.84, 0.90), (32, 38), (3.7, 4.1), (0.22, 0.27), (0.90, 1.0)),
    _Ranges((2, 2, 3), (0.21, 0.25), (0.86, 0.94), (36, 44), (3.9, 4.3), (0.15, 0.20), (0.90, 1.0)),
)
_RAMPING = (
    _Ranges((2, 3), (0.18, 0.24), (0.85, 0.95), (38, 48), (3.9, 4.4), (0.08, 0.16), (0.95, 1.0)),
    _Ranges((2, 3, 3, 4), (0.20, 0.27), (0.86, 0.96), (38, 48), (3.9, 4.5), (0.06, 0.15), (0.92, 1.0)),
)
# Churn of a fading rep creeps up towards the decline: the early signal the risk model can learn.
_FADING_CHURN_DRIFT = 0.08
_FADING_MONTHS = 4

# Revenue completion.
_STEADY_LEVEL = (0.745, 0.815)
_STEADY_FLOOR = 0.72
_FADING_LEVEL = (0.73, 0.79)
_STRUGGLING_LEVEL = (0.55, 0.63)
_STRUGGLING_CEILING = 0.68
_RECOVERY_PATH = (0.74, 0.83, 0.90)
_RAMP_PATH = (0.76, 0.84, 0.90)
_RECOVERED_LEVEL = 0.90


def _team_uplift(month: Month, timeline: Timeline) -> float:
    """The whole team's gain from the training and coaching of the improvement phase."""
    if month < timeline.improvement_first:
        return 0.0
    if month <= timeline.improvement_last:
        return (0.03, 0.06, 0.08)[month.months_since(timeline.improvement_first)]
    if month < timeline.after_first:
        return 0.10
    return 0.125


@dataclass
class _RepPlan:
    spec: EmployeeSpec
    level: float
    struggling_level: float


def _revenue_and_state(
    rng: random.Random, plan: _RepPlan, month: Month, timeline: Timeline
) -> tuple[float, _Ranges, float]:
    """Revenue completion of one rep-month, the KPI state, and the churn drift."""
    spec = plan.spec
    if spec.story is Story.NEW_HIRE:
        step = month.months_since(Month.of(spec.hire_date))
        ratio = _RAMP_PATH[min(step, len(_RAMP_PATH) - 1)] + rng.gauss(0, 0.02)
        state = _RAMPING[step] if step < len(_RAMPING) else _GOOD
        return max(ratio, _STEADY_FLOOR), state, 0.0
    if spec.story is Story.STEADY:
        ratio = plan.level + _team_uplift(month, timeline) + rng.gauss(0, 0.03)
        return max(ratio, _STEADY_FLOOR), _GOOD, 0.0
    decline = spec.decline_month
    if decline is None:
        raise ValueError(f"underperformer {spec.number} has no decline month")
    if month < decline:
        to_go = decline.months_since(month)
        drift = _FADING_CHURN_DRIFT * max(0, _FADING_MONTHS - to_go + 1) / _FADING_MONTHS
        ratio = plan.level + rng.gauss(0, 0.02)
        return min(max(ratio, _STEADY_FLOOR), 0.85), _FADING, drift
    if spec.story is Story.IMPROVED and month >= timeline.improvement_first:
        step = month.months_since(timeline.improvement_first)
        if step < len(_RECOVERY_PATH):
            ratio = _RECOVERY_PATH[step] + rng.gauss(0, 0.015)
            return ratio, _RECOVERING[step] if step < len(_RECOVERING) else _GOOD, 0.0
        return min(max(_RECOVERED_LEVEL + rng.gauss(0, 0.02), 0.85), 0.96), _GOOD, 0.0
    ratio = plan.struggling_level + rng.gauss(0, 0.03)
    return min(max(ratio, 0.45), _STRUGGLING_CEILING), _STRUGGLING, 0.0


def _uniform(rng: random.Random, bounds: tuple[float, float]) -> float:
    return rng.uniform(*bounds)


def _kpi_values(
    rng: random.Random, revenue_ratio: float, state: _Ranges, churn_drift: float
) -> dict[str, Decimal]:
    """What the story needs of one rep-month (``records.py`` finds the deals, scores … behind it)."""
    revenue = KPI_TARGETS["revenue"] * Decimal(repr(round(revenue_ratio, 6)))
    return {
        # Deals are quoted in whole hundreds of yuan, so a month's revenue is too.
        "revenue": (revenue / _HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP) * _HUNDRED,
        "new_customers": Decimal(rng.choice(state.new_customers)),
        "conversion_rate": _ratio(_uniform(rng, state.conversion)),
        "collection_rate": _ratio(_uniform(rng, state.collection)),
        "follow_ups": Decimal(rng.randint(*state.follow_ups)),
        "feedback_score": Decimal(repr(round(_uniform(rng, state.feedback), 2))),
        "churn_rate": _ratio(_uniform(rng, state.churn) + churn_drift),
        "training_participation": _ratio(_uniform(rng, state.training)),
    }


def _ratio(value: float) -> Decimal:
    return Decimal(repr(round(value, 4))).quantize(_RATIO)


def _performance(rng: random.Random, employees: list[EmployeeSpec], timeline: Timeline) -> list[RepMonth]:
    """What the story needs of every rep in every month employed (reps in order, months in order)."""
    plans = [
        _RepPlan(
            spec,
            rng.uniform(*(_FADING_LEVEL if spec.decline_month else _STEADY_LEVEL)),
            rng.uniform(*_STRUGGLING_LEVEL),
        )
        for spec in employees
        if spec.position == REP_POSITION
    ]
    rep_months: list[RepMonth] = []
    for plan in plans:
        for month in timeline.months:
            if not plan.spec.is_employed_in(month):
                continue
            ratio, state, drift = _revenue_and_state(rng, plan, month, timeline)
            rep_months.append(
                RepMonth(
                    employee=plan.spec.number,
                    month=month,
                    intended=_kpi_values(rng, ratio, state, drift),
                    bounds=Bounds(state.conversion, state.feedback, state.training),
                    takes_over_from=plan.spec.replaces,
                    is_improvement_phase=timeline.improvement_first <= month <= timeline.improvement_last,
                )
            )
    return _even_story_history(rep_months)


def _even_story_history(rep_months: list[RepMonth]) -> list[RepMonth]:
    """The disputing rep's six months before the dispute average exactly 70,000 (the source document's
    example): the difference is spread over the six months in whole hundreds — a few hundred yuan a month."""
    story = DISPUTE_SCRIPTS[0]
    window = {(story.employee, (DISPUTE_MONTH - back).index) for back in range(1, 7)}
    history = [r for r in rep_months if (r.employee, r.month.index) in window]
    gap = int((STORY_AVERAGE * len(window) - sum(r.intended["revenue"] for r in history)) / _HUNDRED)
    steps = [gap // len(history) + (1 if i < gap % len(history) else 0) for i in range(len(history))]
    evened = {}
    for rep_month, step in zip(history, steps, strict=True):
        revenue = rep_month.intended["revenue"] + step * _HUNDRED
        if revenue < Decimal(repr(_STEADY_FLOOR)) * KPI_TARGETS["revenue"]:
            raise ValueError(f"{story.employee} {rep_month.month}: evening the history breaks the floor")
        evened[rep_month.month.index] = replace(
            rep_month, intended={**rep_month.intended, "revenue": revenue}
        )
    return [evened.get(r.month.index, r) if r.employee == story.employee else r for r in rep_months]


def _facts(
    rep_months: list[RepMonth], realised: dict[tuple[str, int], dict[str, Decimal]]
) -> tuple[pl.DataFrame, dict[tuple[str, int], Decimal]]:
    """Monthly facts of every rep for every month employed, as the imports compute them from the records,
    and revenue by (employee, month index)."""
    rows: dict[str, list[object]] = {"employee": [], "month": [], "kpi": [], "value": [], "source": []}
    revenue: dict[tuple[str, int], Decimal] = {}
    for rep_month in rep_months:
        key = (rep_month.employee, rep_month.month.index)
        values = realised[key]
        revenue[key] = values["revenue"]
        for code in KPI_CODES:
            rows["employee"].append(rep_month.employee)
            rows["month"].append(rep_month.month.index)
            rows["kpi"].append(code)
            rows["value"].append(values[code])
            rows["source"].append(KPI_SOURCES[code])
    frame = pl.DataFrame(
        rows,
        schema={
            "employee": pl.String,
            "month": pl.Int32,
            "kpi": pl.String,
            "value": pl.Decimal(16, 4),
            "source": pl.String,
        },
    )
    return frame, revenue


def _targets(employees: list[EmployeeSpec], timeline: Timeline) -> pl.DataFrame:
    """The catalogue's default target of every KPI for every rep-month employed (80,000 CNY revenue)."""
    rows: dict[str, list[object]] = {"employee": [], "month": [], "kpi": [], "value": []}
    for spec in employees:
        if spec.position != REP_POSITION:
            continue
        for month in timeline.months:
            if spec.is_employed_in(month):
                for code in KPI_CODES:
                    rows["employee"].append(spec.number)
                    rows["month"].append(month.index)
                    rows["kpi"].append(code)
                    rows["value"].append(KPI_TARGETS[code])
    return pl.DataFrame(
        rows, schema={"employee": pl.String, "month": pl.Int32, "kpi": pl.String, "value": pl.Decimal(16, 4)}
    )


# --- goals -----------------------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=COMPANY_TIME_ZONE)


def _agreements(
    rng: random.Random, employees: list[EmployeeSpec], timeline: Timeline
) -> tuple[GoalAgreement, ...]:
    """Each rep-month's goals: the manager publishes them in the last week of the month before (a new rep:
    on the first day), the rep confirms within about two days."""
    agreements = []
    for spec in employees:
        if spec.position != REP_POSITION or spec.manager is None:
            continue
        for month in timeline.months:
            if not spec.is_employed_in(month):
                continue
            if Month.of(spec.hire_date) == month:
                published = _at(spec.hire_date, 10, rng.randrange(0, 60, 5))
            else:
                before = month - 1
                day = dt.date(before.year, before.month, rng.randint(22, 27))
                while day.weekday() >= 5:  # Saturday, Sunday
                    day -= dt.timedelta(days=1)
                published = _at(day, rng.randint(9, 11), rng.randrange(0, 60, 5))
            confirmed = published + dt.timedelta(hours=rng.randint(1, 48), minutes=rng.randrange(0, 60, 5))
            agreements.append(GoalAgreement(spec.number, month, spec.manager, published, confirmed))
    return tuple(agreements)


def _disputes(agreements: tuple[GoalAgreement, ...]) -> tuple[GoalDispute, ...]:
    """The scripted disputes: the day after publishing, answered the next day, confirmed that afternoon."""
    published = {(a.employee, a.month): a.published_at for a in agreements}
    disputes = []
    for script in DISPUTE_SCRIPTS:
        disputed = published[(script.employee, DISPUTE_MONTH)] + dt.timedelta(days=1, hours=1)
        answered = disputed + dt.timedelta(days=1, hours=2)
        disputes.append(
            GoalDispute(
                employee=script.employee,
                month=DISPUTE_MONTH,
                kpi=script.kpi,
                comment=script.comment,
                answer=script.answer,
                adjusted_value=script.adjusted_value,
                disputed_at=disputed,
                answered_at=answered,
                confirmed_at=answered + dt.timedelta(hours=3),
            )
        )
    return tuple(disputes)


# --- wages -----------------------------------------------------------------------------------------------

_COMMISSION = Decimal("0.03")
_MANAGER_BONUS = Decimal("0.004")
_YEARLY_RAISE = Decimal("1.03")


def _wages(
    rng: random.Random,
    employees: list[EmployeeSpec],
    by_number: dict[str, EmployeeSpec],
    revenue: dict[tuple[str, int], Decimal],
    timeline: Timeline,
) -> pl.DataFrame:
    """Wage payable per employee-month: base (raised 3% each January) + commission or team bonus."""
    staff_wage = {number: Decimal(wage) for number, _p, _u, _r, wage in _STAFF + _LATER_STAFF}
    team_revenue: dict[tuple[str, int], Decimal] = {}
    for (number, month_index), amount in revenue.items():
        key = (by_number[number].unit, month_index)
        team_revenue[key] = team_revenue.get(key, Decimal(0)) + amount
    unit_head = {unit.code: unit.head for unit in _units()}
    rows: dict[str, list[object]] = {"employee": [], "month": [], "amount": []}
    for spec in employees:
        if spec.number in staff_wage:
            base = staff_wage[spec.number]
        elif spec.story is Story.MANAGER:
            base = Decimal(rng.randrange(18000, 24001, 500))
        else:
            years = max(0, timeline.history_first.year - spec.hire_date.year)
            base = Decimal(min(6000 + 300 * years, 12000) + rng.randrange(0, 501, 100))
        headed = [
            code for code, head in unit_head.items() if head == spec.number and code.startswith("SALES-")
        ]
        for month in timeline.months:
            if not spec.is_employed_in(month):
                continue
            raises = max(0, month.year - max(timeline.history_first.year, spec.hire_date.year + 1))
            amount = base * _YEARLY_RAISE**raises
            amount += _COMMISSION * revenue.get((spec.number, month.index), Decimal(0))
            for code in headed:
                amount += _MANAGER_BONUS * team_revenue.get((code, month.index), Decimal(0))
            rows["employee"].append(spec.number)
            rows["month"].append(month.index)
            rows["amount"].append(amount.quantize(_CENT, rounding=ROUND_HALF_UP))
    return pl.DataFrame(rows, schema={"employee": pl.String, "month": pl.Int32, "amount": pl.Decimal(12, 2)})
