from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.io.annotations_in import import_annotation_file
from annotate.io.file_formats import IMPORT_FORMATS, import_format_for
from annotate.management.progress import stderr_progress


class Command(BaseCommand):
    help = (
        "Import annotations from a Sourcemark CSV/JSON/XLSX export, a W3C Web Annotation file (w3c) or a "
        "doccano JSONL file (doccano). The whole file is checked first, and a file with any bad row or line "
        "writes nothing (every problem is reported with its row, annotation or line number); the rows are then "
        "written in one transaction, so an interrupted import leaves the database as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            choices=IMPORT_FORMATS,
            help="Default: from the extension (.csv .json .xlsx, .jsonld = w3c, .jsonl = doccano).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument(
            "--reviewer", help="w3c/doccano: the username for annotations whose file does not name their author."
        )
        parser.add_argument("--source", help="doccano: the outlet for new articles whose line does not name one.")
        parser.add_argument(
            "--progress",
            action="store_true",
            help="CSV/JSON/XLSX: print a line on stderr every 100 rows of each pass, e.g. 'writing: 300/2000 rows'.",
        )

    def handle(self, *args, file, format, dry_run, reviewer, source, progress, **options):
        file_format = format or import_format_for(file.name)
        if file_format is None:
            raise CommandError(
                f"{file}: cannot tell the format from the extension; give --format csv|json|xlsx|w3c|doccano"
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None

        report = import_annotation_file(
            data,
            file_format,
            dry_run=dry_run,
            reviewer=reviewer,
            source=source,
            progress=stderr_progress(self, enabled=progress),
        )
        for problem in report.errors:
            self.stderr.write(self.style.ERROR(f"{file}: {problem}"))
        if report.errors:
            raise CommandError(f"{file}: {report.summary()}")
        self.stdout.write(f"{file}: {report.summary()}.")
