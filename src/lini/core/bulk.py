"""The fast write path for large loads: multi-row INSERTs (SQLite) or COPY (PostgreSQL) through
Django's connection, inside the caller's transaction.

The ORM's ``bulk_create`` spends most of its time preparing each value of each row; for loads of
tens of thousands of rows whose values are already plain (text, numbers, one timestamp for all)
this path writes the same rows several times faster.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connections, models

BATCH = 1000


def db_value(model: type[models.Model], field: str, value: Any, *, using: str = "default") -> Any:
    """``value`` as the database stores it in ``model.field`` (e.g. a datetime for SQLite)."""
    return model._meta.get_field(field).get_db_prep_save(value, connections[using])


def bulk_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = "default",
) -> int:
    """Insert ``rows`` (values in the order of ``fields``, ready for the database); returns the
    count. Constraints are enforced by the database as for any INSERT."""
    connection = connections[using]
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = connection.features.max_query_params or 32766
    per_statement = max(1, min(BATCH, limit // len(fields)))
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
    if connection.vendor == "postgresql":
        return _copy_rows(connection, meta.db_table, columns, rows)
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        # One statement per batch of rows: one round trip, not one per row (PostgreSQL).
        while batch := list(islice(iterator, per_statement)):
            cursor.execute(
                head + ", ".join([row_sql] * len(batch)), [v for row in batch for v in row]
            )
            count += len(batch)
    return count


def bulk_add(
    model: type[models.Model],
    fields: Sequence[str],
    amount: str,
    rows: Iterable[Sequence[Any]],
    *,
    using: str = "default",
) -> int:
    """Add to ``amount`` of the rows identified by ``fields`` (which a unique constraint covers),
    creating the rows that do not exist: ``rows`` hold the values of ``fields`` then the amount
    to add. One ``INSERT ... ON CONFLICT DO UPDATE`` per batch (SQLite 3.24+ and PostgreSQL);
    callers that may run concurrently pass rows in one sorted order so that row locks are always
    taken in the same order."""
    connection = connections[using]
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    keys = ", ".join(quote(meta.get_field(name).column) for name in fields)
    column = quote(meta.get_field(amount).column)
    row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    limit = connection.features.max_query_params or 32766
    per_statement = max(1, min(BATCH, limit // (len(fields) + 1)))
    head = f"INSERT INTO {table} ({keys}, {column}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({keys}) DO UPDATE SET {column} = {table}.{column} + excluded.{column}"
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, per_statement)):
            cursor.execute(
                head + ", ".join([row_sql] * len(batch)) + tail,
                [v for row in batch for v in row],
            )
            count += len(batch)
    return count


def _copy_rows(connection: Any, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> int:
    quote = connection.ops.quote_name
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor beneath Django's wrapper
        with raw.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def allocate_ids(model: type[models.Model], count: int, *, using: str = "default") -> list[int]:
    """``count`` primary keys for rows the caller is about to insert with :func:`bulk_insert`,
    so that it needs no query to learn them afterwards. Call inside the writing transaction:
    SQLite holds its write lock from BEGIN (IMMEDIATE), PostgreSQL draws from the sequence."""
    if count == 0:
        return []
    connection = connections[using]
    meta = model._meta
    quote = connection.ops.quote_name
    table, pk = meta.db_table, meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # Past both the highest id and the highest ever handed out (AUTOINCREMENT never reuses).
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
            f"COALESCE(MAX({quote(pk)}), 0)) FROM {quote(table)}",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def select_in(
    sql: str, keys: Sequence[Any], *, chunk: int = 900, using: str = "default"
) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (which holds one ``IN ({})``) for ``keys``, in chunks: the plain-SQL
    counterpart of ``filter(x__in=keys)`` for lookups of thousands of keys at a time."""
    rows: list[tuple[Any, ...]] = []
    with connections[using].cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            cursor.execute(sql.format(", ".join(["%s"] * len(part))), list(part))
            rows.extend(cursor.fetchall())
    return rows
