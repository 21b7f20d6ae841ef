"""Issuing and revoking API tokens (DRF's ``Token``: one per user, its key
the secret itself).

The account page, ``POST /api/auth/token/`` and the user model's save come
here. A user's token is revoked whenever their credentials change: a new
password (the account page, the admin, ``manage.py changepassword``,
``set_password`` and ``save`` in code), password sign-in switched off, or
the account deactivated. Auth knows nothing of tokens, so revocation is a
receiver of the user model's ``post_save`` (connected in
``annotate/apps.py``) rather than a call in every place that saves a user.
Bulk ``QuerySet.update()`` sends no signal and is not covered: change users
one by one, as the admin and the commands do."""

import logging
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotate.rules.tokens import token_is_expired

log = logging.getLogger(__name__)


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


@transaction.atomic
def tokens_revoke(*, user, reason: str) -> int:
    """Delete the user's API tokens; returns how many there were. ``reason``
    goes to the log, so an operator can tell a revocation from a bug."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        log.info("Revoked the API token of %s: %s", user.get_username(), reason)
    return deleted


def revoke_tokens_when_credentials_change(sender, instance, created, **kwargs) -> None:
    """post_save receiver on the user model."""
    if created:
        return
    # set_password() keeps the raw password in _password until the save,
    # which is how AbstractBaseUser.save() knows to tell the password
    # validators the password changed. Re-hashing at sign-in (a stronger
    # hasher, more iterations) clears it first: it is not a change, and
    # must not break every script after a Django upgrade.
    # tests/actions/test_tokens.py pins both, should Django rename it.
    if getattr(instance, "_password", None) is not None:
        reason = "password changed"
    elif not instance.is_active:
        reason = "user deactivated"
    elif not instance.has_usable_password():
        reason = "password sign-in switched off"
    else:
        return
    tokens_revoke(user=instance, reason=reason)


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
