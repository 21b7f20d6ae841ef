from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.importing import import_annotations


class Command(BaseCommand):
    help = "Import annotations from a CSV, JSON or XLSX export. A file with any bad row writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=("csv", "json", "xlsx"), help="Default: from the file's extension.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, format, dry_run, **options):
        file_format = format or file.suffix.lower().lstrip(".")
        if file_format not in ("csv", "json", "xlsx"):
            raise CommandError(f"{file}: cannot tell the format from the extension; give --format csv|json|xlsx")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        report = import_annotations(data, file_format=file_format, dry_run=dry_run)
        for problem in report.errors:
            self.stderr.write(self.style.ERROR(f"{file}: {problem}"))
        if report.errors:
            raise CommandError(f"{file}: {report.summary()}")
        self.stdout.write(f"{file}: {report.summary()}.")
