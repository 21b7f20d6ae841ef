"""A whole project in one file: ``export_project`` writes every table
Sourcemark keeps into one archive, ``import_project`` restores it into an
empty database.

The archive is a zip. Each table is one JSON Lines member (one row per line,
ordered by primary key, ids as in the database it came from, so history rows
that name ids still line up after a restore), and ``manifest.json`` says what
the archive is: its format name and version, the app version and the
migration state it was written at, when, and each member's row count and
SHA-256. Rows are streamed in both directions, so memory stays flat however
large the project is.

Permissions and content types are not archived: ``migrate`` makes them, with
ids that differ between databases, so rows refer to them by natural key
(``[app_label, codename]``, ``[app_label, model]``).
"""

import datetime as dt
import hashlib
import importlib
import json
import os
import tempfile
import tomllib
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from annotate.models import Adjudication, Annotation, Article, Assignment, Label, Source

FORMAT_NAME = "sourcemark-project"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
# The apps whose tables the archive holds: an archive fits only a database
# whose schema is at the same migrations for each of them.
ARCHIVED_APPS = ("admin", "annotate", "auth", "contenttypes")
BATCH_SIZE = 1000
_READ_CHUNK = 1 << 16
_INTEGER_KINDS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}

Progress = Callable[[str, int, int], None]
"""Called as ``progress(table, rows_done, rows_in_table)`` after each batch."""


class ArchiveError(Exception):
    """The archive cannot be restored (or written); the message says why."""


@dataclass(frozen=True)
class Table:
    """One archived table. ``name`` is the database table's name, so a
    reader of the archive knows where each member's rows lived."""

    model: type[models.Model]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def member(self) -> str:
        return f"{self.name}.jsonl"


def archive_tables() -> list[Table]:
    """Every archived table, in an order where each row's references come
    before it (the order import_project inserts them in)."""
    return [
        Table(Group),
        Table(get_user_model()),
        Table(Source),
        Table(Label),
        Table(Article),
        Table(Annotation),
        Table(Assignment),
        Table(Adjudication),
        Table(Annotation.history.model),
        Table(Assignment.history.model),
        Table(Adjudication.history.model),
        Table(LogEntry),
    ]


# ---- export -----------------------------------------------------------------------


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
                manifest = {
                    "format": FORMAT_NAME,
                    "format_version": FORMAT_VERSION,
                    "created_at": _timestamp(timezone.now()),
                    "sourcemark_version": sourcemark_version(),
                    "django_version": django.get_version(),
                    "migrations": latest_migrations(using),
                    "passwords": with_passwords,
                    "tables": [],
                }
                for table in archive_tables():
                    rows, digest = _write_member(archive, table, with_passwords, progress, using)
                    manifest["tables"].append(
                        {"name": table.name, "member": table.member, "rows": rows, "sha256": digest}
                    )
            archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
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
        for row in _export_rows(table.model, with_passwords=with_passwords, using=using):
            line = _json_line(row)
            member.write(line)
            digest.update(line)
            rows += 1
            if progress and rows % BATCH_SIZE == 0:
                progress(table.name, rows, total)
    if progress:
        progress(table.name, rows, rows)
    return rows, digest.hexdigest()


def _export_rows(model, *, with_passwords: bool, using: str) -> Iterator[dict]:
    """The table's rows as JSON-ready dicts, keyed by column (``attname``)."""
    columns = [field.attname for field in model._meta.concrete_fields]
    User = get_user_model()
    groups_of: dict[int, list[int]] = {}
    permissions_of: dict[int, list[list[str]]] = {}
    content_types: dict[int, list[str]] = {}
    # Users, groups and content types are few: their links fit in memory.
    if model is Group:
        permissions_of = _permission_keys(Group.permissions.through, "group_id", using)
    elif model is User:
        groups_of = defaultdict(list)
        for user_id, group_id in (
            User.groups.through.objects.using(using).order_by("user_id", "group_id").values_list("user_id", "group_id")
        ):
            groups_of[user_id].append(group_id)
        permissions_of = _permission_keys(User.user_permissions.through, "user_id", using)
    elif model is LogEntry:
        content_types = {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.using(using)}
    queryset = model._base_manager.using(using).order_by("pk").values_list(*columns)
    for values in queryset.iterator(chunk_size=BATCH_SIZE):
        row = {column: _json_value(value) for column, value in zip(columns, values, strict=True)}
        if model is Group:
            row["permissions"] = permissions_of.get(row["id"], [])
        elif model is User:
            if not with_passwords:
                row["password"] = None
            row["groups"] = groups_of.get(row["id"], [])
            row["user_permissions"] = permissions_of.get(row["id"], [])
        elif model is LogEntry:
            content_type_id = row.pop("content_type_id")
            row["content_type"] = content_types.get(content_type_id)
        yield row


def _permission_keys(through, owner_column: str, using: str) -> dict[int, list[list[str]]]:
    keys = defaultdict(list)
    links = through.objects.using(using).values_list(
        owner_column, "permission__content_type__app_label", "permission__codename"
    )
    for owner_id, app_label, codename in links.order_by(
        owner_column, "permission__content_type__app_label", "permission__codename"
    ):
        keys[owner_id].append([app_label, codename])
    return keys


def _json_line(row: dict) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _json_value(value):
    if isinstance(value, dt.datetime):
        return _timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _timestamp(value: dt.datetime) -> str:
    # One fixed shape (UTC, always microseconds), so the same row reads the
    # same from SQLite and PostgreSQL and two exports compare line by line.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def sourcemark_version() -> str:
    """The version in pyproject.toml, or "unknown" where it is not shipped."""
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def latest_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The latest applied migration of each archived app, e.g.
    ``{"annotate": "0007_article_word_count", ...}``. Migration names start
    with a zero-padded number, so the greatest name is the latest."""
    applied = MigrationLoader(connections[using], ignore_no_migrations=True).applied_migrations
    latest: dict[str, str] = {}
    for app_label, name in applied:
        if app_label in ARCHIVED_APPS and name > latest.get(app_label, ""):
            latest[app_label] = name
    return dict(sorted(latest.items()))


# ---- import -----------------------------------------------------------------------


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
        manifest = read_manifest(archive)
        check_members(archive, manifest)
        check_migrations(manifest, using)
        with transaction.atomic(using=using):
            check_database_empty(using)
            counts = _restore(archive, manifest, progress, using)
    return counts


def read_manifest(archive: zipfile.ZipFile) -> dict:
    """The archive's manifest, after checking it is ours, of a format version
    this installation reads, and lists exactly the tables it should."""
    names = archive.namelist()
    if MANIFEST_NAME not in names:
        raise ArchiveError(f"this is not a Sourcemark project archive: it has no {MANIFEST_NAME}")
    try:
        manifest = json.loads(archive.read(MANIFEST_NAME).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArchiveError(f"{MANIFEST_NAME} is not valid JSON ({error})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise ArchiveError(f"{MANIFEST_NAME} is damaged ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ArchiveError(
            f"this is not a Sourcemark project archive: its {MANIFEST_NAME} gives format {found!r}, not {FORMAT_NAME!r}"
        )
    version = manifest.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ArchiveError(f"{MANIFEST_NAME}: format_version {version!r} is not a version number")
    if version > FORMAT_VERSION:
        raise ArchiveError(
            f"the archive is format version {version}, written by a newer Sourcemark "
            f"({manifest.get('sourcemark_version', 'unknown')}); this one reads up to version {FORMAT_VERSION}. "
            f"Upgrade Sourcemark to import it."
        )
    tables = manifest.get("tables")
    if not isinstance(tables, list) or not all(
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("member"), str)
        and isinstance(entry.get("rows"), int)
        and isinstance(entry.get("sha256"), str)
        for entry in tables
    ):
        raise ArchiveError(f"{MANIFEST_NAME}: 'tables' must be a list of {{name, member, rows, sha256}}")
    expected = {table.name: table.member for table in archive_tables()}
    listed = {entry["name"]: entry["member"] for entry in tables}
    unknown = sorted(set(listed) - set(expected))
    missing = sorted(set(expected) - set(listed))
    if unknown:
        raise ArchiveError(f"{MANIFEST_NAME} lists table(s) this Sourcemark does not know: {', '.join(unknown)}")
    if missing:
        raise ArchiveError(f"{MANIFEST_NAME} does not list the table(s) {', '.join(missing)}")
    if len(tables) != len(listed) or listed != expected:
        raise ArchiveError(f"{MANIFEST_NAME} lists a table twice or under another member name")
    if not isinstance(manifest.get("migrations"), dict):
        raise ArchiveError(f"{MANIFEST_NAME} does not give the migration state it was written at")
    strangers = sorted(set(names) - set(expected.values()) - {MANIFEST_NAME})
    if strangers:
        raise ArchiveError(f"the archive holds member(s) a Sourcemark archive does not: {', '.join(strangers)}")
    return manifest


def check_members(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Read every member once: present, undamaged, as many rows as the
    manifest says, and the SHA-256 it gives."""
    present = set(archive.namelist())
    for entry in manifest["tables"]:
        member = entry["member"]
        if member not in present:
            raise ArchiveError(f"member {member} is missing from the archive")
        digest = hashlib.sha256()
        lines = 0
        last = b"\n"
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(_READ_CHUNK):
                    digest.update(chunk)
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise ArchiveError(f"member {member} is damaged ({error})") from None
        if last != b"\n":
            raise ArchiveError(
                f"member {member} ends in the middle of a row (line {lines + 1}): the archive is truncated or damaged"
            )
        if lines != entry["rows"]:
            raise ArchiveError(
                f"member {member} holds {lines} row(s) where {MANIFEST_NAME} says {entry['rows']}: "
                f"the archive is truncated or damaged"
            )
        if digest.hexdigest() != entry["sha256"]:
            raise ArchiveError(f"member {member} does not match its SHA-256 in {MANIFEST_NAME}: it is damaged")


def check_migrations(manifest: dict, using: str) -> None:
    """The archive's rows fit this database's schema only at the same
    migrations; name the first app that differs and what to do."""
    connection = connections[using]
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    here = latest_migrations(using)
    archived = manifest["migrations"]
    for app_label in ARCHIVED_APPS:
        theirs, ours = archived.get(app_label), here.get(app_label)
        if theirs == ours:
            continue
        if not isinstance(theirs, str):
            raise ArchiveError(f"{MANIFEST_NAME} gives no migration state for {app_label}")
        if (app_label, theirs) not in loader.disk_migrations:
            raise ArchiveError(
                f"the archive was written at migration {app_label}.{theirs}, which this Sourcemark does not have: "
                f"it comes from a newer version ({manifest.get('sourcemark_version', 'unknown')}); upgrade first"
            )
        if (app_label, theirs) not in loader.applied_migrations:
            raise ArchiveError(
                f"this database is not migrated to {app_label}.{theirs}, where the archive was written "
                f"(it is at {ours or 'nothing'}); run `manage.py migrate` first"
            )
        raise ArchiveError(
            f"the archive was written at {app_label}.{theirs}, older than this database's {app_label}.{ours}: "
            f"restore it with the Sourcemark version that wrote it ({manifest.get('sourcemark_version', 'unknown')}), "
            f"then upgrade and run `manage.py migrate`"
        )


def _seeded_rows():
    """The labels and groups the data migrations make: a migrated database
    holds them before anyone has used it."""
    labels = importlib.import_module("annotate.migrations.0002_default_labels").DEFAULT_LABELS
    roles = importlib.import_module("annotate.migrations.0005_roles").ROLES
    return labels, roles


def database_contents(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What the database holds beyond a fresh ``migrate``, one phrase per
    kind of row (empty when there is nothing): users, articles, spans… and
    labels or groups that differ from the ones the migrations make."""
    found = []
    for table in archive_tables():
        if table.model in (Label, Group):
            continue
        count = table.model._base_manager.using(using).count()
        if count:
            found.append(f"{count} {table.model._meta.verbose_name_plural}")
    default_labels, roles = _seeded_rows()
    seeded_labels = {
        (slug, name, colour, shortcut, order, description)
        for slug, name, colour, shortcut, order, description in default_labels
    }
    labels = Label.objects.using(using).values_list("slug", "name", "colour", "shortcut", "order", "description")
    other_labels = sorted(row[0] for row in labels if row not in seeded_labels)
    if other_labels:
        found.append(f"labels other than the defaults ({', '.join(other_labels)})")
    group_permissions = defaultdict(set)
    for name, codename in Group.permissions.through.objects.using(using).values_list(
        "group__name", "permission__codename"
    ):
        group_permissions[name].add(codename)
    other_groups = sorted(
        name
        for name in Group.objects.using(using).values_list("name", flat=True)
        if name not in roles or group_permissions[name] != set(roles[name])
    )
    if other_groups:
        found.append(f"groups other than the default roles ({', '.join(other_groups)})")
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
    Label.objects.using(using).all().delete()
    Group.objects.using(using).all().delete()
    entries = {entry["name"]: entry for entry in manifest["tables"]}
    lookups = _Lookups(using)
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


class _Lookups:
    """Natural keys of the rows ``migrate`` makes, to their ids here."""

    def __init__(self, using: str):
        self.permissions = {
            (app_label, codename): pk
            for pk, app_label, codename in Permission.objects.using(using).values_list(
                "pk", "content_type__app_label", "codename"
            )
        }
        self.content_types = {
            (app_label, model): pk
            for pk, app_label, model in ContentType.objects.using(using).values_list("pk", "app_label", "model")
        }
        self.group_ids: set[int] = set()


class _RowProblem(Exception):
    pass


def _restore_table(
    archive, table: Table, total: int, lookups: _Lookups, *, progress: Progress | None, using: str
) -> int:
    model = table.model
    batch: list[tuple[int, models.Model, dict]] = []
    done = 0
    for number, row in _read_rows(archive, table.member):
        try:
            instance, links = _instance_from_row(model, row, lookups)
        except _RowProblem as problem:
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
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                raise ArchiveError(f"{member}, line {number}: not UTF-8") from None
            except json.JSONDecodeError as error:
                raise ArchiveError(
                    f"{member}, line {number}: not valid JSON ({error.msg} at column {error.colno})"
                ) from None
            if not isinstance(row, dict):
                raise ArchiveError(f"{member}, line {number}: not a JSON object")
            yield number, row


def _instance_from_row(model, row: dict, lookups: _Lookups) -> tuple[models.Model, dict]:
    """A model instance from one archived row, its fields checked; and the
    links that live in other tables (a user's groups, a group's permissions)."""
    User = get_user_model()
    fields = {field.attname: field for field in model._meta.concrete_fields}
    expected = set(fields)
    links: dict = {}
    if model is Group:
        expected.add("permissions")
    elif model is User:
        expected |= {"groups", "user_permissions"}
    elif model is LogEntry:
        expected = (expected - {"content_type_id"}) | {"content_type"}
    missing, unknown = sorted(expected - set(row)), sorted(set(row) - expected)
    if missing:
        raise _RowProblem(f"missing field(s) {', '.join(missing)}")
    if unknown:
        raise _RowProblem(f"unknown field(s) {', '.join(unknown)}")
    values = {}
    for attname, field in fields.items():
        if model is LogEntry and attname == "content_type_id":
            values[attname] = _content_type_id(row["content_type"], lookups)
        elif model is User and attname == "password" and row["password"] is None:
            # Exported without passwords: the user signs in again only after
            # an admin sets one (or `manage.py changepassword`).
            values[attname] = make_password(None)
        else:
            values[attname] = _python_value(field, row[attname])
    if model is Group:
        links["permissions"] = _permission_ids(row["permissions"], lookups)
    elif model is User:
        groups = row["groups"]
        if not isinstance(groups, list) or not all(isinstance(g, int) and not isinstance(g, bool) for g in groups):
            raise _RowProblem("groups must be a list of group ids")
        strangers = sorted(set(groups) - lookups.group_ids)
        if strangers:
            raise _RowProblem(f"groups {strangers} are not in the archive's {Group._meta.db_table} table")
        links["groups"] = groups
        links["user_permissions"] = _permission_ids(row["user_permissions"], lookups)
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
    if model is User:
        # A hash is not user input, and "" is what a user made without a
        # password holds (create() rather than create_user()).
        exclude.add("password")
        if len(values["password"]) > 128:
            raise _RowProblem("password: longer than a password hash can be (128 characters)")
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        raise _RowProblem(_describe(error)) from None
    return instance, links


def _python_value(field, value):
    """The archived JSON value as the field's Python value, refusing values
    of the wrong kind instead of coercing them (a 1.5 is not an offset)."""
    if value is None:
        if not field.null:
            raise _RowProblem(f"{field.attname} must not be null")
        return None
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in _INTEGER_KINDS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _RowProblem(f"{field.attname} must be a whole number, got {value!r}")
        return value
    if kind == "BooleanField":
        if not isinstance(value, bool):
            raise _RowProblem(f"{field.attname} must be true or false, got {value!r}")
        return value
    if not isinstance(value, str):
        raise _RowProblem(f"{field.attname} must be text, got {value!r}")
    if kind in ("DateTimeField", "DateField"):
        try:
            parsed = target.to_python(value)
        except ValidationError:
            parsed = None
        if parsed is None:
            raise _RowProblem(f"{field.attname}: {value!r} is not a valid {'date' if kind == 'DateField' else 'time'}")
        if kind == "DateTimeField" and timezone.is_naive(parsed):
            raise _RowProblem(f"{field.attname}: {value!r} has no time zone")
        return parsed
    return value


def _permission_ids(keys, lookups: _Lookups) -> list[int]:
    if not isinstance(keys, list) or not all(
        isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key) for key in keys
    ):
        raise _RowProblem("permissions must be a list of [app_label, codename] pairs")
    ids = []
    for app_label, codename in keys:
        pk = lookups.permissions.get((app_label, codename))
        if pk is None:
            raise _RowProblem(f"permission {app_label}.{codename} does not exist here")
        ids.append(pk)
    return ids


def _content_type_id(key, lookups: _Lookups) -> int | None:
    if key is None:
        return None
    if not (isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key)):
        raise _RowProblem("content_type must be [app_label, model] or null")
    pk = lookups.content_types.get(tuple(key))
    if pk is None:
        raise _RowProblem(f"content type {key[0]}.{key[1]} does not exist here")
    return pk


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)


def _insert(table: Table, batch: list[tuple[int, models.Model, dict]], lookups: _Lookups, using: str) -> int:
    model = table.model
    first, last = batch[0][0], batch[-1][0]
    try:
        if model is Article:
            for number, article, _ in batch:
                _check_article(article, table, number)
        elif model is Annotation:
            _check_spans(batch, table, using)
        model._base_manager.using(using).bulk_create([instance for _, instance, _ in batch])
        if model is Group:
            lookups.group_ids.update(instance.pk for _, instance, _ in batch)
            through = Group.permissions.through
            through.objects.using(using).bulk_create(
                through(group_id=group.pk, permission_id=pk) for _, group, links in batch for pk in links["permissions"]
            )
        elif model is get_user_model():
            for name in ("groups", "user_permissions"):
                through = getattr(model, name).through
                column = "group_id" if name == "groups" else "permission_id"
                through.objects.using(using).bulk_create(
                    through(user_id=user.pk, **{column: pk}) for _, user, links in batch for pk in links[name]
                )
    except DatabaseError as error:
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        raise ArchiveError(f"{table.member}, {where}: the database refused the rows ({error})") from None
    return len(batch)


def _check_article(article: Article, table: Table, number: int) -> None:
    archived_sha256 = article.sha256
    try:
        # Checks the text is normalised; sets sha256 and word_count from it.
        article.clean()
    except ValidationError as error:
        raise ArchiveError(f"{table.member}, line {number}: {_describe(error)}") from None
    if article.sha256 != archived_sha256:
        raise ArchiveError(f"{table.member}, line {number}: sha256 does not match the article's text")


def _check_spans(batch, table: Table, using: str) -> None:
    """Each span against its article's text, through ``Annotation.clean``
    (``offsets.validate_span``); the batch's texts come in one query."""
    article_ids = {annotation.article_id for _, annotation, _ in batch}
    texts = dict(Article.objects.using(using).filter(pk__in=article_ids).values_list("pk", "text"))
    for number, annotation, _ in batch:
        text = texts.get(annotation.article_id)
        if text is None:
            raise ArchiveError(
                f"{table.member}, line {number}: article {annotation.article_id} is not in the archive's "
                f"{Article._meta.db_table} table"
            )
        annotation.article = Article(pk=annotation.article_id, text=text)
        try:
            annotation.clean()
        except ValidationError as error:
            raise ArchiveError(f"{table.member}, line {number}: {_describe(error)}") from None


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
