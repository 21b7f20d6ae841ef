"""One archived row's values: JSON out of the database and checked Python
values back in, and the natural keys rows use to name what ``migrate``
makes (permissions, content types), whose ids differ between databases."""

import datetime as dt
import json
from collections import defaultdict

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

_INTEGER_KINDS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}


class RowProblem(Exception):
    """One row cannot be restored; the restore names its member and line."""


def json_line(row: dict) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def json_value(value):
    if isinstance(value, dt.datetime):
        return timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def timestamp(value: dt.datetime) -> str:
    # One fixed shape (UTC, always microseconds), so the same row reads the
    # same from SQLite and PostgreSQL and two exports compare line by line.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def python_value(field, value):
    """The archived JSON value as the field's Python value, refusing values
    of the wrong kind instead of coercing them (a 1.5 is not an offset)."""
    if value is None:
        if not field.null:
            raise RowProblem(f"{field.attname} must not be null")
        return None
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in _INTEGER_KINDS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RowProblem(f"{field.attname} must be a whole number, got {value!r}")
        return value
    if kind == "BooleanField":
        if not isinstance(value, bool):
            raise RowProblem(f"{field.attname} must be true or false, got {value!r}")
        return value
    if not isinstance(value, str):
        raise RowProblem(f"{field.attname} must be text, got {value!r}")
    if kind in ("DateTimeField", "DateField"):
        try:
            parsed = target.to_python(value)
        except ValidationError:
            parsed = None
        if parsed is None:
            raise RowProblem(f"{field.attname}: {value!r} is not a valid {'date' if kind == 'DateField' else 'time'}")
        if kind == "DateTimeField" and timezone.is_naive(parsed):
            raise RowProblem(f"{field.attname}: {value!r} has no time zone")
        return parsed
    return value


def describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)


class Lookups:
    """Natural keys of the rows ``migrate`` makes, to their ids here; and the
    ids of the groups restored so far, the only ones a user may be in."""

    def __init__(self, using: str):
        self.permissions = {
            (app_label, codename): pk
            for pk, app_label, codename in Permission.objects.using(using).values_list(
                "pk", "content_type__app_label", "codename"
            )
        }
        self.content_types = {
            (app_label, model): pk
            for pk, app_label, model in ContentType.objects.using(using).values_list("pk", "app_label", "model")
        }
        self.group_ids: set[int] = set()


def permission_keys(field: models.ManyToManyField, using: str) -> dict[int, list[list[str]]]:
    """The permissions each owner of ``field`` (a group, a user) holds, by
    owner id, as ``[app_label, codename]`` pairs."""
    owner_column = field.m2m_column_name()
    keys = defaultdict(list)
    links = field.remote_field.through.objects.using(using).values_list(
        owner_column, "permission__content_type__app_label", "permission__codename"
    )
    for owner_id, app_label, codename in links.order_by(
        owner_column, "permission__content_type__app_label", "permission__codename"
    ):
        keys[owner_id].append([app_label, codename])
    return keys


def linked_ids(field: models.ManyToManyField, using: str) -> dict[int, list[int]]:
    """The ids each owner of ``field`` links to, by owner id (a user's groups:
    archived rows, so their ids are the same after a restore)."""
    owner_column, target_column = field.m2m_column_name(), field.m2m_reverse_name()
    ids = defaultdict(list)
    for owner_id, target_id in (
        field.remote_field.through.objects.using(using)
        .order_by(owner_column, target_column)
        .values_list(owner_column, target_column)
    ):
        ids[owner_id].append(target_id)
    return ids


def permission_ids(keys, lookups: Lookups) -> list[int]:
    if not isinstance(keys, list) or not all(
        isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key) for key in keys
    ):
        raise RowProblem("permissions must be a list of [app_label, codename] pairs")
    ids = []
    for app_label, codename in keys:
        pk = lookups.permissions.get((app_label, codename))
        if pk is None:
            raise RowProblem(f"permission {app_label}.{codename} does not exist here")
        ids.append(pk)
    return ids
