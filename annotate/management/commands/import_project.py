from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.io.backup import ArchiveError
from annotate.io.backup.restore import project_import
from annotate.management.progress import stderr_progress


class Command(BaseCommand):
    help = (
        "Restore an archive written by export_project into an empty database: one that has been migrated "
        "(`manage.py migrate`) and holds nothing but the default labels and roles the migrations make, which "
        "the archive's own replace. Ids are kept as they were. The archive is checked first (it is a Sourcemark "
        "archive of a format version and migration state this installation reads, no member is missing, "
        "truncated or altered) and every row is validated through the models; all of it is written in one "
        "transaction, so any problem, or the process being killed, leaves the database as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="An archive written by export_project.")
        parser.add_argument("--progress", action="store_true", help="Print each table's progress on stderr.")

    def handle(self, *args, file, progress, **options):
        try:
            counts = project_import(file, progress=stderr_progress(self, enabled=progress))
        except ArchiveError as error:
            raise CommandError(f"{file}: {error}; nothing was imported.") from None
        self.stdout.write(f"{file}: restored {sum(counts.values())} rows in {len(counts)} tables.")
