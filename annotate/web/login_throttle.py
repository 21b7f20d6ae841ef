"""Login throttling with django-axes: after AXES_FAILURE_LIMIT failed
sign-ins for one username from one address, that pair is locked out for
AXES_COOLOFF_TIME. Locking the pair, not the username alone, means nobody can
lock a colleague out from their own machine; it slows guessing one account's
password to a few tries per cool-off per address."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render

# Too Many Requests: the client may try again after Retry-After seconds.
LOCKED_OUT_STATUS = 429


def client_ip(request) -> str | None:
    """The address the request came from. Behind our own reverse proxies
    (TRUSTED_PROXY_COUNT of them) it is the entry they appended to
    X-Forwarded-For, counted from the right: entries further left came from
    the client and could be anything."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


# django-axes keeps a failed sign-in's username in a column this long
# (AccessAttempt.username).
AXES_USERNAME_LENGTH = 255


def client_username(request, credentials=None) -> str | None:
    """The username a sign-in attempt counts against (AXES_USERNAME_CALLABLE):
    the one given, found where django-axes would look, cut to the 255
    characters its table holds. Neither the sign-in form nor the token
    endpoint limits what is typed, and PostgreSQL refused a longer one (a
    500 for any visitor); no username is that long (150 at most), so the
    cut changes no real count."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    return username[:AXES_USERNAME_LENGTH] if isinstance(username, str) else username


def cool_off_minutes() -> int:
    return round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def locked_out_message() -> str:
    minutes = cool_off_minutes()
    return (
        f"Too many failed sign-ins for this username from your address. Signing in is blocked for "
        f"{minutes} minute{'s' if minutes != 1 else ''}; try again then, or ask an administrator to unlock it."
    )


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, saying why it refuses (AXES_LOCKOUT_CALLABLE);
    the API's token endpoint gets the API's JSON error instead."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"message": locked_out_message()}}, status=LOCKED_OUT_STATUS)
        response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
        return response
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_out": locked_out_message(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=LOCKED_OUT_STATUS)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
