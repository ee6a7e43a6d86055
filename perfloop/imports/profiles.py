"""What can be imported (kinds and their fields) and how a mapping profile is read.

Pure. A profile is plain JSON (stored in ``MappingProfile.spec``)::

    {"kind": "deals", "match": "name",
     "columns": {"owner": ["销售人员", "负责人"],
                 "amount": {"names": ["成交金额"], "unit": "auto"},
                 "stage": {"names": ["商机阶段"], "values": {"赢单": "won", "输单": "lost"}}}}

``parse_profile`` checks it against the kind's fields and returns a typed :class:`ProfileSpec`;
``map_columns`` finds each field's column in a file's header.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from perfloop.imports.problems import ImportRejected

FIELD_TYPES = (
    "text",
    "key",
    "employee",
    "date",
    "month",
    "money",
    "number",
    "integer",
    "percent",
    "choice",
    "email",
    "boolean",
    "kpi",
)
DATE_ORDERS = ("auto", "YMD", "DMY", "MDY")
UNITS = ("auto", "yuan", "wan", "yi")
MATCH_MODES = ("auto", "number", "email", "name")
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030", "gb2312", "utf-16", "big5")
# A profile's name is part of page addresses and commands: a slug, 2–60 characters, no hyphen at either end.
PROFILE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,58}[a-z0-9]")
# Names the profile pages use for themselves (/imports/profiles/new/): no profile may take them.
RESERVED_PROFILE_NAMES = frozenset({"new"})
PROFILE_LABEL_MAX = 200


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    required: bool
    help: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindDef:
    """One kind of file: its fields, the sources that provide it and the KPIs it yields."""

    name: str
    help: str
    source_kinds: tuple[str, ...]
    kpis: tuple[str, ...]
    fields: tuple[FieldDef, ...]
    record_key: str | None = None
    unique_together: tuple[str, ...] = ()

    def identity(self) -> tuple[str, ...]:
        """The fields that identify one record: two rows with the same identity must agree."""
        return (self.record_key,) if self.record_key else self.unique_together

    def field(self, name: str) -> FieldDef:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


def _f(
    name: str, type_: str, help_: str, *, required: bool = False, choices: tuple[str, ...] = ()
) -> FieldDef:
    return FieldDef(name, type_, required, help_, choices)


STAGES = ("won", "lost", "open")
ATTENDANCE = ("attended", "absent")

KINDS: dict[str, KindDef] = {
    kind.name: kind
    for kind in (
        KindDef(
            "deals",
            "Deals / opportunities, one row per deal: revenue won, conversion, new customers by close month.",
            ("crm",),
            ("revenue", "new_customers", "conversion_rate"),
            (
                _f("record_id", "key", "opportunity id (detects repeats and conflicts across files)"),
                _f("owner", "employee", "the sales rep who owns the deal", required=True),
                _f(
                    "account",
                    "text",
                    "customer account (an account's first won deal is a new customer)",
                    required=True,
                ),
                _f(
                    "stage", "choice", "deal stage mapped to won / lost / open", required=True, choices=STAGES
                ),
                _f("close_date", "date", "close date (required for won and lost deals)"),
                _f("amount", "money", "deal value in CNY (required for won deals)"),
                _f("engage_date", "date", "date the deal was opened"),
                _f("product", "text", "product"),
            ),
            record_key="record_id",
        ),
        KindDef(
            "collections",
            "Receivables and collections (应收/实收/回款), one row per receivable: collection rate by month.",
            ("finance",),
            ("collection_rate",),
            (
                _f("record_id", "key", "invoice or receivable number"),
                _f("owner", "employee", "the sales rep responsible for collecting", required=True),
                _f("account", "text", "customer"),
                _f("period", "month", "accounting month of the receivable (else the due date's month)"),
                _f("due_date", "date", "due date (used when there is no period column)"),
                _f("amount_due", "money", "amount receivable (应收)", required=True),
                _f("amount_collected", "money", "amount collected (实收/回款)", required=True),
                _f("collected_date", "date", "date the cash arrived"),
            ),
            record_key="record_id",
        ),
        KindDef(
            "activities",
            "Follow-up activities (calls, visits, messages), one row per activity: follow-ups per month.",
            ("crm",),
            ("follow_ups",),
            (
                _f("record_id", "key", "activity id"),
                _f("owner", "employee", "who followed up", required=True),
                _f("date", "date", "date of the activity", required=True),
                _f("activity_type", "text", "type (call, visit …)"),
                _f("account", "text", "customer"),
            ),
            record_key="record_id",
        ),
        KindDef(
            "feedback",
            "Customer feedback scores, one row per answer: mean score per month.",
            ("crm",),
            ("feedback_score",),
            (
                _f("record_id", "key", "survey answer id"),
                _f("owner", "employee", "the rep the feedback is about", required=True),
                _f("date", "date", "date of the answer", required=True),
                _f("score", "number", "score (1-5 unless the profile says otherwise)", required=True),
                _f("account", "text", "customer"),
            ),
            record_key="record_id",
        ),
        KindDef(
            "accounts",
            "Customer accounts with their start and churn dates: churn rate per month.",
            ("crm",),
            ("churn_rate",),
            (
                _f("account", "key", "customer account", required=True),
                _f("owner", "employee", "account owner", required=True),
                _f("since", "date", "customer since", required=True),
                _f("churned_on", "date", "date the customer was lost (empty while active)"),
            ),
            record_key="account",
        ),
        KindDef(
            "training",
            "Training enrolments with attendance and exam scores: training participation per month.",
            ("lms",),
            ("training_participation",),
            (
                _f("record_id", "key", "enrolment id"),
                _f("employee", "employee", "the participant", required=True),
                _f("course", "text", "course or session", required=True),
                _f("date", "date", "session date", required=True),
                _f("attendance", "choice", "attended / absent", required=True, choices=ATTENDANCE),
                _f("exam_score", "number", "exam score (0-100)"),
            ),
            record_key="record_id",
        ),
        KindDef(
            "monthly_kpis",
            "KPI values already aggregated per person and month (long format: one row per KPI).",
            ("crm", "finance", "lms", "hris"),
            (),
            (
                _f("employee", "employee", "the person", required=True),
                _f("month", "month", "the month", required=True),
                _f("kpi", "kpi", "KPI code or its Chinese / English name", required=True),
                _f("value", "number", "the value (percent strings allowed)", required=True),
            ),
            unique_together=("employee", "month", "kpi"),
        ),
        KindDef(
            "wages",
            "Wage payable per person and month (the base of severance calculations).",
            ("hris",),
            (),
            (
                _f("employee", "employee", "the person", required=True),
                _f("month", "month", "the month", required=True),
                _f("amount", "money", "wage payable (应发工资)", required=True),
                _f("overtime", "money", "of which overtime pay"),
            ),
            unique_together=("employee", "month"),
        ),
        KindDef(
            "roster",
            "HR master data: people, departments, positions, managers, contracts (and optionally a wage).",
            ("hris",),
            (),
            (
                _f("employee_number", "key", "employee number (工号)", required=True),
                _f("name", "text", "name", required=True),
                _f(
                    "department",
                    "text",
                    "department; a path such as 销售部/华东组 creates the tree",
                    required=True,
                ),
                _f("position", "text", "position (岗位)", required=True),
                _f("hire_date", "date", "hire date", required=True),
                _f("manager", "text", "direct manager: name or employee number"),
                _f("email", "email", "e-mail (receives the invitation)"),
                _f("grade", "text", "grade (职级)"),
                _f("birth_date", "date", "birth date"),
                _f("gender", "choice", "gender", choices=("female", "male", "undisclosed")),
                _f("work_city", "text", "work city"),
                _f("contract_type", "choice", "contract type", choices=("fixed", "open_ended", "task")),
                _f("contract_start", "date", "contract start"),
                _f("contract_end", "date", "contract end"),
                _f("probation_end", "date", "end of probation"),
                _f("union_member", "boolean", "trade-union member"),
                _f("status", "choice", "employment status", choices=("active", "on_leave", "notice", "left")),
                _f("termination_date", "date", "termination date"),
                _f(
                    "role",
                    "choice",
                    # No system administrators from a spreadsheet: that role is granted one by one.
                    "system role of the account",
                    choices=("rep", "manager", "mentor", "hrbp", "legal", "recruiter", "executive"),
                ),
                _f("wage", "money", "monthly wage payable (needs a wage month or a declared period)"),
                _f("wage_month", "month", "the month of the wage"),
            ),
            record_key="employee_number",
        ),
    )
}

# Value maps every profile gets for free (after its own): the words real exports use.
DEFAULT_VALUES: dict[str, dict[str, str]] = {
    "boolean": {
        "是": "true",
        "否": "false",
        "y": "true",
        "n": "false",
        "yes": "true",
        "no": "false",
        "true": "true",
        "false": "false",
        "1": "true",
        "0": "false",
        "√": "true",
        "×": "false",
        "有": "true",
        "无": "false",
    },
    "gender": {
        "女": "female",
        "男": "male",
        "f": "female",
        "m": "male",
        "female": "female",
        "male": "male",
        "未知": "undisclosed",
        "保密": "undisclosed",
        "undisclosed": "undisclosed",
    },
    "contract_type": {
        "固定期限": "fixed",
        "固定期限劳动合同": "fixed",
        "无固定期限": "open_ended",
        "无固定期限劳动合同": "open_ended",
        "以完成一定工作任务为期限": "task",
        "fixed": "fixed",
        "open_ended": "open_ended",
        "open-ended": "open_ended",
        "permanent": "open_ended",
        "task": "task",
    },
    "status": {
        "在职": "active",
        "试用": "active",
        "试用期": "active",
        "正式": "active",
        "active": "active",
        "休假": "on_leave",
        "停薪留职": "on_leave",
        "on_leave": "on_leave",
        "on leave": "on_leave",
        "待离职": "notice",
        "离职中": "notice",
        "notice": "notice",
        "离职": "left",
        "已离职": "left",
        "left": "left",
    },
    "role": {
        "销售": "rep",
        "销售代表": "rep",
        "rep": "rep",
        "经理": "manager",
        "销售经理": "manager",
        "manager": "manager",
        "导师": "mentor",
        "mentor": "mentor",
        "hrbp": "hrbp",
        "人事": "hrbp",
        "法务": "legal",
        "legal": "legal",
        "招聘": "recruiter",
        "recruiter": "recruiter",
        "高管": "executive",
        "executive": "executive",
    },
    "attendance": {
        "出勤": "attended",
        "已出勤": "attended",
        "参加": "attended",
        "已参加": "attended",
        "签到": "attended",
        "已签到": "attended",
        "attended": "attended",
        "present": "attended",
        "completed": "attended",
        "完成": "attended",
        "已完成": "attended",
        "缺勤": "absent",
        "未出勤": "absent",
        "缺席": "absent",
        "未参加": "absent",
        "未签到": "absent",
        "absent": "absent",
        "no-show": "absent",
        "no show": "absent",
        "未完成": "absent",
    },
    "stage": {
        "won": "won",
        "closed won": "won",
        "赢单": "won",
        "已赢单": "won",
        "成交": "won",
        "已成交": "won",
        "lost": "lost",
        "closed lost": "lost",
        "输单": "lost",
        "已输单": "lost",
        "丢单": "lost",
        "open": "open",
    },
}


@dataclass(frozen=True)
class FieldSpec:
    """How one field is read: which column names, which parser options."""

    name: str
    type: str
    required: bool
    names: tuple[str, ...]
    unit: str = "yuan"
    date_order: str = "auto"
    values: Mapping[str, str] = field(default_factory=dict)
    allow_negative: bool = False
    minimum: str | None = None
    maximum: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileSpec:
    kind: KindDef
    fields: tuple[FieldSpec, ...]
    match: str = "auto"
    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | int | None = None
    header_row: int | None = None
    strict_columns: bool = False
    decimal_comma: bool = False
    max_error_share: float = 0.2
    count_types: tuple[str, ...] = ()

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    def known_header_keys(self) -> set[str]:
        return {header_key(name)[0] for spec in self.fields for name in spec.names}


def is_profile_name(name: object) -> bool:
    """Whether ``name`` may name a new profile (lower-case letters, digits and hyphens; not reserved)."""
    return (
        isinstance(name, str)
        and PROFILE_NAME.fullmatch(name) is not None
        and name not in RESERVED_PROFILE_NAMES
    )


def _invalid(reason: str) -> ImportRejected:
    return ImportRejected("invalid_profile", reason=reason)


def parse_profile(raw: Mapping[str, Any]) -> ProfileSpec:
    """Check a profile's JSON against its kind and return the typed spec (``invalid_profile`` otherwise)."""
    if not isinstance(raw, Mapping):
        raise _invalid("a profile is a JSON object")
    kind_name = raw.get("kind")
    if kind_name not in KINDS:
        raise _invalid(f"kind must be one of {', '.join(KINDS)}, got {kind_name!r}")
    kind = KINDS[kind_name]
    columns = raw.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        raise _invalid("'columns' maps each field to its column names")
    unknown = sorted(set(columns) - {f.name for f in kind.fields})
    if unknown:
        raise _invalid(f"{kind.name} has no field {', '.join(unknown)}")
    default_order = str(raw.get("date_order", "auto"))
    if default_order not in DATE_ORDERS:
        raise _invalid(f"date_order must be one of {', '.join(DATE_ORDERS)}")
    fields: list[FieldSpec] = []
    for definition in kind.fields:
        entry = columns.get(definition.name)
        if entry is None:
            if definition.required:
                raise _invalid(f"required field {definition.name} has no column names")
            continue
        fields.append(_field_spec(definition, entry, default_order))
    match = str(raw.get("match", "auto"))
    encoding = str(raw.get("encoding", "auto")).lower()
    delimiter = str(raw.get("delimiter", "auto"))
    if match not in MATCH_MODES:
        raise _invalid(f"match must be one of {', '.join(MATCH_MODES)}")
    if encoding not in ENCODINGS:
        raise _invalid(f"encoding must be one of {', '.join(ENCODINGS)}")
    if delimiter != "auto" and len(delimiter.replace("\\t", "\t")) != 1:
        raise _invalid("delimiter is one character or 'auto'")
    share = raw.get("max_error_share", 0.2)
    if not isinstance(share, int | float) or not 0 <= share <= 1:
        raise _invalid("max_error_share is a number between 0 and 1")
    header_row = raw.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise _invalid("header_row is a row number (1 = first row)")
    sheet = raw.get("sheet")
    if sheet is not None and not isinstance(sheet, str | int):
        raise _invalid("sheet is a sheet name or a 0-based index")
    return ProfileSpec(
        kind=kind,
        fields=tuple(fields),
        match=match,
        encoding=encoding,
        delimiter=delimiter.replace("\\t", "\t"),
        sheet=sheet,
        header_row=header_row,
        strict_columns=bool(raw.get("strict_columns", False)),
        decimal_comma=bool(raw.get("decimal_comma", False)),
        max_error_share=float(share),
        count_types=tuple(str(t) for t in raw.get("count_types", ())),
    )


def _field_spec(definition: FieldDef, entry: Any, default_order: str) -> FieldSpec:
    options: Mapping[str, Any]
    if isinstance(entry, str):
        options = {"names": [entry]}
    elif isinstance(entry, list | tuple):
        options = {"names": list(entry)}
    elif isinstance(entry, Mapping):
        options = entry
    else:
        raise _invalid(f"{definition.name}: give a column name, a list of names or an object")
    names = options.get("names")
    if isinstance(names, str):
        names = [names]
    if not names or not all(isinstance(name, str) and name.strip() for name in names):
        raise _invalid(f"{definition.name}: 'names' lists the column names to look for")
    unit = str(options.get("unit", "yuan"))
    if unit not in UNITS:
        raise _invalid(f"{definition.name}: unit must be one of {', '.join(UNITS)}")
    order = str(options.get("date_order", default_order))
    if order not in DATE_ORDERS:
        raise _invalid(f"{definition.name}: date_order must be one of {', '.join(DATE_ORDERS)}")
    values = dict(DEFAULT_VALUES.get(definition.name, {}))
    if definition.type == "boolean":
        values = dict(DEFAULT_VALUES["boolean"])
    extra = options.get("values", {})
    if not isinstance(extra, Mapping):
        raise _invalid(f"{definition.name}: 'values' maps file values to {', '.join(definition.choices)}")
    for source_value, target in extra.items():
        allowed = definition.choices or (("true", "false") if definition.type == "boolean" else ())
        if allowed and target not in allowed:
            raise _invalid(f"{definition.name}: {source_value!r} maps to {target!r}, not one of {allowed}")
        values[value_key(str(source_value))] = str(target)
    values = {value_key(key): target for key, target in values.items()}
    if definition.type in {"choice", "boolean"} and not values:
        raise _invalid(f"{definition.name}: 'values' must map the file's values")
    minimum = options.get("min")
    maximum = options.get("max")
    return FieldSpec(
        name=definition.name,
        type=definition.type,
        required=bool(options.get("required", definition.required)),
        names=tuple(str(name) for name in names),
        unit=unit,
        date_order=order,
        values=values,
        allow_negative=bool(options.get("allow_negative", False)),
        minimum=None if minimum is None else str(minimum),
        maximum=None if maximum is None else str(maximum),
        choices=definition.choices,
    )


# --- headers --------------------------------------------------------------------------------------

_UNIT_IN_HEADER = re.compile(r"[\(\[（【]\s*([^\)\]）】]*)\s*[\)\]）】]\s*$")
_HEADER_NOISE = re.compile(r"[\s*:：_\-]+")


def header_key(name: str) -> tuple[str, str | None]:
    """A header's comparable key and the unit written in it: ``成交金额（万元）`` → (``成交金额``, ``万元``).

    Case, width (全角/半角), spaces, ``*`` required-markers, colons, dashes and underscores do not matter.
    """
    text = unicodedata.normalize("NFKC", str(name)).strip()
    unit: str | None = None
    match = _UNIT_IN_HEADER.search(text)
    if match:
        unit = match.group(1).strip() or None
        text = text[: match.start()]
    return _HEADER_NOISE.sub("", text).casefold(), unit


def value_key(value: str) -> str:
    """How choice values compare: width, case and spaces do not matter (``Closed Won`` = ``closedwon``)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).casefold()


@dataclass(frozen=True)
class ColumnMapping:
    columns: dict[str, int]  # field -> position of its column in the header
    units: dict[str, str]  # field -> unit written in the header
    unknown: tuple[int, ...]  # positions of columns no field uses


def map_columns(header: Sequence[str], spec: ProfileSpec) -> ColumnMapping:
    """Find each field's column; refuse missing required columns and fields found in two columns."""
    keyed: dict[str, list[tuple[int, str | None]]] = {}
    for index, column in enumerate(header):
        key, unit = header_key(column)
        if key:
            keyed.setdefault(key, []).append((index, unit))
    columns: dict[str, int] = {}
    units: dict[str, str] = {}
    for field_spec in spec.fields:
        # Names are in order of preference: the first one present wins (工号 before 姓名); the same name
        # on two columns is a duplicated header.
        found: dict[int, str | None] = {}
        for name in field_spec.names:
            key, name_unit = header_key(name)
            for index, unit in keyed.get(key, []):
                if index in columns.values() or (name_unit is not None and unit != name_unit):
                    continue
                found.setdefault(index, unit or name_unit)
            if found:
                break
        if len(found) > 1:
            raise ImportRejected(
                "duplicate_header",
                column=field_spec.name,
                columns=", ".join(header[index] for index in found),
            )
        if not found:
            if field_spec.required:
                raise ImportRejected(
                    "missing_column",
                    field=field_spec.name,
                    names=" / ".join(field_spec.names),
                    found=", ".join(header),
                    suggestions=_suggest(field_spec.names, header),
                )
            continue
        ((index, unit),) = found.items()
        columns[field_spec.name] = index
        if unit:
            units[field_spec.name] = unit
    used = set(columns.values())
    unknown = tuple(index for index in range(len(header)) if index not in used)
    if spec.strict_columns and unknown:
        raise ImportRejected("unknown_column", column=", ".join(header[index] for index in unknown))
    return ColumnMapping(columns, units, unknown)


def _suggest(names: Sequence[str], header: Sequence[str]) -> list[str]:
    keys = {header_key(column)[0]: column for column in header}
    matches: list[str] = []
    for name in names:
        for key in difflib.get_close_matches(header_key(name)[0], list(keys), n=2, cutoff=0.6):
            if keys[key] not in matches:
                matches.append(keys[key])
    return matches
