"""Request-wide guards that sit in MIDDLEWARE (config/settings.py)."""

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from annotate.web.http import declared_body_size, error_response, wants_json


def body_limit(request) -> int:
    """The largest body this server takes for ``request``: an upload
    (multipart) may be UPLOAD_MAX_SIZE; anything else is read into memory
    whole, so it gets Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if request.content_type == "multipart/form-data":
        return settings.UPLOAD_MAX_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestBodyLimitMiddleware:
    """Refuse a body over the limit with 413 and a message giving the limit,
    before anything reads it.

    Django alone would read an upload of any size to a temporary file (and
    django-import-export then into memory), and for other bodies raises
    RequestDataTooBig, which becomes a bare "Bad Request" page. Deciding by
    Content-Length here answers at once, the same way for every view; a
    body without one is never read by Django, so it needs no check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        size, limit = declared_body_size(request), body_limit(request)
        if size > limit:
            return too_large(request, size=size, limit=limit)
        return self.get_response(request)


def too_large(request, *, size: int, limit: int):
    what = "upload" if request.content_type == "multipart/form-data" else "request body"
    message = f"The {what} is {filesizeformat(size)}; this server accepts at most {filesizeformat(limit)}."
    if wants_json(request):
        return error_response(message, status=413, extra={"limit": limit})
    return render(request, "request_too_large.html", {"message": message}, status=413)
