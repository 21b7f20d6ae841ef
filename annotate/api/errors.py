"""One error shape for the whole API, the same as the page's JSON endpoints:
``{"error": {"message": …, "field": …?, "fields": {name: [messages]}?}}``."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotate.web.http import JsonError, validation_message


def exception_handler(exc, context):
    if isinstance(exc, JsonError):
        body = {"message": str(exc), **({"field": exc.field} if exc.field else {}), **exc.extra}
        return Response({"error": body}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        message, field = validation_message(exc)
        return Response({"error": {"message": message, **({"field": field} if field else {})}}, status=400)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        first_field, messages = next(iter(fields.items()), ("", ["invalid input"]))
        message = _first_message(messages)
        body = {"message": message if first_field in ("", "non_field_errors") else f"{first_field}: {message}"}
        body["fields"] = {name: _messages(value) for name, value in fields.items()}
        if first_field and first_field != "non_field_errors":
            body["field"] = first_field
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
        body = {"message": str(detail or "request refused")}
    response.data = {"error": body}
    return response


def _messages(value) -> list[str]:
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    if isinstance(value, dict):
        return [f"{key}: {m}" for key, item in value.items() for m in _messages(item)]
    return [str(value)]


def _first_message(value) -> str:
    messages = _messages(value)
    return messages[0] if messages else "invalid input"
