from __future__ import annotations

from typing import Any

from ninja import Schema


class PeriodOut(Schema):
    first: str | None
    last: str | None
    declared: bool
    kpis: list[str]


class RowCountsOut(Schema):
    total: int
    valid: int
    quarantined: int
    blank: int


class FactCountsOut(Schema):
    created: int
    changed: int
    unchanged: int
    removed: int
    zero_filled: int


class WarningOut(Schema):
    code: str
    message: str


class BatchErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


class BatchOut(Schema):
    batch: int
    status: str
    source: str
    profile: str
    kind: str
    file: str
    sha256: str
    format: str
    encoding: str
    period: PeriodOut
    rows: RowCountsOut
    facts: FactCountsOut
    restated_batches: list[int]
    people: dict[str, int]
    warnings: list[WarningOut]
    error: BatchErrorOut | None
    duplicate: bool = False


class QuarantinedRowOut(Schema):
    id: int
    row: int
    column: str
    value: str
    code: str
    message: str
    state: str
    errors: list[dict[str, Any]]
    raw: dict[str, Any]


class ProfileOut(Schema):
    name: str
    label: str
    kind: str
    source_kind: str
    is_preset: bool
    revision: int
    spec: dict[str, Any]


class ProfileIn(Schema):
    """A company profile as PUT replaces it: the label and source kind given (empty: none, any source)."""

    label: str = ""
    source_kind: str = ""
    spec: dict[str, Any]


class SourceOut(Schema):
    code: str
    name: str
    kind: str
    has_push_token: bool
    token_prefix: str


class SourceCredentialsOut(Schema):
    source: str
    token: str
    signing_key: str


class SourceRowOut(Schema):
    row: int
    cells: dict[str, str | None]


class FactRowsOut(Schema):
    fact: int
    employee_id: int
    month: str
    kpi: str
    value: str
    batch: int | None
    header: list[str]
    recovered: bool
    rows: list[SourceRowOut]


class ProblemCountOut(Schema):
    code: str
    message: str  # the first case, in words
    rows: int
    first_rows: list[int]
    column: str


class FileCheckOut(Schema):
    """What importing the file would do now; nothing was written."""

    ready: bool  # importing it would apply rows
    duplicate: bool  # the same file, profile and period are applied already: nothing would change
    duplicate_of: int | None  # that batch, when the caller may open it
    rows_total: int
    rows_applied: int
    rows_with_problems: int
    max_error_share: float
    refusal: BatchErrorOut | None
    problems: list[ProblemCountOut]
    months: list[str]
    kpis: list[str]
    facts: int
    people: int
    restates: list[int]  # restated batches the caller may open
    restates_outside_scope: int  # and how many others
    warnings: list[WarningOut]
