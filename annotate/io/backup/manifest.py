"""``manifest.json``: what an archive says it is (format, versions, migration
state, each member's rows and checksum), as the export writes it, and the
checks a restore makes of the archive against it before writing anything."""

import hashlib
import json
import tomllib
import zipfile
import zlib
from pathlib import Path

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from annotate.io.backup import ArchiveError
from annotate.io.backup.tables import archive_tables
from annotate.io.backup.values import timestamp
from annotate.rules import json_input

FORMAT_NAME = "sourcemark-project"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
# The apps whose tables the archive holds: an archive fits only a database
# whose schema is at the same migrations for each of them.
ARCHIVED_APPS = ("admin", "annotate", "auth", "contenttypes")
_READ_CHUNK = 1 << 16


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


def new_manifest(*, with_passwords: bool, using: str) -> dict:
    """The manifest of an archive written now, from the database ``using``
    (read inside the export's snapshot). Its ``tables`` is left empty for
    the export to add each member's entry as it writes the member."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "created_at": timestamp(timezone.now()),
        "sourcemark_version": sourcemark_version(),
        "django_version": django.get_version(),
        "migrations": latest_migrations(using),
        "passwords": with_passwords,
        "tables": [],
    }


def write_manifest(archive: zipfile.ZipFile, manifest: dict) -> None:
    archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


# A manifest lists a few dozen tables: anything near this is not one.
MAX_MANIFEST_BYTES = 1 << 20


def read_manifest(archive: zipfile.ZipFile) -> dict:
    """The archive's manifest, after checking it is ours, of a format version
    this installation reads, and lists exactly the tables it should."""
    names = archive.namelist()
    if MANIFEST_NAME not in names:
        raise ArchiveError(f"this is not a Sourcemark project archive: it has no {MANIFEST_NAME}")
    size = archive.getinfo(MANIFEST_NAME).file_size
    if size > MAX_MANIFEST_BYTES:
        raise ArchiveError(
            f"{MANIFEST_NAME} would unpack to {size:,} bytes; a manifest is at most {MAX_MANIFEST_BYTES:,}"
        )
    try:
        manifest = json_input.parse(archive.read(MANIFEST_NAME).decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ArchiveError(f"{MANIFEST_NAME} is not valid JSON ({error})") from None
    except json_input.JsonProblem as problem:
        raise ArchiveError(f"{MANIFEST_NAME} is {problem}") from None
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
