"""Cross-cutting helpers for the JSON endpoints: one error shape, body
parsing with clear messages, and the decorator that applies both."""

import functools

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, JsonResponse

from annotate.models import MAX_ID
from annotate.rules import json_input

MAX_JSON_BODY = 1_000_000


class JsonError(Exception):
    def __init__(self, message: str, *, status: int = 400, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status, self.field, self.extra = status, field, extra or {}


def error_response(message: str, *, status: int, field: str | None = None, extra: dict | None = None):
    body = {"error": {"message": message, **({"field": field} if field else {}), **(extra or {})}}
    return JsonResponse(body, status=status)


# Where config/urls.py mounts the REST API, whose every answer is JSON.
API_PREFIX = "/api/"


def wants_json(request) -> bool:
    """Whether an error for this request should be JSON (the workspace's
    fetches and anything under the API) rather than a page."""
    return (
        request.path_info.startswith(API_PREFIX)
        or "application/json" in request.headers.get("Accept", "")
        or request.content_type == "application/json"
    )


def id_from_text(value) -> int | None:
    """The id a path or a query string names, or None when ``value`` is not
    one: ASCII digits for a number from 1 to MAX_ID. str.isdigit() alone
    lets through digits int() refuses ("²") and numbers int() refuses or no
    database column holds (thousands of digits), each a 500 further on."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def declared_body_size(request) -> int:
    """The body's size as the client declared it (Content-Length), 0 if it
    gave none or nonsense: Django then reads no body at all."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def read_json_body(request, *, stream=None):
    """The JSON value of a request's body. Every JSON endpoint reads its body
        through this: the pages' (``read_json_object``) and the API's
        (annotate/api/parsers.py, which passes the ``stream`` DRF hands its
        parsers). Raises JsonError: 413 for a body over MAX_JSON_BODY, 400 for
        one that is not UTF-8 or not JSON Sourcemark reads (too deeply nested, a
        number too long to read: annotate/rules/json_input.py) and for a string
    no database can store (NUL, a lone surrogate)."""
    # Refuse by the declared size before reading, so an oversized body is
    # never held in memory; then check what was actually read.
    if declared_body_size(request) > MAX_JSON_BODY:
        raise _body_too_large()
    body = request.body if stream is None else stream.read(MAX_JSON_BODY + 1)
    if len(body) > MAX_JSON_BODY:
        raise _body_too_large()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonError(f"the request body is not valid JSON (it is not UTF-8: byte {error.start})") from None
    try:
        value = json_input.parse(text or "null")
    except json_input.JsonProblem as problem:
        raise JsonError(f"the request body is {problem}") from None
    # NUL and lone surrogates can only arrive as \u escapes (JSON refuses a
    # raw control character in a string), so most bodies skip the walk.
    # Refused here, once, they cannot reach the database as a 500 from
    # whichever field or lookup would have used them.
    if "\\u" in text and (unstorable := json_input.unstorable_text(value)):
        where, why, field = unstorable
        raise JsonError(f"{where} {why}", field=field)
    return value


def _body_too_large() -> JsonError:
    return JsonError(f"the request body is larger than {MAX_JSON_BODY:,} bytes", status=413)


def read_json_object(request) -> dict:
    """The request body as a JSON object, or JsonError saying what is wrong."""
    if request.content_type == "multipart/form-data":
        # A form upload: the CSRF check has already read its stream as a
        # form, so the body is gone (reading it raised, answering 500).
        raise JsonError("the request body must be JSON (Content-Type: application/json), not a form", status=415)
    data = read_json_body(request)
    if not isinstance(data, dict):
        raise JsonError("the request body must be a JSON object")
    return data


def validation_message(error: ValidationError) -> tuple[str, str | None]:
    if hasattr(error, "message_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return " ".join(messages), (None if field == "__all__" else field)
    return " ".join(error.messages), None


def json_endpoint(view):
    """Turn JsonError, BadRequest, ValidationError, PermissionDenied and Http404
    raised in ``view`` into JSON errors of one shape: {"error": {"message", "field"?}}."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error_response("sign in first", status=401)
        try:
            return view(request, *args, **kwargs)
        except JsonError as error:
            return error_response(str(error), status=error.status, field=error.field, extra=error.extra)
        except BadRequest as error:
            return error_response(str(error) or "bad request", status=400)
        except ValidationError as error:
            message, field = validation_message(error)
            return error_response(message, status=400, field=field)
        except PermissionDenied as error:
            return error_response(str(error) or "you may not do that", status=403)
        except Http404:
            return error_response("not found", status=404)

    return wrapper


def require_json_methods(*methods: str):
    """Like ``require_http_methods``, but the 405 is a JSON error the page can show."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = error_response(f"{request.method} is not allowed here", status=405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def csrf_failure(request, reason: str = ""):
    """CSRF failures on JSON requests answer in JSON, so the workspace can say
    what happened ("reload the page") instead of "The server answered 403"."""
    from django.views.csrf import csrf_failure as html_csrf_failure

    if wants_json(request):
        return error_response(
            "Your session's security token is missing or out of date; reload the page and try again.", status=403
        )
    return html_csrf_failure(request, reason=reason)
