"""What every API view shares: the exemption from the site's login redirect,
the leads-only refusal, and the JSON 404 for a path that names no endpoint."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from annotate import permissions


class LoginExempt:
    """The API answers 401/403 in JSON itself; the site's login redirect
    (LoginRequiredMiddleware) would send scripts an HTML page."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


def require_lead(user, what: str) -> None:
    """The API's form of permissions.lead_required, for one action of a
    viewset: permissions.is_lead answers, and a refusal is a JSON 403 saying
    what only a lead can do."""
    if not permissions.is_lead(user):
        raise PermissionDenied(f"only a lead can {what}")


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([])
@login_not_required
def not_found(request, *args, **kwargs):
    """Anything under /api/ that names no endpoint: a JSON 404 like the rest."""
    return Response({"error": {"message": "no such API endpoint"}}, status=404)
