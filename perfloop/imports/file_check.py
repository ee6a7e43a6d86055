"""What importing a whole file would do, worked out before the importer confirms it.

Pure (Polars and plain data). The preview shows the first rows; this is the rest of the file: how many
rows have problems and which, whether the file would be applied or refused (too many bad rows, a period
another source holds …), and what it would write. It is kept with the upload as plain data — codes and
details, no sentences — so that each page view says it in the viewer's language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from perfloop.imports.readers import ROW
from perfloop.imports.validation import empty_errors

# Row numbers shown per problem: enough to find the pattern in the file, not a second error report.
EXAMPLE_ROWS = 5


@dataclass(frozen=True)
class ProblemCount:
    """One kind of row problem: how many rows have it, the first of them, and the first one's details."""

    code: str
    rows: int
    column: str
    first_rows: list[int]
    details: dict[str, Any]


@dataclass(frozen=True)
class FileCheck:
    """The verdict on a whole file: applied (with its bad rows quarantined) or refused, and why."""

    rows_total: int
    rows_with_problems: int
    max_error_share: float
    problems: list[ProblemCount] = field(default_factory=list)
    refusal: dict[str, Any] | None = None  # {"code": …, "details": {…}} when the file would be refused
    months: list[int] = field(default_factory=list)  # YYYYMM, the period the file would cover
    kpis: list[str] = field(default_factory=list)
    facts: int = 0  # monthly values it would write, real zeros included
    people: int = 0  # people those values are of (a roster: people it would create or update)
    restates: list[int] = field(default_factory=list)  # batches whose values it would replace
    # What the import would add to its summary: person-months held back by a bad row, real zeros suspended …
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # The same bytes, profile and period are applied already: importing them again changes nothing.
    is_duplicate: bool = False
    duplicate_of: int | None = None  # that batch, when the one asking may open it

    @property
    def is_ready(self) -> bool:
        """Importing it would apply rows (not refused, not a repeat)."""
        return self.refusal is None and not self.is_duplicate

    @property
    def rows_applied(self) -> int:
        return max(self.rows_total - self.rows_with_problems, 0) if self.is_ready else 0

    @property
    def problem_share(self) -> float:
        return self.rows_with_problems / self.rows_total if self.rows_total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileCheck:
        values = dict(data)
        fields = set(ProblemCount.__dataclass_fields__)
        values["problems"] = [
            ProblemCount(**{key: value for key, value in problem.items() if key in fields})
            for problem in values.get("problems", [])
        ]
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in values.items() if key in known})


def duplicate_check(*, rows_total: int, max_error_share: float, batch_id: int | None) -> FileCheck:
    """The verdict on a file applied already (``batch_id`` only when the one asking may open that batch)."""
    return FileCheck(
        rows_total=rows_total,
        rows_with_problems=0,
        max_error_share=max_error_share,
        is_duplicate=True,
        duplicate_of=batch_id,
    )


def percent_text(share: float) -> str:
    """A share as people write it: 20%, 0.5%, 8.33% (never a limit of 0.5% shown as 0%)."""
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"


def problem_counts(errors: pl.DataFrame, *, examples: int = EXAMPLE_ROWS) -> list[ProblemCount]:
    """Row problems by code, the most frequent first; a row with two problems counts under each."""
    if errors.height == 0:
        return []
    grouped = (
        errors.sort(ROW)
        .group_by("code", maintain_order=True)
        .agg(
            rows=pl.col(ROW).n_unique(),
            column=pl.col("column").first(),
            first_rows=pl.col(ROW).unique(maintain_order=True).head(examples),
            details=pl.col("details").first(),
        )
        .sort(["rows", "code"], descending=[True, False])
    )
    return [
        ProblemCount(
            code=code,
            rows=int(rows),
            column=column or "",
            first_rows=[int(row) for row in first_rows],
            details=json.loads(details) if details else {},
        )
        for code, rows, column, first_rows, details in grouped.iter_rows()
    ]


def file_check_from(
    *,
    rows_total: int,
    errors: pl.DataFrame,
    max_error_share: float,
    refusal: tuple[str, Mapping[str, Any]] | None = None,
    months: Sequence[int] = (),
    kpis: Sequence[str] = (),
    facts: pl.DataFrame | None = None,
    people: int | None = None,
    restates: Sequence[int] = (),
    warnings: Sequence[Mapping[str, Any]] = (),
) -> FileCheck:
    """The verdict from what the import's own preparation found (the same checks, the same limits)."""
    rows_with_problems = int(errors[ROW].n_unique()) if errors.height else 0
    if people is None:
        people = int(facts["employee_id"].n_unique()) if facts is not None and facts.height else 0
    code, details = refusal if refusal is not None else (None, {})
    # Details as JSON has them (a date becomes its text): the check is kept in a JSON column.
    plain_details = json.loads(json.dumps(dict(details), default=str))
    return FileCheck(
        rows_total=rows_total,
        rows_with_problems=rows_with_problems,
        max_error_share=max_error_share,
        problems=problem_counts(errors),
        refusal={"code": code, "details": plain_details} if code else None,
        months=[int(month) for month in months],
        kpis=list(kpis),
        facts=0 if code else (facts.height if facts is not None else 0),
        people=0 if code else people,
        restates=[] if code else sorted(int(batch) for batch in restates),
        warnings=[] if code else json.loads(json.dumps([dict(warning) for warning in warnings], default=str)),
    )


def refused_check(
    *, code: str, details: Mapping[str, Any], rows_total: int, max_error_share: float
) -> FileCheck:
    """The verdict on a file refused as a whole before its rows were judged (unreadable, a period another
    source holds, a manager loop …)."""
    return file_check_from(
        rows_total=rows_total, errors=empty_errors(), max_error_share=max_error_share, refusal=(code, details)
    )
