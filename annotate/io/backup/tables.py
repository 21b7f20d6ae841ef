"""The tables an archive holds, in the order a restore inserts them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models

from annotate.models import Adjudication, Annotation, Article, Assignment, Label, Source

BATCH_SIZE = 1000

Progress = Callable[[str, int, int], None]
"""Called as ``progress(table, rows_done, rows_in_table)`` after each batch."""


@dataclass(frozen=True)
class Table:
    """One archived table. ``name`` is the database table's name, so a
    reader of the archive knows where each member's rows lived."""

    model: type[models.Model]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def member(self) -> str:
        return f"{self.name}.jsonl"


def archive_tables() -> list[Table]:
    """Every archived table, in an order where each row's references come
    before it (the order import_project inserts them in)."""
    return [
        Table(Group),
        Table(get_user_model()),
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
