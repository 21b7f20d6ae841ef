import csv

from django.apps import AppConfig


class AnnotateConfig(AppConfig):
    name = "annotate"
    verbose_name = "Sourcemark"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from annotate.models import ARTICLE_TEXT_LIMIT

        # The csv module refuses a field over 131,072 characters, which is
        # a 20-page article. Every CSV Sourcemark reads (article files and
        # manifests, annotation exports, the admin's imports through tablib)
        # may hold a whole article in a field, so the limit is the article's.
        # Process-wide, as the csv module keeps it; set once, at start.
        csv.field_size_limit(ARTICLE_TEXT_LIMIT)
