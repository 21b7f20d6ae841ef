import sys

from django.core.management.base import BaseCommand, CommandError

from annotate.io.interop.labelstudio import labeling_config_of_labels


class Command(BaseCommand):
    help = (
        "Print the Label Studio labeling config (XML) for Sourcemark's labels: paste it into a Label Studio "
        "project's Settings > Labeling Interface > Code before importing an export_annotations --format "
        "labelstudio file, so every span shows with its label, colour and key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write; default: standard output.")

    def handle(self, *args, output, **options):
        config = labeling_config_of_labels()
        if not output:
            sys.stdout.write(config)
            return
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(config)
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror or error}") from None
