"""Request-wide guards that sit in MIDDLEWARE (config/settings.py)."""

import logging

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from annotate.web.http import declared_body_size, error_response, wants_json

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again: a lock held past
# the busy timeout is a long transaction (an import), not a queue of writes.
BUSY_RETRY_AFTER = 5


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


def is_database_busy(error: Exception) -> bool:
    """Whether ``error`` is the database giving up on a lock another
    connection holds: SQLite's "database is locked" after its busy timeout,
    or PostgreSQL's lock_not_available (55P03) when a lock_timeout is set."""
    if not isinstance(error, OperationalError):
        return False
    return "database is locked" in str(error) or getattr(error.__cause__, "sqlstate", None) == "55P03"


class DatabaseBusyMiddleware:
    """A write that gave up waiting for another connection's lock answers
    503 with Retry-After, in JSON for the JSON endpoints and the API and as
    a page otherwise, instead of a 500: nothing is wrong with the request,
    and the same request a little later will go through. The transaction
    it was in has already been rolled back, so nothing was written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        # A line, not a traceback: the server is busy, not broken.
        logger.warning("database busy: %s %s gave up waiting for a lock (%s)", request.method, request.path, exception)
        return database_busy(request)


def database_busy(request):
    message = "The database is busy with another change; nothing was saved. Try again in a few seconds."
    if wants_json(request):
        response = error_response(message, status=503, extra={"reason": "database_busy"})
    else:
        response = render(request, "database_busy.html", {"message": message}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


# Bodies Django reads into request.POST (after RequestBodyLimitMiddleware's limits).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulRefusalMiddleware:
    """A query string or form field holding NUL is a 400, whatever the page:
    PostgreSQL cannot store or even compare NUL in text, so it would reach
    the database as a 500 from wherever the value is used (a note, a
    lookup by name). JSON bodies are refused by the JSON reader, and an
    upload's file content by the import that reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = list(request.GET.lists())
        if request.method == "POST" and request.content_type in FORM_TYPES:
            values += list(request.POST.lists())
        for name, items in values:
            if "\x00" in name or any("\x00" in item for item in items):
                message = f"{name.replace(chr(0), '')!r} holds a NUL character, which no field can store"
                if wants_json(request) or request.path.startswith("/api/"):
                    return error_response(message, status=400, field=name.replace("\x00", ""))
                return HttpResponseBadRequest(message)
        return self.get_response(request)
