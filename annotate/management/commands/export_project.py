from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.io.backup import ArchiveError
from annotate.io.backup.export import project_export
from annotate.management.progress import stderr_progress


class Command(BaseCommand):
    help = (
        "Write the whole project into one archive FILE (a zip): users and groups, sources, labels, articles, "
        "both layers of spans, assignments, adjudications, their history and the admin log. import_project "
        "restores it into an empty database. Password hashes are included by default, so restored users sign "
        "in as before; the archive is written readable only by you. --without-passwords leaves them out (for "
        "an archive to share): restored users then need a new password (`manage.py changepassword`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to write, e.g. project.zip (replaced if it exists).")
        parser.add_argument(
            "--without-passwords",
            action="store_true",
            help="Leave the users' password hashes out; restored users get an unusable password.",
        )
        parser.add_argument("--progress", action="store_true", help="Print each table's progress on stderr.")

    def handle(self, *args, file, without_passwords, progress, **options):
        try:
            manifest = project_export(
                file, with_passwords=not without_passwords, progress=stderr_progress(self, enabled=progress)
            )
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        rows = sum(entry["rows"] for entry in manifest["tables"])
        passwords = "with password hashes" if manifest["passwords"] else "without passwords"
        self.stdout.write(f"{file}: {rows} rows in {len(manifest['tables'])} tables, {passwords}.")
