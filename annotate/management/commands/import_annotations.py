from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotate.io.annotations_in import import_annotation_file, import_format_of
from annotate.io.file_formats import IMPORT_FORMATS
from annotate.io.interop.drafts import name_map
from annotate.management.progress import stderr_progress


class Command(BaseCommand):
    help = (
        "Import annotations from a Sourcemark CSV/JSON/XLSX export, a W3C Web Annotation file (w3c), a "
        "doccano JSONL file (doccano), Label Studio tasks (labelstudio: its JSON, JSON-MIN or JSONL export) or "
        "Hypothesis annotations (hypothesis: its API's search response, its client's export or its JSON-LD). "
        "The whole file is checked first, and a file with any bad row or line "
        "writes nothing (every problem is reported with its row, annotation or line number); the rows are then "
        "written in one transaction, so an interrupted import leaves the database as it was. The import runs "
        "as --user, with that user's rights: every row must be one they could write on the page, and the file's "
        "authors and times are not taken unless --keep-authors (staff only). The command trusts whoever runs it "
        "to say who they are, as manage.py does with every command."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            required=True,
            help="Who imports: the rows are checked against their rights, and history names them.",
        )
        parser.add_argument(
            "--keep-authors",
            action="store_true",
            help="Staff restoring data: take each span's reviewer and created/updated times from the file.",
        )
        parser.add_argument(
            "--format",
            choices=IMPORT_FORMATS,
            help="Default: from the extension (.csv .json .xlsx, .jsonld = w3c, .jsonl = doccano); a .json or "
            ".jsonl file of Label Studio tasks is labelstudio, a .json or .jsonld file of Hypothesis's is hypothesis.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument(
            "--reviewer",
            help="w3c/doccano/labelstudio/hypothesis: the username for annotations whose file does not name their "
            "author, or (labelstudio, hypothesis) names someone who is no Sourcemark user.",
        )
        parser.add_argument(
            "--source", help="doccano/labelstudio: the outlet for new articles whose line or task does not name one."
        )
        parser.add_argument(
            "--user-map",
            action="append",
            default=[],
            metavar="THEIRS=USERNAME",
            help="labelstudio/hypothesis: whose annotations an annotator's id or email (Label Studio's "
            "completed_by) or a Hypothesis account are, e.g. 7=ana, alice@example.org=ana, "
            "acct:alice@hypothes.is=ana; repeat for each. Wins over a matching email.",
        )
        parser.add_argument(
            "--label-map",
            action="append",
            default=[],
            metavar="THEIRS=SLUG",
            help="labelstudio/hypothesis: which of our labels a label (or Hypothesis tag) of the file's is, e.g. "
            "PER=fact or spin=opinion; repeat for each.",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="CSV/JSON/XLSX: print a line on stderr every 100 rows of each pass, e.g. 'writing: 300/2000 rows'.",
        )

    def handle(self, *args, file, format, user, keep_authors, dry_run, reviewer, source, progress, **options):
        importer = get_user_model().objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"--user {user!r}: no active user has that username")
        try:
            user_map = name_map(options["user_map"], option="--user-map")
            label_map = name_map(options["label_map"], option="--label-map")
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        file_format = format or import_format_of(data, file.name)
        if file_format is None:
            raise CommandError(
                f"{file}: cannot tell the format from the extension; give --format {'|'.join(IMPORT_FORMATS)}"
            )

        report = import_annotation_file(
            data,
            file_format,
            user=importer,
            keep_authors=keep_authors,
            dry_run=dry_run,
            reviewer=reviewer,
            source=source,
            user_map=user_map,
            label_map=label_map,
            progress=stderr_progress(self, enabled=progress),
        )
        for problem in report.errors:
            self.stderr.write(self.style.ERROR(f"{file}: {problem}"))
        if report.errors:
            raise CommandError(f"{file}: {report.summary()}")
        self.stdout.write(f"{file}: {report.summary()}.")
