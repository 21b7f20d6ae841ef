import csv

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class AnnotateConfig(AppConfig):
    name = "annotate"
    verbose_name = "Sourcemark"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from annotate.actions import tokens

        # Auth does not know about API tokens; this is where they meet.
        post_save.connect(
            tokens.revoke_tokens_when_credentials_change,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="annotate.revoke_tokens_when_credentials_change",
        )

        from annotate.models import ARTICLE_TEXT_LIMIT

        # The csv module refuses a field over 131,072 characters, which is
        # a 20-page article. Every CSV Sourcemark reads (article files and
        # manifests, annotation exports, the admin's imports through tablib)
        # may hold a whole article in a field, so the limit is the article's.
        # Process-wide, as the csv module keeps it; set once, at start.
        csv.field_size_limit(ARTICLE_TEXT_LIMIT)
