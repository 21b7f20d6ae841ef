"""``project_import``: an archive back into an empty database, every row
validated through the models and all of it written in one transaction."""

import importlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction

from annotate.io.backup import ArchiveError
from annotate.io.backup.manifest import check_members, check_migrations, read_manifest
from annotate.io.backup.tables import BATCH_SIZE, Batch, Progress, Table, archive_tables
from annotate.io.backup.values import Lookups, RowProblem, describe, python_value
from annotate.io.zip_limits import ZipTooLarge, refuse_large_members
from annotate.rules import json_input


def project_import(path: Path, *, progress: Progress | None = None, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Restore an archive into an empty database; return rows per table.

    Everything is checked before the first write (the archive is ours, of a
    version and migration state this installation reads, and whole), and
    then every row goes in inside one transaction, validated through the
    models; any problem raises ArchiveError and leaves the database as it was.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ArchiveError(f"{path} is a folder, not an archive") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"{path} is not a readable zip archive ({error})") from None
    with archive:
        try:
            refuse_large_members(archive, member_limit=settings.ARCHIVE_MAX_MEMBER_BYTES)
        except ZipTooLarge as error:
            raise ArchiveError(f"{path}: {error} (ARCHIVE_MAX_MEMBER_BYTES); nothing was read") from None
        manifest = read_manifest(archive)
        check_members(archive, manifest)
        check_migrations(manifest, using)
        with transaction.atomic(using=using):
            check_database_empty(using)
            counts = _restore(archive, manifest, progress, using)
    return counts


def database_contents(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What the database holds beyond a fresh ``migrate``, one phrase per
    kind of row (empty when there is nothing): users, articles, spans… and
    labels or groups that differ from the ones the migrations make."""
    tables = archive_tables()
    found = []
    for table in tables:
        if table.seed:
            continue
        count = table.model._base_manager.using(using).count()
        if count:
            found.append(f"{count} {table.model._meta.verbose_name_plural}")
    # In the order the migrations seed them (labels, then roles), whatever
    # the order of the tables.
    for seed in sorted((table.seed for table in tables if table.seed), key=lambda seed: seed.migration):
        edited = seed.edited(importlib.import_module(f"annotate.migrations.{seed.migration}"), using)
        if edited:
            found.append(edited)
    return found


def check_database_empty(using: str) -> None:
    contents = database_contents(using)
    if contents:
        raise ArchiveError(
            f"the database is not empty: it holds {'; '.join(contents)}. import_project restores into a freshly "
            f"migrated database only (create a new database, run `manage.py migrate`, then import)"
        )


def _restore(archive: zipfile.ZipFile, manifest: dict, progress: Progress | None, using: str) -> dict[str, int]:
    # The migrations' default labels and roles give way to the archive's own
    # (which may have been edited since); nothing refers to them yet.
    for table in archive_tables():
        if table.seed:
            table.model._default_manager.using(using).all().delete()
    entries = {entry["name"]: entry for entry in manifest["tables"]}
    lookups = Lookups(using)
    counts = {}
    for table in archive_tables():
        counts[table.name] = _restore_table(
            archive, table, entries[table.name]["rows"], lookups, progress=progress, using=using
        )
        _check_references(table, using)
    connection = connections[using]
    models_with_sequences = [table.model for table in archive_tables()]
    statements = connection.ops.sequence_reset_sql(no_style(), models_with_sequences)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return counts


def _restore_table(
    archive, table: Table, total: int, lookups: Lookups, *, progress: Progress | None, using: str
) -> int:
    batch: Batch = []
    done = 0
    for number, row in _read_rows(archive, table.member):
        try:
            instance, links = _instance_from_row(table, row, lookups)
        except RowProblem as problem:
            raise ArchiveError(f"{table.member}, line {number}: {problem}") from None
        batch.append((number, instance, links))
        if len(batch) >= BATCH_SIZE:
            done += _insert(table, batch, lookups, using)
            batch = []
            if progress:
                progress(table.name, done, total)
    if batch:
        done += _insert(table, batch, lookups, using)
    if progress:
        progress(table.name, done, total)
    return done


def _read_rows(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[int, dict]]:
    with archive.open(member) as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                row = json_input.parse(raw.decode("utf-8"), one_line=True)
            except UnicodeDecodeError:
                raise ArchiveError(f"{member}, line {number}: not UTF-8") from None
            except json_input.JsonProblem as problem:
                raise ArchiveError(f"{member}, line {number}: {problem}") from None
            if not isinstance(row, dict):
                raise ArchiveError(f"{member}, line {number}: not a JSON object")
            yield number, row


def _instance_from_row(table: Table, row: dict, lookups: Lookups) -> tuple[models.Model, dict[str, list[int]]]:
    """A model instance from one archived row, its fields checked; and the
    ids of each link, which live in other tables (a user's groups, a group's
    permissions)."""
    model = table.model
    fields = {field.attname: field for field in model._meta.concrete_fields}
    expected = {table.key(attname) for attname in fields} | {link.name for link in table.links}
    missing, unknown = sorted(expected - set(row)), sorted(set(row) - expected)
    if missing:
        raise RowProblem(f"missing field(s) {', '.join(missing)}")
    if unknown:
        raise RowProblem(f"unknown field(s) {', '.join(unknown)}")
    values = {}
    for attname, field in fields.items():
        archived = row[table.key(attname)]
        column = table.columns.get(attname)
        values[attname] = column.restore(archived, field, lookups) if column else python_value(field, archived)
    links = {link.name: link.restore(row[link.name], lookups) for link in table.links}
    instance = model(**values)
    # Foreign keys are left out here (checking one is a query per row); the
    # table's references are checked in one query each once it is in.
    # A null the column allows is a value the app wrote (simple-history's
    # change reason is null=True but not blank=True, which clean_fields reads
    # as "required").
    exclude = {
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation or (field.null and values[field.attname] is None)
    }
    for attname, column in table.columns.items():
        if column.check:
            exclude.add(fields[attname].name)
            column.check(values[attname])
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        raise RowProblem(describe(error)) from None
    return instance, links


def _insert(table: Table, batch: Batch, lookups: Lookups, using: str) -> int:
    model = table.model
    first, last = batch[0][0], batch[-1][0]
    try:
        if table.check_batch:
            table.check_batch(table, batch, using)
        instances = model._base_manager.using(using).bulk_create([instance for _, instance, _ in batch])
        if table.after_insert:
            table.after_insert(instances, lookups)
        for link in table.links:
            field = model._meta.get_field(link.name)
            through = field.remote_field.through
            owner_column, target_column = field.m2m_column_name(), field.m2m_reverse_name()
            through.objects.using(using).bulk_create(
                through(**{owner_column: owner.pk, target_column: pk})
                for _, owner, links in batch
                for pk in links[link.name]
            )
    except DatabaseError as error:
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        raise ArchiveError(f"{table.member}, {where}: the database refused the rows ({error})") from None
    return len(batch)


def _check_references(table: Table, using: str) -> None:
    """Every foreign key the database enforces points at a restored row. The
    history tables' keys to live rows are not enforced (a deleted span's
    history names it) and so are not checked."""
    model = table.model
    for field in model._meta.concrete_fields:
        if not field.is_relation or not field.db_constraint or field.related_model is ContentType:
            continue
        target = field.related_model
        strays = (
            model._base_manager.using(using)
            .filter(**{f"{field.attname}__isnull": False})
            .exclude(**{f"{field.attname}__in": target._base_manager.using(using).values("pk")})
            .values_list("pk", field.attname)[:1]
        )
        for pk, stray in strays:
            raise ArchiveError(
                f"{table.member}: row {pk} has {field.attname} {stray}, which is not in the archive's "
                f"{target._meta.db_table} table"
            )
