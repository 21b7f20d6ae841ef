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


class Command(BaseCommand):
    help = (
        "Export annotations as CSV, JSON, XLSX, W3C Web Annotation JSON-LD (w3c), doccano JSONL (doccano) "
        "or schema.org ClaimReview (claimreview) to standard output, or to --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
        parser.add_argument("--output", "-o", help="File to write; default: standard output.")
        parser.add_argument("--source", help="Only this source (by name).")
        parser.add_argument("--label", help="Only this label (by slug).")
        parser.add_argument("--reviewer", help="Only this reviewer (by username).")
        parser.add_argument("--article", type=int, help="Only this article (by id).")
        parser.add_argument("--layer", choices=Annotation.Layer.values, help="Only this layer.")

    def handle(self, *args, **options):
        criteria = AnnotationFilter(
            source=options["source"],
            label=options["label"],
            reviewer=options["reviewer"],
            article=options["article"],
            layer=options["layer"],
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
