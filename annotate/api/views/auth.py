"""Tokens for scripts."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser

from annotate.api.parsers import JsonParser
from annotate.api.views.common import LoginExempt
from annotate.web import login_throttle


@extend_schema(
    summary="Exchange a username and password for an API token",
    request=None,
    responses={200: OpenApiResponse(response={"type": "object", "properties": {"token": {"type": "string"}}})},
)
class TokenView(LoginExempt, ObtainAuthToken):
    """Sign-in for scripts, throttled like the sign-in page (django-axes):
    after too many failures the answer is a 429 saying so."""

    parser_classes = [JsonParser, FormParser]
    permission_classes = []
    authentication_classes = []

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # axes marks the request it was given: DRF's wrapper, not Django's.
            if getattr(request, "axes_locked_out", False):
                return login_throttle.lockout_response(request._request)
            raise
