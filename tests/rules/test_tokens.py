"""annotate/rules/tokens.py: plain values, no database. "Now" is fixed here."""

from datetime import UTC, datetime, timedelta

from annotate.rules.tokens import token_expires_at, token_is_expired

MADE = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
A_MONTH = timedelta(days=30)


def test_a_token_expires_its_lifetime_after_it_was_made():
    assert token_expires_at(MADE, A_MONTH) == datetime(2025, 4, 4, 10, 0, tzinfo=UTC)


def test_without_a_lifetime_a_token_never_expires():
    assert token_expires_at(MADE, None) is None
    assert token_is_expired(MADE, None, now=datetime(2999, 1, 1, tzinfo=UTC)) is False


def test_a_token_works_until_the_moment_it_expires_and_not_at_it():
    expires = datetime(2025, 4, 4, 10, 0, tzinfo=UTC)

    assert token_is_expired(MADE, A_MONTH, now=expires - timedelta(microseconds=1)) is False
    assert token_is_expired(MADE, A_MONTH, now=expires) is True
    assert token_is_expired(MADE, A_MONTH, now=expires + timedelta(days=400)) is True


def test_a_token_made_just_now_works():
    assert token_is_expired(MADE, timedelta(days=1), now=MADE) is False
