import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.io.articles_in import import_paths
from annotate.io.url_imports import import_urls, looks_like_url


class Command(BaseCommand):
    help = (
        "Import articles from files or folders of them, or from http(s) URLs: web pages saved from a browser "
        "(.html, .htm: the article's text, title, byline, date, canonical URL and outlet, without the page's "
        "navigation, banners, related links or comments), PDFs with a text layer (.pdf), Word (.docx) and "
        "OpenDocument (.odt) documents, plain text (.txt), and .json/.csv article records. A file is read as what "
        "its content is (a page saved as .txt is read as a page); other suffixes are refused. An argument that is "
        "an http(s) URL is fetched (in this process, no worker needed) and its article imported, each URL on its "
        "own, before the files. An article that names no source goes to the outlet whose domain matches its URL's "
        "(a subdomain matches its parent), else the one named by the page's site name, else a new one. The run is "
        "one transaction, committed when the last file is done: an interrupted run (killed, out of power) leaves "
        "the database as it was. A bad file is named with its reason and left out, each file whole or not at "
        "all, while the other files go in (the command then exits non-zero); with --all-or-nothing any bad file "
        "rolls back the whole run. On SQLite the run holds the write lock until it ends, so the app's own writes "
        "wait for it (up to SQLITE_BUSY_TIMEOUT, 5 s, then answer 503): import large folders when nobody is "
        "reviewing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders to import, or http(s) URLs of articles.")
        parser.add_argument(
            "--manifest", type=Path, help="CSV giving each file its title, source, byline… (over what a page says)"
        )
        parser.add_argument("--source", help="Source name for articles that do not name one.")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="Write nothing unless every file can be imported."
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Print a line on stderr as each file is done, e.g. [12/400] path (default: only on a terminal).",
        )

    def handle(self, *args, paths, manifest, source, all_or_nothing, progress, **options):
        urls = [p for p in paths if looks_like_url(p)]
        paths = [Path(p) for p in paths if not looks_like_url(p)]
        if urls and all_or_nothing:
            raise CommandError("--all-or-nothing covers files only; import the URLs in a run of their own")
        on_terminal = options["verbosity"] >= 1 and sys.stderr.isatty() and not progress

        def report_progress(number, total, name):
            if progress:
                self.stderr.write(f"[{number}/{total}] {name}")
                sys.stderr.flush()
            elif on_terminal and total >= 20:
                self.stderr.write(f"\r[{number}/{total}] {name[-60:]:<60}", ending="")

        # Each URL is fetched outside any transaction (a slow site must not
        # hold the database's write lock) and imported in its own.
        report = import_urls(urls)
        if paths:
            files = import_paths(
                paths, manifest=manifest, source=source, all_or_nothing=all_or_nothing, progress=report_progress
            )
            for name in ("created", "updated", "revised", "unchanged", "failed"):
                getattr(report, name).extend(getattr(files, name))
            report.rolled_back = files.rolled_back
        if on_terminal:
            self.stderr.write("")
        for name, reason in report.failed:
            self.stderr.write(self.style.ERROR(f"{name}: {reason}"))
        self.stdout.write(f"Articles: {report.summary()}.")
        if report.failed:
            what = "file(s) or URL(s)" if urls else "file(s)"
            raise CommandError(f"{len(report.failed)} {what} could not be imported; see the messages above.")
