import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.importing import import_annotations


class Command(BaseCommand):
    help = (
        "Import annotations from a CSV, JSON or XLSX export. The whole file is checked first, and a file with "
        "any bad row writes nothing; the rows are then written in one transaction, so an interrupted import "
        "leaves the database as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=("csv", "json", "xlsx"), help="Default: from the file's extension.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Print a line on stderr every 100 rows of each pass, e.g. 'writing: 300/2000 rows'.",
        )

    def handle(self, *args, file, format, dry_run, progress, **options):
        file_format = format or file.suffix.lower().lstrip(".")
        if file_format not in ("csv", "json", "xlsx"):
            raise CommandError(f"{file}: cannot tell the format from the extension; give --format csv|json|xlsx")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None

        def report_progress(stage, done, total):
            self.stderr.write(f"{stage}: {done}/{total} rows")
            sys.stderr.flush()

        report = import_annotations(
            data, file_format=file_format, dry_run=dry_run, progress=report_progress if progress else None
        )
        for problem in report.errors:
            self.stderr.write(self.style.ERROR(f"{file}: {problem}"))
        if report.errors:
            raise CommandError(f"{file}: {report.summary()}")
        self.stdout.write(f"{file}: {report.summary()}.")
