"""``project_export``: every archived table into one archive, read from one
snapshot of the database and streamed, so memory stays flat."""

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from annotate.io.backup.manifest import new_manifest, write_manifest
from annotate.io.backup.tables import BATCH_SIZE, ExportOptions, Progress, Table, archive_tables
from annotate.io.backup.values import json_line, json_value


def project_export(
    path: Path, *, with_passwords: bool = True, progress: Progress | None = None, using: str = DEFAULT_DB_ALIAS
) -> dict:
    """Write the whole project to ``path`` and return the manifest.

    The archive is written to a temporary file beside ``path`` (readable only
    by its owner: it holds every text, note and, unless ``with_passwords`` is
    off, the password hashes) and renamed into place when complete, so an
    export that fails or is killed never leaves a partial archive behind.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with _snapshot(using):
                manifest = new_manifest(with_passwords=with_passwords, using=using)
                for table in archive_tables():
                    rows, digest = _write_member(archive, table, with_passwords, progress, using)
                    manifest["tables"].append(
                        {"name": table.name, "member": table.member, "rows": rows, "sha256": digest}
                    )
            write_manifest(archive, manifest)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


def _write_member(archive, table: Table, with_passwords: bool, progress: Progress | None, using: str):
    digest = hashlib.sha256()
    rows = 0
    total = table.model._base_manager.using(using).count() if progress else 0
    # force_zip64: a member's size is not known before it is written, and a
    # large project's annotations or history can pass the 2 GiB zip limit.
    info = zipfile.ZipInfo(table.member, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as member:
        for row in _export_rows(table, with_passwords=with_passwords, using=using):
            line = json_line(row)
            member.write(line)
            digest.update(line)
            rows += 1
            if progress and rows % BATCH_SIZE == 0:
                progress(table.name, rows, total)
    if progress:
        progress(table.name, rows, rows)
    return rows, digest.hexdigest()


def _export_rows(table: Table, *, with_passwords: bool, using: str) -> Iterator[dict]:
    """The table's rows as JSON-ready dicts: keyed by column (``attname``),
    those the table archives under another key after them, then its links."""
    model = table.model
    columns = [field.attname for field in model._meta.concrete_fields]
    links = {link.name: link.export(model._meta.get_field(link.name), using) for link in table.links}
    options = ExportOptions(using=using, with_passwords=with_passwords)
    convert = {attname: column.export(options) for attname, column in table.columns.items()}
    renamed = {attname: table.key(attname) for attname in table.columns if table.key(attname) != attname}
    queryset = model._base_manager.using(using).order_by("pk").values_list(*columns)
    for values in queryset.iterator(chunk_size=BATCH_SIZE):
        row = {column: convert.get(column, json_value)(value) for column, value in zip(columns, values, strict=True)}
        for attname, key in renamed.items():
            row[key] = row.pop(attname)
        for name, linked in links.items():
            row[name] = linked.get(row["id"], [])
        yield row


@contextmanager
def _snapshot(using: str):
    """Read every table from one consistent state of the database, so a
    span created during the export cannot name an article the export has
    already passed. Inside a caller's transaction, that transaction is the
    snapshot."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        # A deferred transaction reads one WAL snapshot without taking the
        # write lock the project's IMMEDIATE mode would hold for the whole
        # export (the app's writers would wait on it).
        previous_mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"
    try:
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    finally:
        if sqlite:
            connection.transaction_mode = previous_mode
