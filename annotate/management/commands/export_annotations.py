import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from annotate.io.exports import (
    EXPORT_FORMATS,
    AnnotationFilter,
    ExportError,
    annotations_for_export,
    stream_annotations,
)
from annotate.models import Annotation

DATE_OPTIONS = {
    "published_from": "Only articles published on or after this day (YYYY-MM-DD).",
    "published_to": "Only articles published on or before this day.",
    "created_from": "Only spans made on or after this day (UTC).",
    "created_to": "Only spans made on or before this day (UTC).",
}


class Command(BaseCommand):
    help = (
        "Export annotations as CSV, JSON, XLSX, W3C Web Annotation JSON-LD (w3c), doccano JSONL (doccano), "
        "Label Studio tasks (labelstudio; its labeling config: labelstudio_config), Hypothesis's import file "
        "(hypothesis) or schema.org ClaimReview (claimreview) to standard output, or to --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
        parser.add_argument("--output", "-o", help="File to write; default: standard output.")
        parser.add_argument("--source", help="Only this source (by name).")
        parser.add_argument("--label", help="Only this label (by slug).")
        parser.add_argument("--reviewer", help="Only this reviewer (by username).")
        parser.add_argument("--article", type=int, help="Only this article (by id).")
        parser.add_argument("--layer", choices=Annotation.Layer.values, help="Only this layer.")
        for name, help_text in DATE_OPTIONS.items():
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=dt.date.fromisoformat, help=help_text)
        parser.add_argument(
            "--include-orphans",
            action="store_true",
            help="Also the orphaned spans (their words are gone from the article's current text), with the offsets "
            "of the version they were made on (article_version, anchor_state columns).",
        )

    def handle(self, *args, **options):
        criteria = AnnotationFilter(
            source=options["source"],
            label=options["label"],
            reviewer=options["reviewer"],
            article=options["article"],
            layer=options["layer"],
            **{name: options[name] for name in DATE_OPTIONS},
            include_orphans=options["include_orphans"],
        )
        if options["format"] == "xlsx" and not options["output"] and sys.stdout.isatty():
            raise CommandError("XLSX is binary; give --output FILE or redirect standard output.")
        try:
            chunks = stream_annotations(annotations_for_export(criteria), options["format"])
            if options["output"]:
                with open(options["output"], "wb") as handle:
                    for chunk in chunks:
                        handle.write(chunk)
            else:
                out = sys.stdout.buffer
                try:
                    for chunk in chunks:
                        out.write(chunk)
                    out.flush()
                except BrokenPipeError:
                    # `export_annotations | head`: the reader has all it wants.
                    sys.stderr.close()
        except ExportError as error:
            raise CommandError(str(error)) from None
