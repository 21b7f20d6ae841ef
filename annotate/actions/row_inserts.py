"""Inserting many rows of one model, and their history rows, below
``bulk_create``.

Why: for a file of 10,000 spans, ``bulk_create_with_history`` spent about
100 µs a row inside Django (a model instance per history row, then every
value of every row passed through ``Field.get_db_prep_save`` while the
INSERT is compiled), five times what the database itself takes. Here each
column's adapter is chosen once, a value that is already what the database
stores (an int, a str, None) passes untouched, and the history rows are
copied from the rows just written by one ``INSERT … SELECT`` in the
database, so no Python object is made for them at all.

What the ORM would do and this keeps: values adapted by the fields
themselves (datetimes and UUIDs through their own ``get_db_prep_save``),
ids read back with ``RETURNING`` in the order of the rows (the same
reliance ``bulk_create`` has on SQLite 3.35+ and PostgreSQL), history rows
as django-simple-history writes them (the row's columns, the date, no
change reason, the type, the user). What it does not do: send signals
(``bulk_create`` sends none either) or run ``save()``; callers validate
first (``bulk_annotations`` does)."""

import functools
import sqlite3
from collections.abc import Callable, Sequence

from django.db import connection, models

# Rows per INSERT at most; past this, bigger statements stop paying.
MOST_ROWS = 2000
# PostgreSQL's wire protocol counts bind parameters in 16 bits.
POSTGRESQL_PARAMETERS = 65535


def parameter_limit() -> int:
    """Bind parameters one statement may carry on this connection: SQLite's
    compiled-in limit (Django assumes the old default of 999; builds since
    3.32 take 32,766), PostgreSQL's protocol limit otherwise."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return POSTGRESQL_PARAMETERS


def rows_per_insert(columns: Sequence[str]) -> int:
    """Rows one INSERT of ``columns`` takes, and one history copy of their ids."""
    return max(1, min(MOST_ROWS, parameter_limit() // max(1, len(columns))))


def _adapter(field: models.Field) -> Callable | None:
    """The function that turns a Python value of ``field`` into what the
    driver is given, as ``get_db_prep_save`` would, or None where that
    returns the value itself (integers, strings, and keys to integer keys)."""
    if isinstance(field, models.DateTimeField):
        # Rows of one file share few times (often one "now"): adapt each once.
        adapt = functools.lru_cache(maxsize=1024)(connection.ops.adapt_datetimefield_value)
        return lambda value: None if value is None else adapt(value)
    plain = (models.IntegerField, models.CharField, models.TextField, models.AutoField)
    if isinstance(field, plain) or (isinstance(field, models.ForeignKey) and isinstance(field.target_field, plain)):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """INSERT ``rows`` (tuples of Python values in ``columns``' order, attnames)
    in as few statements as the database takes, and return their new ids in
    the order of ``rows``. Each value must already be of its field's Python
    type (what ``full_clean`` leaves): an int for an integer, a str for text."""
    if not rows:
        return []
    meta = model._meta
    by_attname = {field.attname: field for field in meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    adapted = [(index, adapt) for index, field in enumerate(fields) if (adapt := _adapter(field)) is not None]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = rows_per_insert(columns)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for first in range(0, len(rows), size):
            batch = rows[first : first + size]
            params = []
            for row in batch:
                row = list(row)
                if len(row) != len(fields):
                    raise ValueError(f"a row of {len(row)} values for {len(fields)} columns")
                for index, adapt in adapted:
                    row[index] = adapt(row[index])
                params.extend(row)
            # Names come from the model, every value is a parameter.
            values = ", ".join([one_row] * len(batch))
            sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES {values} RETURNING {quote(meta.pk.column)}"  # noqa: S608
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def copy_to_history(model: type[models.Model], ids: Sequence[int], *, date, user_id, history_type: str = "+") -> None:
    """One history row for each of ``ids``, copied from its row in the
    database as django-simple-history writes it: the tracked columns as
    they now are, ``history_date``, no change reason, ``history_type`` and
    the user who made the change."""
    history = model.history.model
    tracked = {field.column for field in model._meta.concrete_fields}
    columns = [field.column for field in history._meta.concrete_fields if field.column in tracked]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    date = connection.ops.adapt_datetimefield_value(date)
    size = max(1, min(MOST_ROWS, parameter_limit() - 3))
    with connection.cursor() as cursor:
        for first in range(0, len(ids), size):
            batch = ids[first : first + size]
            marks = ", ".join(["%s"] * len(batch))
            sql = (
                f"INSERT INTO {quote(history._meta.db_table)} "  # noqa: S608 (names from the model, values as parameters)
                f"({names}, history_date, history_change_reason, history_type, history_user_id) "
                f"SELECT {names}, %s, NULL, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({marks})"
            )
            cursor.execute(sql, [date, history_type, user_id, *batch])
