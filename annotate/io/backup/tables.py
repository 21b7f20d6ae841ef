"""The tables an archive holds, in the order a restore inserts them, and
what is particular to each, declared on its entry rather than tested for
by the code that exports and restores every table."""

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from types import ModuleType
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from annotate.io.backup import ArchiveError
from annotate.io.backup.values import (
    Lookups,
    RowProblem,
    describe,
    json_value,
    linked_ids,
    permission_ids,
    permission_keys,
    python_value,
)
from annotate.models import (
    Adjudication,
    AnchorState,
    Annotation,
    Article,
    ArticleFetch,
    ArticleVersion,
    Assignment,
    Feed,
    FeedEntry,
    Label,
    Source,
)

BATCH_SIZE = 1000

Progress = Callable[[str, int, int], None]
"""Called as ``progress(table, rows_done, rows_in_table)`` after each batch."""

Batch = list[tuple[int, models.Model, dict[str, list[int]]]]
"""Restored rows on their way in: ``(line, instance, link ids)``."""


@dataclasses.dataclass(frozen=True)
class ExportOptions:
    """What an export was asked for, as a Column's ``export`` sees it."""

    using: str
    with_passwords: bool


@dataclasses.dataclass(frozen=True)
class Column:
    """A column archived otherwise than as its stored value."""

    export: Callable[[ExportOptions], Callable[[Any], Any]]
    """``export(options)``, once per export (it may read what it needs
    then): the function from a stored value to the archived one."""
    restore: Callable[[Any, models.Field, Lookups], Any]
    """``restore(archived, field, lookups)``: the value to store here;
    raises RowProblem when there is none."""
    key: str | None = None
    """The row's key for it, when not the column's name; a column archived
    under another key comes after the others."""
    check: Callable[[Any], None] | None = None
    """Checks the restored value instead of ``clean_fields``, which then
    leaves the column alone; raises RowProblem."""


@dataclasses.dataclass(frozen=True)
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


@dataclasses.dataclass(frozen=True)
class Seed:
    """Rows a data migration makes in a table. A database holding only
    those is empty (as ``migrate`` leaves it), and a restore replaces them
    with the archive's, which may have been edited since."""

    migration: str
    """The module under annotate/migrations that makes them."""
    edited: Callable[[ModuleType, str], str | None]
    """``edited(migration, using)``: a phrase naming the rows that differ
    from the ones the migration makes, or None."""


@dataclasses.dataclass(frozen=True)
class Table:
    """One archived table. ``name`` is the database table's name, so a
    reader of the archive knows where each member's rows lived. The rest
    says what is particular to the table; without it a row is the table's
    columns as stored, checked by ``clean_fields`` on the way back in."""

    model: type[models.Model]
    columns: dict[str, Column] = dataclasses.field(default_factory=dict)
    """Columns archived otherwise than as stored, by ``attname``."""
    links: tuple[Link, ...] = ()
    """Many-to-many fields archived in each row, in this order."""
    check_batch: Callable[["Table", Batch, str], None] | None = None
    """``check_batch(table, batch, using)`` before the batch goes in, for
    what a row's fields alone do not show; raises ArchiveError naming the
    line."""
    after_insert: Callable[[list[models.Model], Lookups], None] | None = None
    """Called with each batch of rows once it is in, before its links."""
    seed: Seed | None = None

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def member(self) -> str:
        return f"{self.name}.jsonl"

    def key(self, attname: str) -> str:
        """The archived row's key for a column."""
        column = self.columns.get(attname)
        return column.key if column and column.key else attname


def archive_tables() -> list[Table]:
    """Every archived table, in an order where each row's references come
    before it (the order import_project inserts them in)."""
    permissions = Link("permissions", export=permission_keys, restore=permission_ids)
    return [
        Table(Group, links=(permissions,), after_insert=_remember_groups, seed=Seed("0005_roles", _edited_roles)),
        Table(
            get_user_model(),
            # A hash is not user input, and "" is what a user made without a
            # password holds (create() rather than create_user()).
            columns={"password": Column(export=_password_out, restore=_password_in, check=_check_password_hash)},
            links=(
                Link("groups", export=linked_ids, restore=_restored_group_ids),
                Link("user_permissions", export=permission_keys, restore=permission_ids),
            ),
        ),
        Table(Source),
        Table(Label, seed=Seed("0002_default_labels", _edited_labels)),
        Table(Article, check_batch=_check_articles),
        # Earlier texts come before the spans: an orphan's offsets count in one.
        Table(ArticleVersion, check_batch=_check_versions),
        Table(Annotation, check_batch=_check_spans),
        Table(Assignment),
        Table(Adjudication),
        # Who fetched which URL and how it went; the queue's task rows
        # (django-tasks-db) are not archived, so a queued fetch is restored
        # as it was but with no task to run it.
        Table(ArticleFetch),
        # The feeds followed and every item each listed, so a restored
        # project polls on without importing those items again. A poll
        # that was running holds its feed for up to an hour after.
        Table(Feed),
        Table(FeedEntry),
        Table(Annotation.history.model),
        Table(Assignment.history.model),
        Table(Adjudication.history.model),
        Table(
            LogEntry,
            columns={"content_type_id": Column(export=_content_type_out, restore=_content_type_in, key="content_type")},
        ),
    ]


# ---- auth_group and auth_user -----------------------------------------------------


def _edited_roles(migration: ModuleType, using: str) -> str | None:
    roles = migration.ROLES
    group_permissions = defaultdict(set)
    for name, codename in Group.permissions.through.objects.using(using).values_list(
        "group__name", "permission__codename"
    ):
        group_permissions[name].add(codename)
    other_groups = sorted(
        name
        for name in Group.objects.using(using).values_list("name", flat=True)
        if name not in roles or group_permissions[name] != set(roles[name])
    )
    if other_groups:
        return f"groups other than the default roles ({', '.join(other_groups)})"
    return None


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


def _password_out(options: ExportOptions) -> Callable[[str], str | None]:
    """The hash as stored, or null in an archive without passwords."""
    return json_value if options.with_passwords else lambda password: None


def _password_in(archived, field: models.Field, lookups: Lookups) -> str:
    if archived is None:
        # Exported without passwords: the user signs in again only after
        # an admin sets one (or `manage.py changepassword`).
        return make_password(None)
    return python_value(field, archived)


def _check_password_hash(password: str) -> None:
    if len(password) > 128:
        raise RowProblem("password: longer than a password hash can be (128 characters)")


# ---- annotate_label ---------------------------------------------------------------


def _edited_labels(migration: ModuleType, using: str) -> str | None:
    seeded_labels = {
        (slug, name, colour, shortcut, order, description)
        for slug, name, colour, shortcut, order, description in migration.DEFAULT_LABELS
    }
    labels = Label.objects.using(using).values_list("slug", "name", "colour", "shortcut", "order", "description")
    other_labels = sorted(row[0] for row in labels if row not in seeded_labels)
    if other_labels:
        return f"labels other than the defaults ({', '.join(other_labels)})"
    return None


# ---- annotate_article and annotate_annotation -------------------------------------


def _check_articles(table: Table, batch: Batch, using: str) -> None:
    for number, article, _ in batch:
        archived_sha256 = article.sha256
        try:
            # Checks the text is normalised; sets sha256 and word_count from it.
            article.clean()
        except ValidationError as error:
            raise ArchiveError(f"{table.member}, line {number}: {describe(error)}") from None
        if article.sha256 != archived_sha256:
            raise ArchiveError(f"{table.member}, line {number}: sha256 does not match the article's text")


def _check_versions(table: Table, batch: Batch, using: str) -> None:
    for number, version, _ in batch:
        if version.sha256 != Article.fingerprint(version.text):
            raise ArchiveError(f"{table.member}, line {number}: sha256 does not match the version's text")


def _check_spans(table: Table, batch: Batch, using: str) -> None:
    """Each span against the text it counts in (its article's, or for an
    orphan the earlier version's), through ``Annotation.clean``
    (``offsets.validate_span``) as stored data, so a span kept from before
    grapheme splits were refused comes back too; the batch's texts come in
    two queries."""
    article_ids = {annotation.article_id for _, annotation, _ in batch}
    texts = dict(Article.objects.using(using).filter(pk__in=article_ids).values_list("pk", "text"))
    orphaned = {(a.article_id, a.article_version) for _, a, _ in batch if a.anchor_state == AnchorState.ORPHANED}
    old_texts = {}
    if orphaned:
        rows = ArticleVersion.objects.using(using).filter(article_id__in={pk for pk, _ in orphaned})
        old_texts = {(pk, n): text for pk, n, text in rows.values_list("article_id", "number", "text")}
    for number, annotation, _ in batch:
        text = texts.get(annotation.article_id)
        if annotation.anchor_state == AnchorState.ORPHANED and text is not None:
            text = old_texts.get((annotation.article_id, annotation.article_version))
            if text is None:
                raise ArchiveError(
                    f"{table.member}, line {number}: version {annotation.article_version} of article "
                    f"{annotation.article_id}, which the orphaned span counts in, is not in the archive"
                )
            # Orphans validate against their version's text (anchor_text
            # would query): give clean() that text as the article's.
            annotation.anchor_state = AnchorState.EXACT
            annotation.article = Article(pk=annotation.article_id, text=text)
            try:
                annotation.clean(restoring=True)
            except ValidationError as error:
                raise ArchiveError(f"{table.member}, line {number}: {describe(error)}") from None
            finally:
                annotation.anchor_state = AnchorState.ORPHANED
            continue
        if text is None:
            raise ArchiveError(
                f"{table.member}, line {number}: article {annotation.article_id} is not in the archive's "
                f"{Article._meta.db_table} table"
            )
        annotation.article = Article(pk=annotation.article_id, text=text)
        try:
            annotation.clean(restoring=True)
        except ValidationError as error:
            raise ArchiveError(f"{table.member}, line {number}: {describe(error)}") from None


# ---- django_admin_log -------------------------------------------------------------


def _content_type_out(options: ExportOptions) -> Callable[[int | None], list[str] | None]:
    """A content type's id as its natural key, ``[app_label, model]``."""
    natural_keys = {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.using(options.using)}
    return natural_keys.get


def _content_type_in(key, field: models.Field, lookups: Lookups) -> int | None:
    if key is None:
        return None
    if not (isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key)):
        raise RowProblem("content_type must be [app_label, model] or null")
    pk = lookups.content_types.get(tuple(key))
    if pk is None:
        raise RowProblem(f"content type {key[0]}.{key[1]} does not exist here")
    return pk
