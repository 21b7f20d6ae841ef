"""When an API token stops working. Plain values only: the caller passes the
token's creation time, the configured lifetime (``settings.API_TOKEN_MAX_AGE``)
and "now", so the tests fix all three."""

from datetime import datetime, timedelta


def token_expires_at(created: datetime, max_age: timedelta | None) -> datetime | None:
    """The moment a token made at ``created`` stops working, or None when
    tokens never expire (``max_age`` None)."""
    return None if max_age is None else created + max_age


def token_is_expired(created: datetime, max_age: timedelta | None, *, now: datetime) -> bool:
    """Whether the token is refused at ``now``. The expiry moment itself
    counts as expired, so a lifetime of one day is at most one day."""
    expires = token_expires_at(created, max_age)
    return expires is not None and now >= expires
