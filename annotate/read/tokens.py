"""The user's API token as their account page shows it: when it was made and
when it stops working, never its key (shown once, when it is made)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from rest_framework.authtoken.models import Token

from annotate import permissions
from annotate.rules.tokens import token_expires_at, token_is_expired


@dataclass(frozen=True)
class TokenSummary:
    created: datetime
    expires_at: datetime | None  # None: tokens never expire
    expired: bool

    @classmethod
    def of(cls, created: datetime, *, max_age: timedelta | None, now: datetime) -> "TokenSummary":
        return cls(created, token_expires_at(created, max_age), token_is_expired(created, max_age, now=now))


def token_summary(*, user, max_age: timedelta | None, now: datetime) -> TokenSummary | None:
    """The user's own token, or None when they have none. One query.

    When it was last used is not here: DRF does not record it, and recording
    it would make every API read a write, which on SQLite queues behind the
    write lock an import holds for its whole run."""
    created = Token.objects.filter(permissions.own_tokens(user)).values_list("created", flat=True).first()
    return None if created is None else TokenSummary.of(created, max_age=max_age, now=now)
