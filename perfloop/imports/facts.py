# ruff: noqa: S608 - the SQL below interpolates constant table names, placeholders and, on SQLite's bulk path, the
# batch's own constants (an integer, a source code from a fixed list, a timestamp formatted here), quoted
"""Writing a batch's monthly facts in bulk: stage, diff and upsert in SQL, inside the caller's transaction.

The new facts are staged in a temporary table (``COPY`` on PostgreSQL, one ``executemany`` on SQLite);
the database then compares them with the stored facts in a handful of set-based statements:

* a changed value is updated, its ``version`` raised and the old value kept in ``FactChange``;
* an equal value only moves to the new batch and lineage (no new version: nothing changed);
* a fact of a restated batch that the new file no longer produces is deleted (and recorded);
* everything else is inserted.

A million-row file makes tens of thousands of facts; no fact passes through the ORM one at a time.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl
from django.db import connection

from perfloop.core.bulk import bulk_insert, no_work, timestamp_text
from perfloop.metrics.models import Kpi, MonthlyFact

STAGE = "perfloop_import_fact_stage"
_FACT = MonthlyFact._meta.db_table


@dataclass
class FactWrite:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0

    def add(self, other: FactWrite) -> None:
        self.created += other.created
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.removed += other.removed


@dataclass(frozen=True)
class Replaced:
    """Facts a restatement takes over: those of ``batch_ids`` for these months and KPIs."""

    batch_ids: Sequence[int]
    months: Sequence[int]
    kpis: Sequence[str]


def kpi_ids() -> dict[str, int]:
    return dict(Kpi.objects.values_list("code", "pk"))


def facts_write(
    *,
    batch_id: int,
    source: str,
    facts: pl.DataFrame,
    replaced: Replaced | None,
    now: dt.datetime,
    cause_batch_id: int | None = None,
    while_writing: Callable[[], None] = no_work,
) -> FactWrite:
    """Upsert ``facts`` (employee_id, month YYYYMM, kpi code, value Decimal, lineage JSON text) for
    ``batch_id``; ``cause_batch_id`` is the batch whose import made the change (default: the same).

    ``while_writing`` is called once the facts are ready to go to the database, before waiting for it: work
    the caller can do on an otherwise idle core while the database writes."""
    cause = cause_batch_id or batch_id
    ids = kpi_ids()
    staged = (
        facts.with_columns(
            kpi_id=pl.col("kpi").replace_strict(ids, return_dtype=pl.Int64),
            value=pl.col("value").cast(pl.String),
            lineage=pl.concat_str(
                pl.lit('{"batch":'),
                pl.lit(str(batch_id)),
                pl.lit(","),
                pl.col("lineage").str.strip_prefix("{"),
            ),
        )
        .select("employee_id", "month", "kpi_id", "value", "lineage")
        # In the unique index's order: each index page is filled once instead of revisited at random.
        .sort("employee_id", "month", "kpi_id")
    )
    months = facts["month"].unique().to_list()
    kpis = [ids[code] for code in facts["kpi"].unique().to_list()]
    if not replaced and not MonthlyFact.objects.filter(month__in=months, kpi_id__in=kpis).exists():
        # Nothing stored for these months and KPIs yet (a first import): no diff to make, insert directly.
        stamp = timestamp_text(now)
        if connection.vendor == "sqlite":
            created = _insert_sqlite(
                staged, batch_id=batch_id, source=source, stamp=stamp, while_writing=while_writing
            )
            return FactWrite(created=created)
        rows = staged.with_columns(
            source=pl.lit(source),
            batch_id=pl.lit(batch_id),
            version=pl.lit(1),
            created_at=pl.lit(stamp),
            updated_at=pl.lit(stamp),
        ).select(
            "employee_id",
            "month",
            "kpi_id",
            "value",
            "source",
            "batch_id",
            "lineage",
            "version",
            "created_at",
            "updated_at",
        )
        created = bulk_insert(_FACT, rows.columns, rows, while_writing=while_writing)
        return FactWrite(created=created)
    vendor = connection.vendor
    json_cast = "::jsonb" if vendor == "postgresql" else ""
    number_cast = "::numeric" if vendor == "postgresql" else ""
    result = FactWrite()
    while_writing()
    with connection.cursor() as cursor:
        _stage(cursor, staged, vendor)
        keys = "f.employee_id = s.employee_id AND f.month = s.month AND f.kpi_id = s.kpi_id"
        cursor.execute(
            f"""INSERT INTO imports_factchange (batch_id, employee_id, month, kpi, old_value, new_value,
                                                 old_batch_id, created_at)
                SELECT %s, f.employee_id, f.month, k.code, f.value, s.value{number_cast}, f.batch_id, %s
                FROM {_FACT} f JOIN {STAGE} s ON {keys} JOIN metrics_kpi k ON k.id = f.kpi_id
                WHERE f.value <> s.value{number_cast}""",
            [cause, now],
        )
        result.changed = cursor.rowcount
        cursor.execute(
            f"""UPDATE {_FACT} AS f SET value = s.value{number_cast}, version = f.version + 1, batch_id = %s,
                       source = %s, lineage = s.lineage{json_cast}, updated_at = %s
                FROM {STAGE} s WHERE {keys} AND f.value <> s.value{number_cast}""",
            [batch_id, source, now],
        )
        cursor.execute(
            f"""UPDATE {_FACT} AS f
                SET batch_id = %s, source = %s, lineage = s.lineage{json_cast}, updated_at = %s
                FROM {STAGE} s WHERE {keys} AND f.value = s.value{number_cast}
                  AND (f.batch_id IS NULL OR f.batch_id <> %s)""",
            [batch_id, source, now, batch_id],
        )
        result.unchanged = cursor.rowcount
        cursor.execute(
            f"""INSERT INTO {_FACT} (employee_id, month, kpi_id, value, source, batch_id, lineage, version,
                                     created_at, updated_at)
                SELECT s.employee_id, s.month, s.kpi_id, s.value{number_cast}, %s, %s, s.lineage{json_cast},
                       1, %s, %s
                FROM {STAGE} s
                WHERE NOT EXISTS (SELECT 1 FROM {_FACT} f WHERE {keys})""",
            [source, batch_id, now, now],
        )
        result.created = cursor.rowcount
        if replaced is not None and replaced.batch_ids and replaced.months and replaced.kpis:
            result.removed = _remove_replaced(cursor, cause, replaced, ids, now)
        cursor.execute(f"DROP TABLE {STAGE}")
    return result


def _insert_sqlite(
    staged: pl.DataFrame, *, batch_id: int, source: str, stamp: str, while_writing: Callable[[], None]
) -> int:
    """New facts in one ``executemany``; what every row shares is written into the statement once, so that
    each row binds five values instead of ten (binding is most of the cost of a SQLite bulk insert)."""
    if source not in MonthlyFact.Source.values:
        raise ValueError(f"unknown fact source {source!r}")
    constants = ", ".join([_quoted(source), str(int(batch_id)), "1", _quoted(stamp), _quoted(stamp)])
    rows = zip(*(column.to_list() for column in staged.get_columns()), strict=True)
    # The driver's own connection (the same one, inside the caller's transaction): Django's cursor would pass
    # every row through a Python-level iterator of its own first.
    connection.ensure_connection()
    while_writing()
    with connection.wrap_database_errors:
        connection.connection.executemany(
            f"INSERT INTO {_FACT} (employee_id, month, kpi_id, value, lineage, source, batch_id, version, "
            f"created_at, updated_at) VALUES (?, ?, ?, ?, ?, {constants})",
            rows,
        )
    return staged.height


def _quoted(text: str) -> str:
    """A SQL string literal (quotes doubled); only for values this module made or checked itself."""
    return "'" + text.replace("'", "''") + "'"


def _stage(cursor: object, staged: pl.DataFrame, vendor: str) -> None:
    execute = cursor.execute  # type: ignore[attr-defined]
    if vendor == "postgresql":
        execute(
            f"CREATE TEMP TABLE {STAGE} (employee_id bigint, month integer, kpi_id bigint, value text, "
            "lineage text) ON COMMIT DROP"
        )
        buffer = io.BytesIO()
        staged.write_csv(buffer, include_header=False)
        raw = cursor.cursor  # type: ignore[attr-defined]  # Django's wrapper → psycopg cursor
        with (
            connection.wrap_database_errors,
            raw.copy(
                f"COPY {STAGE} (employee_id, month, kpi_id, value, lineage) FROM STDIN WITH (FORMAT csv)"
            ) as copy,
        ):
            copy.write(buffer.getvalue())
    else:
        execute(
            f"CREATE TEMP TABLE {STAGE} (employee_id integer, month integer, kpi_id integer, value text, "
            "lineage text)"
        )
        cursor.executemany(  # type: ignore[attr-defined]
            f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s, %s)", staged.rows()
        )
    execute(f"CREATE INDEX {STAGE}_keys ON {STAGE} (employee_id, month, kpi_id)")
    if vendor == "postgresql":
        execute(f"ANALYZE {STAGE}")


def _remove_replaced(
    cursor: object, batch_id: int, replaced: Replaced, ids: dict[str, int], now: dt.datetime
) -> int:
    """Delete the facts a restated batch produced that the new file no longer produces (and record them)."""
    execute = cursor.execute  # type: ignore[attr-defined]
    kpi_list = [ids[code] for code in replaced.kpis if code in ids]
    if not kpi_list:
        return 0
    batches = ", ".join(["%s"] * len(replaced.batch_ids))
    months = ", ".join(["%s"] * len(replaced.months))
    kpis = ", ".join(["%s"] * len(kpi_list))
    where = (
        f"f.batch_id IN ({batches}) AND f.month IN ({months}) AND f.kpi_id IN ({kpis}) "
        f"AND NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE s.employee_id = f.employee_id AND s.month = f.month "
        f"AND s.kpi_id = f.kpi_id)"
    )
    params = [*replaced.batch_ids, *replaced.months, *kpi_list]
    execute(
        f"""INSERT INTO imports_factchange (batch_id, employee_id, month, kpi, old_value, new_value,
                                             old_batch_id, created_at)
            SELECT %s, f.employee_id, f.month, k.code, f.value, NULL, f.batch_id, %s
            FROM {_FACT} f JOIN metrics_kpi k ON k.id = f.kpi_id WHERE {where}""",
        [batch_id, now, *params],
    )
    execute(f"DELETE FROM {_FACT} WHERE id IN (SELECT f.id FROM {_FACT} f WHERE {where})", params)
    return int(cursor.rowcount)  # type: ignore[attr-defined]
