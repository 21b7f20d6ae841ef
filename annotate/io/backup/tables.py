"""The tables an archive holds, in the order a restore inserts them, and
what is particular to each, declared on its entry rather than tested for
by the code that exports and restores every table."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models

from annotate.io.backup.values import Lookups, RowProblem, linked_ids, permission_ids, permission_keys
from annotate.models import Adjudication, Annotation, Article, Assignment, Label, Source

BATCH_SIZE = 1000

Progress = Callable[[str, int, int], None]
"""Called as ``progress(table, rows_done, rows_in_table)`` after each batch."""


@dataclass(frozen=True)
class Link:
    """A many-to-many field archived in its owner's rows, as a list under the
    field's name after the columns. The links themselves live in a table of
    their own, written once the owners are in; users and groups are few, so
    their links fit in memory."""

    name: str
    export: Callable[[models.ManyToManyField, str], dict[int, list]]
    """``export(field, using)``: each owner's archived list, by owner id."""
    restore: Callable[[Any, Lookups], list[int]]
    """``restore(archived, lookups)``: the ids the list names here; raises
    RowProblem when it names none."""


@dataclass(frozen=True)
class Table:
    """One archived table. ``name`` is the database table's name, so a
    reader of the archive knows where each member's rows lived."""

    model: type[models.Model]
    links: tuple[Link, ...] = ()
    after_insert: Callable[[list[models.Model], Lookups], None] | None = None
    """Called with each batch of rows once it is in, before its links."""

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def member(self) -> str:
        return f"{self.name}.jsonl"


def archive_tables() -> list[Table]:
    """Every archived table, in an order where each row's references come
    before it (the order import_project inserts them in)."""
    permissions = Link("permissions", export=permission_keys, restore=permission_ids)
    return [
        Table(Group, links=(permissions,), after_insert=_remember_groups),
        Table(
            get_user_model(),
            links=(
                Link("groups", export=linked_ids, restore=_restored_group_ids),
                Link("user_permissions", export=permission_keys, restore=permission_ids),
            ),
        ),
        Table(Source),
        Table(Label),
        Table(Article),
        Table(Annotation),
        Table(Assignment),
        Table(Adjudication),
        Table(Annotation.history.model),
        Table(Assignment.history.model),
        Table(Adjudication.history.model),
        Table(LogEntry),
    ]


# ---- auth_group and auth_user -------------------------------------------------------


def _remember_groups(groups: list[models.Model], lookups: Lookups) -> None:
    lookups.group_ids.update(group.pk for group in groups)


def _restored_group_ids(groups, lookups: Lookups) -> list[int]:
    """A user's groups are archived by id, and must be among the archive's."""
    if not isinstance(groups, list) or not all(isinstance(g, int) and not isinstance(g, bool) for g in groups):
        raise RowProblem("groups must be a list of group ids")
    strangers = sorted(set(groups) - lookups.group_ids)
    if strangers:
        raise RowProblem(f"groups {strangers} are not in the archive's {Group._meta.db_table} table")
    return groups
