# ruff: noqa: S608 - the SQL below interpolates only constant table and column names; values are parameters
"""Writing many rows without the ORM, for the few places where a month of a large company passes through.

The ORM builds one Python object and one parameter list per row; at a hundred thousand rows that is most
of the time. ``bulk_insert`` hands PostgreSQL one ``COPY`` and SQLite one ``executemany`` instead, inside
the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import polars as pl
from django.db import connection

T = TypeVar("T")

# SQLite refuses more than 999 parameters in one statement; an IN list of ids goes in pieces this size.
IN_LIST_SIZE = 900


def chunked(values: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """``values`` in consecutive pieces of at most ``size`` (for IN lists of ids)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stored_month_as_index(column: str) -> pl.Expr:
    """A month column as stored (YYYYMM) as the engines count months (months since year 0)."""
    return ((pl.col(column) // 100) * 12 + pl.col(column) % 100 - 1).cast(pl.Int32)


def index_as_stored_month(column: str) -> pl.Expr:
    """The inverse of ``stored_month_as_index``: a month index as the YYYYMM the database stores."""
    return ((pl.col(column) // 12) * 100 + pl.col(column) % 12 + 1).cast(pl.Int64)


def no_work() -> None:
    """What a writer does while the database writes, when the caller has nothing to do."""


def bulk_insert(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]] | pl.DataFrame,
    *,
    while_writing: Callable[[], None] = no_work,
) -> int:
    """Insert many rows without the ORM: ``COPY`` on PostgreSQL, one ``executemany`` on SQLite.

    Values must already be what the column stores (JSON as text, datetimes aware); ``table`` and ``columns``
    are constants of the caller, never input. A Polars frame goes to ``COPY`` as CSV in one piece.
    ``while_writing`` is called once the rows are on their way, before waiting for the database to finish
    (PostgreSQL: after the data is sent; SQLite: before the driver's loop, which releases the GIL).
    """
    count = rows.height if isinstance(rows, pl.DataFrame) else len(rows)
    if not count:
        return 0
    names = ", ".join(columns)
    # The driver's own errors (a COPY runs on psycopg's cursor, past Django's wrapper) reach the caller as
    # Django's, like any other query's: IntegrityError for a broken constraint.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # type: ignore[attr-defined]  # Django's wrapper → psycopg cursor
            if isinstance(rows, pl.DataFrame):
                buffer = io.BytesIO()
                rows.write_csv(buffer, include_header=False)
                with raw.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(buffer.getvalue())
                    while_writing()
            else:
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                    while_writing()
        else:
            marks = ", ".join(["%s"] * len(columns))
            values = rows.rows() if isinstance(rows, pl.DataFrame) else rows
            while_writing()
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # type: ignore[arg-type]
    return count


def timestamp_text(moment: dt.datetime) -> str:
    """A timestamp as the database stores it as text: UTC for SQLite (Django's convention), ISO with zone
    for PostgreSQL — cheaper than a hundred thousand datetime objects."""
    if connection.vendor == "postgresql":
        return moment.isoformat()
    return str(moment.astimezone(dt.UTC).replace(tzinfo=None))


def bulk_read(
    sql: str, params: Sequence[Any], schema: Mapping[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    """Rows of a query as a Polars frame without a Python object per value where the driver allows it:
    ``COPY (query) TO STDOUT`` as CSV on PostgreSQL, ``fetchall`` on SQLite.

    ``schema`` names the selected columns in order; keep it to integers, floats and text (select booleans
    as integers and dates as text) so both paths read the same values. Runs on the caller's connection,
    so it sees the caller's uncommitted writes.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # type: ignore[attr-defined]  # Django's wrapper → psycopg cursor
            buffer = io.BytesIO()
            with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
                while data := copy.read():
                    buffer.write(data)
            if not buffer.tell():
                return pl.DataFrame(schema=schema)
            return pl.read_csv(buffer.getvalue(), has_header=False, schema=schema)
        cursor.execute(sql, params)
        return pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")


def bulk_read_numbers(
    columns: Sequence[str],
    source: str,
    params: Sequence[Any],
    schema: Mapping[str, pl.DataType | type[pl.DataType]],
    *,
    per: str,
) -> pl.DataFrame:
    """Like ``bulk_read`` for numeric columns only (``SELECT columns FROM source``), faster on PostgreSQL:
    the server joins each ``per`` group's rows into one CSV text (``string_agg``), so a million rows cross
    the wire as a few values instead of a million COPY messages. ``float8`` prints the shortest text that
    reads back as the same double, so nothing is rounded. SQLite reads rows as ``bulk_read`` does (its
    own text form of a double keeps 15 digits only).
    """
    if connection.vendor != "postgresql":
        return bulk_read(f"SELECT {', '.join(columns)} FROM {source}", params, schema)
    line = ", ".join(f"coalesce(({column})::text, '')" for column in columns)
    frames = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT string_agg(concat_ws(',', {line}), E'\\n') FROM {source} GROUP BY {per}", params
        )
        for (text,) in cursor.fetchall():
            frames.append(pl.read_csv(text.encode(), has_header=False, schema=schema))
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)
