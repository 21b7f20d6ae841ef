"""Tokens for scripts."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from annotate.actions import tokens
from annotate.api.parsers import JsonParser
from annotate.api.views.common import LoginExempt
from annotate.rules.tokens import token_expires_at
from annotate.web import login_throttle

TOKEN_RESPONSE = {
    "type": "object",
    "required": ["token", "expires_at"],
    "properties": {
        "token": {"type": "string"},
        "expires_at": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "When the token stops working (API_TOKEN_MAX_AGE_DAYS); null if never.",
        },
    },
}


@extend_schema(
    summary="Exchange a username and password for an API token",
    description=(
        "Hands back the user's current token while it works, else a new one: an expired token is "
        "never returned. Changing the password or deactivating the user revokes it."
    ),
    request=None,
    responses={200: OpenApiResponse(response=TOKEN_RESPONSE)},
)
class TokenView(LoginExempt, ObtainAuthToken):
    """Sign-in for scripts, throttled like the sign-in page (django-axes):
    after too many failures the answer is a 429 saying so."""

    parser_classes = [JsonParser, FormParser]
    permission_classes = []
    authentication_classes = []

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.ValidationError:
            # axes marks the request it was given: DRF's wrapper, not Django's.
            if getattr(request, "axes_locked_out", False):
                return login_throttle.lockout_response(request._request)
            raise
        max_age = settings.API_TOKEN_MAX_AGE
        token = tokens.token_get_or_issue(user=serializer.validated_data["user"], max_age=max_age)
        expires_at = token_expires_at(token.created, max_age)
        return Response({"token": token.key, "expires_at": expires_at.isoformat() if expires_at else None})
