"""Token sign-in for the API: DRF's ``Authorization: Token <key>``, and a
token older than ``settings.API_TOKEN_MAX_AGE`` is refused."""

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from annotate.rules.tokens import token_expires_at, token_is_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    """An expired token is a 401 in the API's error shape, saying it expired
    and when, so a script's owner knows to sign in again rather than hunt
    for a typo. The row is left for the next sign-in to replace: a refusal
    writes nothing."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        max_age = settings.API_TOKEN_MAX_AGE
        if token_is_expired(token.created, max_age, now=timezone.now()):
            expired = token_expires_at(token.created, max_age).astimezone(UTC)
            raise exceptions.AuthenticationFailed(
                f"This API token expired at {expired:%Y-%m-%dT%H:%M:%SZ}. "
                "Sign in again (POST /api/auth/token/) or make a new one on your account page (/account/)."
            )
        return user, token
