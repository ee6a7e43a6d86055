"""The demo company's raw records — what its CRM, finance system and LMS hold — behind the monthly figures.

Pure (stdlib and Polars, no Django). The generator decides per rep and month what the story needs
(revenue, new customers, a conversion rate …); this module invents the deals, follow-ups, survey answers,
receivables and training enrolments behind those numbers, such that aggregating them by the rules of the
imports (docs/imports.md, ``perfloop/imports/aggregation.py``) gives back the monthly values **exactly**:

* revenue — the won deals' amounts add up to the month's revenue (deals are quoted in whole hundreds of
  yuan, so a 万元 export with two decimals loses nothing);
* new customers — that many accounts win their first deal ever in the month; the other won deals are
  repeat business of accounts won earlier (a new rep takes over the accounts of the one they replace);
* conversion rate — won ÷ (won + lost) is a ratio of whole deals: the story's rate becomes the nearest
  such ratio inside the story's bounds;
* collection rate — collected ÷ due of the month's receivables, exact (dues are whole hundreds);
* follow-ups — that many logged activities;
* feedback score — the mean of whole 1–5 scores, the nearest such mean inside the bounds;
* training participation — sessions attended ÷ sessions enrolled, the nearest such ratio inside the bounds.

Churn is not told by a customer list: a rep who loses a third of their active customers every month for a
year while winning almost none would run out of customers long before the story ends. The CRM's monthly
churn report (one value per rep and month) carries it instead.

Ratios are kept to four decimals as the imports store them; counts whose ratio lies exactly half-way
between two four-place decimals are avoided, so no rounding rule can make the stored value differ.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import polars as pl

from perfloop.core.months import Month

# Until the end of 2024 the company ran an English-language CRM; from 2025 on a Chinese one. Deals closed
# before the changeover carry the old system's opportunity ids.
CRM_CHANGEOVER = Month(2025, 1)

_RATIO = Decimal("0.0001")
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")

_CITIES = (
    "上海",
    "苏州",
    "杭州",
    "南京",
    "无锡",
    "常州",
    "宁波",
    "嘉兴",
    "南通",
    "绍兴",
    "昆山",
    "湖州",
    "扬州",
    "镇江",
    "台州",
)
_BRANDS = (
    "恒达",
    "华腾",
    "金鼎",
    "瑞丰",
    "永盛",
    "宏远",
    "新立",
    "天成",
    "博雅",
    "嘉禾",
    "中联",
    "东方",
    "汇通",
    "鼎盛",
    "精诚",
    "联创",
    "通力",
    "海川",
    "德润",
    "锦程",
    "弘毅",
    "正泰",
    "长江",
    "三友",
    "宝隆",
    "信诚",
    "凯旋",
    "明辉",
    "安泰",
    "乾元",
    "盛世",
    "卓越",
    "兴业",
    "隆基",
    "星河",
    "恒信",
    "伟业",
    "立新",
    "华盛",
    "远航",
    "百川",
    "鸿运",
    "天宇",
    "振华",
    "富源",
    "同创",
    "思源",
    "开元",
    "泰和",
    "广源",
    "银河",
    "金港",
    "新华",
    "利民",
    "九州",
    "龙腾",
    "嘉诚",
    "欣达",
    "宇通",
    "润泽",
)
_INDUSTRIES = (
    "精密机械",
    "模具",
    "汽车零部件",
    "电子科技",
    "新材料",
    "包装",
    "五金制品",
    "纺织机械",
    "医疗器械",
    "环保设备",
    "电气",
    "食品机械",
    "塑胶",
    "钢结构",
    "光电",
    "阀门",
)
_SUFFIXES = ("有限公司", "有限公司", "股份有限公司", "集团有限公司")
PRODUCTS = (
    "数控车床 CK6150",
    "立式加工中心 VMC850",
    "激光切割机 LC3015",
    "工业机器人集成",
    "自动化产线改造",
    "液压系统维保服务",
    "备件及耗材",
    "设备远程运维平台",
)
ACTIVITY_TYPES = ("电话", "电话", "拜访", "微信", "微信", "邮件", "视频会议")
COURSES = (
    "产品知识：数控机床系列",
    "顾问式销售技巧",
    "客户成功与续约管理",
    "商务谈判实务",
    "回款管理与风险识别",
    "CRM 使用规范",
    "大客户经营",
    "安全生产与合规",
    "新品发布：设备远程运维平台",
)
IMPROVEMENT_COURSES = (
    "绩效改进辅导：客户开发",
    "绩效改进辅导：商机推进",
    "导师带教：陪同拜访复盘",
)
_SESSIONS_PER_MONTH = 8


@dataclass(frozen=True)
class Bounds:
    """Where the story allows each approximated KPI to land in a month (the generator's state ranges)."""

    conversion: tuple[float, float]
    feedback: tuple[float, float]
    training: tuple[float, float]


@dataclass(frozen=True)
class RepMonth:
    """What the story needs of one rep in one month."""

    employee: str
    month: Month
    intended: Mapping[str, Decimal]
    bounds: Bounds
    takes_over_from: str | None = None
    """A new rep's predecessor, whose customers they take over."""
    is_improvement_phase: bool = False
    """More training: the improvement plans and the whole team's courses."""


@dataclass(frozen=True, eq=False)
class Records:
    """The systems' records. Employees by number, months as :class:`Month` ``index``.

    * ``deals``: record, owner, account, stage (``won``, ``lost`` or an open stage: ``qualification``,
      ``proposal``, ``negotiation``), engaged_on, closed_on (null while open), amount (yuan), product.
    * ``activities``: record, owner, at (datetime), kind (电话, 拜访 …), account.
    * ``feedback``: record, owner, account, answered_on, score (1–5).
    * ``receivables``: record, owner, account, month, due_on, amount_due, amount_collected, collected_on.
    * ``enrolments``: record, employee, course, held_on, attended, exam_score (null when absent).
    * ``churn``: employee, month, value (the CRM's monthly churn report).
    """

    deals: pl.DataFrame
    activities: pl.DataFrame
    feedback: pl.DataFrame
    receivables: pl.DataFrame
    enrolments: pl.DataFrame
    churn: pl.DataFrame


DEALS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "record": pl.String,
    "owner": pl.String,
    "account": pl.String,
    "stage": pl.String,
    "engaged_on": pl.Date,
    "closed_on": pl.Date,
    "amount": pl.Decimal(14, 2),
    "product": pl.String,
}
ACTIVITIES_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "record": pl.String,
    "owner": pl.String,
    "at": pl.Datetime("us"),
    "kind": pl.String,
    "account": pl.String,
}
FEEDBACK_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "record": pl.String,
    "owner": pl.String,
    "account": pl.String,
    "answered_on": pl.Date,
    "score": pl.Int8,
}
RECEIVABLES_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "record": pl.String,
    "owner": pl.String,
    "account": pl.String,
    "month": pl.Int32,
    "due_on": pl.Date,
    "amount_due": pl.Decimal(14, 2),
    "amount_collected": pl.Decimal(14, 2),
    "collected_on": pl.Date,
}
ENROLMENTS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "record": pl.String,
    "employee": pl.String,
    "course": pl.String,
    "held_on": pl.Date,
    "attended": pl.Boolean,
    "exam_score": pl.Int16,
}
CHURN_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "employee": pl.String,
    "month": pl.Int32,
    "value": pl.Decimal(16, 4),
}


def simulate_records(
    rep_months: Sequence[RepMonth], *, seed: int
) -> tuple[Records, dict[tuple[str, int], dict[str, Decimal]]]:
    """The records behind ``rep_months`` (each rep's months in order, predecessors before successors), and
    the monthly values the imports will compute from them, by (employee, month index)."""
    simulation = _Simulation(random.Random(f"perfloop-demo-records:{seed}"))
    realised: dict[tuple[str, int], dict[str, Decimal]] = {}
    for rep_month in rep_months:
        realised[(rep_month.employee, rep_month.month.index)] = simulation.month(rep_month)
    simulation.open_pipeline(rep_months)
    return simulation.records(), realised


# --- counts behind ratios ---------------------------------------------------------------------------------


def ratio_value(ratio: Fraction) -> Decimal:
    """A ratio as the imports store it: four decimals."""
    return (Decimal(ratio.numerator) / Decimal(ratio.denominator)).quantize(_RATIO, rounding=ROUND_HALF_EVEN)


def _is_tie(ratio: Fraction) -> bool:
    """Exactly half-way between two four-place decimals: the rounding rule would decide the stored value."""
    scaled = ratio * 10_000
    return scaled.denominator == 2  # x.5 in units of the fourth decimal


def _bounds(bounds: tuple[float, float]) -> tuple[Fraction, Fraction]:
    return Fraction(str(bounds[0])), Fraction(str(bounds[1]))


def deal_counts(won_at_least: int, intended: Decimal, bounds: tuple[float, float]) -> tuple[int, int]:
    """(won, lost): at least ``won_at_least`` won deals, won ÷ (won + lost) inside ``bounds`` and nearest to
    ``intended``."""
    low, high = _bounds(bounds)
    target = Fraction(intended)
    for won in range(max(won_at_least, 1), max(won_at_least, 1) + 12):
        fewest = max(0, math.ceil(won / high - won))
        most = math.floor(won / low - won)
        candidates = [
            (abs(Fraction(won, won + lost) - target), lost)
            for lost in range(fewest, most + 1)
            if low <= Fraction(won, won + lost) <= high and not _is_tie(Fraction(won, won + lost))
        ]
        if candidates:
            return won, min(candidates)[1]
    raise ValueError(f"no deal counts give a conversion rate in {bounds}")


def part_counts(
    intended: Decimal, bounds: tuple[float, float], *, wholes: int, most: int = 60
) -> tuple[int, int]:
    """(part, whole) with ``whole`` ≥ ``wholes``: part ÷ whole inside ``bounds`` and nearest to
    ``intended`` (sessions attended of enrolled; the sum of whole scores over the answers)."""
    low, high = _bounds(bounds)
    target = Fraction(intended)
    for whole in range(wholes, most + 1):
        candidates = [
            (abs(Fraction(part, whole) - target), part)
            for part in range(math.ceil(low * whole), math.floor(high * whole) + 1)
            if not _is_tie(Fraction(part, whole))
        ]
        if candidates:
            return min(candidates)[1], whole
    raise ValueError(f"no counts give a ratio in {bounds}")


def split_hundreds(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """``total`` (whole hundreds) in ``parts`` uneven amounts of whole hundreds that add up exactly."""
    units = int(total / _HUNDRED)
    if units < parts:
        raise ValueError(f"{total} cannot be split into {parts} amounts of whole hundreds")
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    shares = [units * weight / sum(weights) for weight in weights]
    amounts = [max(1, int(share)) for share in shares]
    # Largest remainder: the shares' fractions decide who gets the units left over (or gives one back).
    order = sorted(range(parts), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    step = 1 if sum(amounts) < units else -1
    index = 0
    while sum(amounts) != units:
        candidate = order[index % parts] if step > 0 else order[-1 - index % parts]
        if step > 0 or amounts[candidate] > 1:
            amounts[candidate] += step
        index += 1
    return [Decimal(amount) * _HUNDRED for amount in amounts]


# --- the simulation ---------------------------------------------------------------------------------------


@dataclass
class _Book:
    """One rep's accounts: customers (a won deal in an earlier month) and prospects (quoted, never won)."""

    customers: list[str] = field(default_factory=list)
    prospects: list[str] = field(default_factory=list)
    last_revenue: Decimal | None = None


class _Simulation:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._books: dict[str, _Book] = {}
        self._names: set[str] = set()
        self._sessions: dict[int, list[tuple[str, dt.date]]] = {}
        self._calendar: dict[int, list[dt.date]] = {}
        self._deals: list[tuple[object, ...]] = []
        self._activities: list[tuple[object, ...]] = []
        self._feedback: list[tuple[object, ...]] = []
        self._receivables: list[tuple[object, ...]] = []
        self._enrolments: list[tuple[object, ...]] = []
        self._churn: list[tuple[object, ...]] = []
        self._last_month: dict[str, Month] = {}

    # accounts

    def _company(self) -> str:
        while True:
            name = (
                self._rng.choice(_CITIES)
                + self._rng.choice(_BRANDS)
                + self._rng.choice(_INDUSTRIES)
                + self._rng.choice(_SUFFIXES)
            )
            if name not in self._names:
                self._names.add(name)
                return name

    def _book(self, rep_month: RepMonth) -> _Book:
        book = self._books.get(rep_month.employee)
        if book is None:
            book = _Book()
            predecessor = self._books.get(rep_month.takes_over_from or "")
            if predecessor is not None:
                # The accounts are handed over; the predecessor's open quotes stay with the new rep too.
                book.customers = list(predecessor.customers)
                book.prospects = list(predecessor.prospects)
            self._books[rep_month.employee] = book
        return book

    def _new_account(self, book: _Book) -> str:
        """A first win: often a prospect quoted before, otherwise a company never seen."""
        if book.prospects and self._rng.random() < 0.5:
            return book.prospects.pop(self._rng.randrange(len(book.prospects)))
        return self._company()

    def _prospect(self, book: _Book) -> str:
        if len(book.prospects) >= 6 and self._rng.random() < 0.7:
            return self._rng.choice(book.prospects)
        name = self._company()
        book.prospects.append(name)
        return name

    # days

    def _working_days(self, month: Month) -> list[dt.date]:
        days = self._calendar.get(month.index)
        if days is None:
            first = month.first_day
            every = (first + dt.timedelta(days=i) for i in range(month.last_day.day))
            days = self._calendar[month.index] = [day for day in every if day.weekday() < 5]
        return days

    def _day(self, month: Month) -> dt.date:
        return self._rng.choice(self._working_days(month))

    def _moment(self, month: Month) -> dt.datetime:
        day = self._day(month)
        hour, minute = self._rng.randint(8, 18), self._rng.randrange(0, 60, 5)
        # Wall-clock time in Shanghai, as the CRM writes it into its export (no zone in the file).
        return dt.datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001

    # one month

    def month(self, rep_month: RepMonth) -> dict[str, Decimal]:
        book = self._book(rep_month)
        values = dict(rep_month.intended)
        accounts = self._deals_of_month(rep_month, book, values)
        self._activities_of_month(rep_month, book, accounts, values)
        self._feedback_of_month(rep_month, book, accounts, values)
        self._receivables_of_month(rep_month, book, values)
        self._training_of_month(rep_month, values)
        self._churn.append((rep_month.employee, rep_month.month.index, values["churn_rate"]))
        book.customers.extend(account for account in accounts if account not in book.customers)
        book.last_revenue = values["revenue"]
        self._last_month[rep_month.employee] = rep_month.month
        return values

    def _deals_of_month(self, rep_month: RepMonth, book: _Book, values: dict[str, Decimal]) -> list[str]:
        """Won deals for the revenue and new customers, lost ones for the conversion rate."""
        rng, month = self._rng, rep_month.month
        new = int(values["new_customers"])
        repeat = rng.choice((0, 1, 1, 2)) if book.customers else 0
        won, lost = deal_counts(new + repeat, values["conversion_rate"], rep_month.bounds.conversion)
        values["conversion_rate"] = ratio_value(Fraction(won, won + lost))
        fresh = [self._new_account(book) for _ in range(new)]
        if won > new and not (book.customers or fresh):
            raise ValueError(f"{rep_month.employee} {month}: repeat business without any customer")
        repeats = [rng.choice(book.customers or fresh) for _ in range(won - new)]
        amounts = split_hundreds(values["revenue"], won, rng)
        for account, amount in zip([*fresh, *repeats], amounts, strict=True):
            self._deal(rep_month.employee, account, "won", month, amount)
        for _ in range(lost):
            existing = book.customers and rng.random() < 0.35
            account = rng.choice(book.customers) if existing else self._prospect(book)
            self._deal(rep_month.employee, account, "lost", month, Decimal(rng.randrange(50, 400)) * _HUNDRED)
        return fresh

    def _deal(self, owner: str, account: str, stage: str, month: Month, amount: Decimal) -> None:
        closed = self._day(month)
        engaged = closed - dt.timedelta(days=self._rng.randint(10, 75))
        self._deals.append((owner, account, stage, engaged, closed, amount, self._rng.choice(PRODUCTS)))

    def _contacts(self, book: _Book, fresh: list[str]) -> list[str]:
        return [*book.customers[-25:], *fresh, *book.prospects[-10:]] or [self._company()]

    def _activities_of_month(
        self, rep_month: RepMonth, book: _Book, fresh: list[str], values: dict[str, Decimal]
    ) -> None:
        contacts = self._contacts(book, fresh)
        for _ in range(int(values["follow_ups"])):
            self._activities.append(
                (
                    rep_month.employee,
                    self._moment(rep_month.month),
                    self._rng.choice(ACTIVITY_TYPES),
                    self._rng.choice(contacts),
                )
            )

    def _feedback_of_month(
        self, rep_month: RepMonth, book: _Book, fresh: list[str], values: dict[str, Decimal]
    ) -> None:
        """Whole 1–5 scores whose mean is the month's feedback score."""
        rng = self._rng
        total, answers = part_counts(
            values["feedback_score"],
            rep_month.bounds.feedback,
            wholes=rng.randint(4, 9),
        )
        values["feedback_score"] = ratio_value(Fraction(total, answers))
        scores = [total // answers] * answers
        for index in range(total - sum(scores)):
            scores[index] += 1
        for _ in range(answers):  # spread the scores without changing their sum
            up, down = rng.randrange(answers), rng.randrange(answers)
            if up != down and scores[up] < 5 and scores[down] > 1:
                scores[up] += 1
                scores[down] -= 1
        rng.shuffle(scores)
        customers = [*book.customers[-25:], *fresh] or self._contacts(book, fresh)
        for score in scores:
            self._feedback.append(
                (rep_month.employee, rng.choice(customers), self._day(rep_month.month), score)
            )

    def _receivables_of_month(self, rep_month: RepMonth, book: _Book, values: dict[str, Decimal]) -> None:
        """The month's invoices fall due (about last month's sales); the collection rate is exact."""
        rng, month = self._rng, rep_month.month
        basis = book.last_revenue if book.last_revenue is not None else values["revenue"]
        due = (basis * Decimal(repr(round(rng.uniform(0.85, 1.1), 3))) / _HUNDRED).quantize(
            Decimal(1)
        ) * _HUNDRED
        dues = split_hundreds(due, rng.randint(1, 3), rng)
        remaining = (due * values["collection_rate"]).quantize(_CENT)
        customers = book.customers[-25:] or [self._company()]
        for amount_due in dues:
            collected = min(amount_due, remaining)
            remaining -= collected
            due_on = self._day(month)
            collected_on = self._day(month) if collected else None
            self._receivables.append(
                (
                    rep_month.employee,
                    rng.choice(customers),
                    month.index,
                    due_on,
                    amount_due,
                    collected,
                    collected_on,
                )
            )

    def _training_of_month(self, rep_month: RepMonth, values: dict[str, Decimal]) -> None:
        rng, month = self._rng, rep_month.month
        sessions = self._month_sessions(month, improvement=rep_month.is_improvement_phase)
        enrolled_at_least = rng.randint(4, 6) if rep_month.is_improvement_phase else rng.randint(2, 5)
        attended, enrolled = part_counts(
            values["training_participation"],
            rep_month.bounds.training,
            wholes=enrolled_at_least,
            most=len(sessions),
        )
        values["training_participation"] = ratio_value(Fraction(attended, enrolled))
        chosen = rng.sample(sessions, enrolled)
        present = set(rng.sample(range(enrolled), attended))
        for index, (course, held_on) in enumerate(sorted(chosen, key=lambda s: s[1])):
            is_present = index in present
            score = rng.randint(65, 98) if is_present else None
            self._enrolments.append((rep_month.employee, course, held_on, is_present, score))

    def _month_sessions(self, month: Month, *, improvement: bool) -> list[tuple[str, dt.date]]:
        if month.index not in self._sessions:
            courses = list(COURSES)
            if improvement:
                courses = [*IMPROVEMENT_COURSES, *courses]
            chosen = courses[:3] + self._rng.sample(courses[3:], _SESSIONS_PER_MONTH - 3)
            self._sessions[month.index] = [(course, self._day(month)) for course in chosen]
        return self._sessions[month.index]

    # the end

    def open_pipeline(self, rep_months: Sequence[RepMonth]) -> None:
        """Deals still open when the data ends: the pipeline of every rep still with the company."""
        last = max((rep_month.month for rep_month in rep_months), key=lambda month: month.index)
        for employee, month in self._last_month.items():
            if month != last:
                continue
            book = self._books[employee]
            for _ in range(self._rng.randint(1, 3)):
                engaged = self._day(month) - dt.timedelta(days=self._rng.randint(0, 40))
                stage = self._rng.choice(("qualification", "proposal", "negotiation"))
                amount = Decimal(self._rng.randrange(80, 500)) * _HUNDRED
                self._deals.append(
                    (employee, self._prospect(book), stage, engaged, None, amount, self._rng.choice(PRODUCTS))
                )

    def records(self) -> Records:
        return Records(
            deals=_numbered_deals(self._deals),
            activities=_numbered(
                self._activities, ["owner", "at", "kind", "account"], ACTIVITIES_SCHEMA, "at", "GJ", 8
            ),
            feedback=_numbered(
                self._feedback,
                ["owner", "account", "answered_on", "score"],
                FEEDBACK_SCHEMA,
                "answered_on",
                "PJ",
                7,
            ),
            receivables=_numbered_receivables(self._receivables),
            enrolments=_numbered(
                self._enrolments,
                ["employee", "course", "held_on", "attended", "exam_score"],
                ENROLMENTS_SCHEMA,
                "held_on",
                "BM",
                7,
            ),
            churn=pl.DataFrame(self._churn, schema=CHURN_SCHEMA, orient="row"),
        )


def _numbered(
    rows: list[tuple[object, ...]],
    columns: list[str],
    schema: Mapping[str, pl.DataType | type[pl.DataType]],
    by: str,
    prefix: str,
    digits: int,
) -> pl.DataFrame:
    """Records numbered in time order, as the system that issued them would."""
    frame = pl.DataFrame(rows, schema={name: schema[name] for name in columns}, orient="row")
    frame = frame.with_row_index("_order").sort(by, "_order")
    numbers = pl.Series("record", [f"{prefix}{i:0{digits}d}" for i in range(1, frame.height + 1)])
    return frame.drop("_order").with_columns(numbers).select(list(schema))


def _numbered_deals(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    """Opportunity ids of the system the deal lives in: ``OPP-`` in the old CRM, ``SJ<yyyymm>`` in the new."""
    columns = ["owner", "account", "stage", "engaged_on", "closed_on", "amount", "product"]
    frame = pl.DataFrame(rows, schema={name: DEALS_SCHEMA[name] for name in columns}, orient="row")
    frame = frame.with_row_index("_order").sort("engaged_on", "_order")
    changeover = CRM_CHANGEOVER.first_day
    old = frame["closed_on"].is_not_null() & (frame["closed_on"] < changeover)
    records: list[str] = []
    counts = {"old": 0, "new": 0}
    for is_old, engaged in zip(old.to_list(), frame["engaged_on"].to_list(), strict=True):
        if is_old:
            counts["old"] += 1
            records.append(f"OPP-{counts['old']:06d}")
        else:
            counts["new"] += 1
            records.append(f"SJ{engaged:%Y%m}{counts['new']:05d}")
    return frame.drop("_order").with_columns(pl.Series("record", records)).select(list(DEALS_SCHEMA))


def _numbered_receivables(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    """应收单号 per accounting month: ``AR<yyyymm>-<n>``."""
    columns = ["owner", "account", "month", "due_on", "amount_due", "amount_collected", "collected_on"]
    frame = pl.DataFrame(rows, schema={name: RECEIVABLES_SCHEMA[name] for name in columns}, orient="row")
    frame = frame.with_row_index("_order").sort("month", "due_on", "_order")
    seen: dict[int, int] = {}
    records = []
    for index in frame["month"].to_list():
        seen[index] = seen.get(index, 0) + 1
        month = Month.from_index(index)
        records.append(f"AR{month.year:04d}{month.month:02d}-{seen[index]:04d}")
    return frame.drop("_order").with_columns(pl.Series("record", records)).select(list(RECEIVABLES_SCHEMA))
