"""Issuing API tokens (DRF's ``Token``: one per user, its key the secret
itself). ``POST /api/auth/token/`` comes here."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotate.rules.tokens import token_is_expired


@transaction.atomic
def token_issue(*, user) -> Token:
    """A new token for ``user``, replacing the one they had (which stops
    working at once)."""
    _lock_user(user)
    return _replace_token(user)


@transaction.atomic
def token_get_or_issue(*, user, max_age: timedelta | None, now: datetime | None = None) -> Token:
    """The token a sign-in hands back: the user's current one while it
    works, else (none yet, or expired) a new one."""
    _lock_user(user)
    token = Token.objects.filter(user=user).first()
    if token is not None and not token_is_expired(token.created, max_age, now=now or timezone.now()):
        return token
    return _replace_token(user)


def _replace_token(user) -> Token:
    Token.objects.filter(user=user).delete()
    token = Token(user=user, key=Token.generate_key())
    # The key is random and the old row is gone; the primary key and the
    # one-per-user constraint are the database's to enforce.
    token.full_clean(validate_unique=False)
    token.save(force_insert=True)
    return token


def _lock_user(user) -> None:
    """Hold the user's row until the transaction ends, so two sign-ins at
    once cannot both replace an expired token (the second insert would
    break the one-token-per-user constraint). SQLite's IMMEDIATE
    transactions already run one at a time; this is for PostgreSQL."""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
