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
