import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.importing import import_paths


class Command(BaseCommand):
    help = "Import articles from .txt files (and .json/.csv article records) or folders of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders to import.")
        parser.add_argument("--manifest", type=Path, help="CSV giving each .txt file its title, source, byline…")
        parser.add_argument("--source", help="Source name for articles that do not name one.")

    def handle(self, *args, paths, manifest, source, **options):
        show_progress = options["verbosity"] >= 1 and sys.stderr.isatty()

        def progress(number, total, name):
            if show_progress and total >= 20:
                self.stderr.write(f"\r[{number}/{total}] {name[-60:]:<60}", ending="")

        report = import_paths(paths, manifest=manifest, source=source, progress=progress)
        if show_progress:
            self.stderr.write("")
        for name, reason in report.failed:
            self.stderr.write(self.style.ERROR(f"{name}: {reason}"))
        self.stdout.write(f"Articles: {report.summary()}.")
        if report.failed:
            raise CommandError(f"{len(report.failed)} file(s) could not be imported; see the messages above.")
