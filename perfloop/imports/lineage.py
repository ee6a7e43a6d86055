"""From a monthly fact back to the file rows that made it, and to their cells.

A fact's lineage names its batch and either lists the row numbers (``"rows": [2, 5]``) or, for a large
file, says how many there are (``"row_count": 16``, see ``aggregation``). Counted rows are recovered from
the batch's kept rows: the person-month's rows are read again with the profile the file was read with, and
the same aggregation that made the fact lists them. Either way the answer is the rows and their cells as
the file had them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from perfloop.imports import aggregation
from perfloop.imports.models import ImportBatch
from perfloop.imports.pipeline import check_context, kept_rows
from perfloop.imports.profiles import map_columns, parse_profile
from perfloop.imports.readers import ROW, RawTable
from perfloop.imports.validation import check_table, raw_rows
from perfloop.metrics.models import MonthlyFact


@dataclass
class FactRows:
    """The rows behind one fact: their numbers in the file and their cells by column name."""

    batch_id: int | None
    header: list[str]
    rows: list[int]
    cells: dict[int, dict[str, str | None]] = field(default_factory=dict)
    is_recovered: bool = False  # listed by re-running the aggregation on the batch's kept rows

    def as_list(self) -> list[dict[str, Any]]:
        return [{"row": row, "cells": self.cells.get(row, {})} for row in self.rows]


def fact_rows(fact: MonthlyFact) -> FactRows:
    """The file rows behind ``fact`` (listed in its lineage, or recovered from its batch's kept rows)."""
    lineage: dict[str, Any] = fact.lineage or {}
    batch_id = lineage.get("batch", fact.batch_id)
    batch = ImportBatch.objects.filter(pk=batch_id).first() if batch_id is not None else None
    if batch is None:
        listed = [int(row) for row in lineage.get("rows", [])]
        return FactRows(batch_id=batch_id, header=[], rows=listed)
    header = list(batch.header)
    names = [f"c{index}" for index in range(len(header))]
    if "rows" in lineage:
        numbers = [int(row) for row in lineage["rows"]]
        kept = kept_rows(batch.pk, rows=numbers)
        return FactRows(batch.pk, header, numbers, _cells(kept, names, header))
    kept = kept_rows(batch.pk, employee_id=fact.employee_id, month=fact.month.as_int())
    numbers = _recovered(batch, fact, kept, names) if kept is not None else []
    if kept is not None:
        kept = kept.filter(pl.col(ROW).is_in(numbers))
    return FactRows(batch.pk, header, numbers, _cells(kept, names, header), is_recovered=True)


def _recovered(batch: ImportBatch, fact: MonthlyFact, kept: pl.DataFrame, names: list[str]) -> list[int]:
    """The person-month's kept rows, typed again and aggregated with the file's profile: the rows of the
    fact's KPI, in file order."""
    if kept.height == 0:
        return []
    spec = parse_profile(batch.profile_spec)
    table = RawTable(
        frame=kept.select(ROW, *names),
        header=list(batch.header),
        header_row=batch.header_row or 0,
        file_format=batch.file_format,
    )
    # Only the typed values are wanted: these rows passed every check when the file was applied.
    typed = check_table(table, spec, map_columns(table.header, spec), check_context(None, None)).values
    events = typed.join(
        kept.select(ROW, pl.col("__employee_id").alias("employee_id"), "__month"), on=ROW, how="inner"
    )
    month = fact.month.as_int()
    facts = aggregation.aggregate(
        events, kind=batch.kind, months=[month], count_types=spec.count_types, list_rows=True
    ).facts
    mine = facts.filter(
        (pl.col("employee_id") == fact.employee_id)
        & (pl.col("month") == month)
        & (pl.col("kpi") == fact.kpi.code)
    )
    if mine.height == 0:
        return []
    text = str(mine["lineage"][0])
    listed = pl.Series([text]).str.json_path_match("$.rows").str.json_decode(pl.List(pl.Int64))
    return [int(row) for row in listed[0]]


def _cells(
    kept: pl.DataFrame | None, names: list[str], header: list[str]
) -> dict[int, dict[str, str | None]]:
    if kept is None or kept.height == 0:
        return {}
    table = RawTable(frame=kept.select(ROW, *names), header=header, header_row=0, file_format="")
    return raw_rows(table, kept[ROW])
