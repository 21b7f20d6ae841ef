"""Every django-import-export Resource: one per exported shape.

The admin's buttons, the management commands and the site's downloads all
use these classes, so a column means the same thing wherever it appears.
"""

import datetime as dt
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import NotSupportedError, connections
from django.db.models import CharField, Exists, Func, OuterRef
from import_export import fields, resources, widgets

from annotate.actions import annotations
from annotate.io import articles_in
from annotate.io.spreadsheets import MAY_NEED_ESCAPE, escape_formula
from annotate.models import (
    SPAN_EDITABLE_FIELDS,
    SPAN_NATURAL_KEY,
    SPAN_TEXT_LIMITS,
    AnchorState,
    Annotation,
    Article,
    ArticleVersion,
    Label,
    Source,
)
from annotate.rules import offsets

ANNOTATION_COLUMNS = (
    "id", "article_id", "article_title", "source", "article_url", "label", "label_name",
    "start", "end", "quote", "prefix", "suffix", "note", "speaker", "evidence_url",
    "reviewer", "layer", "decision_reason", "created_at", "updated_at", "article_version", "anchor_state",
)  # fmt: skip
ANNOTATION_REQUIRED_COLUMNS = ("article_id", "label", "start", "end", "quote", "reviewer")


def render_timestamp(value: dt.datetime | None) -> str:
    """ISO 8601 in UTC with a Z, to the microsecond so re-imports are exact."""
    if value is None:
        return ""
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    # isoformat() ends "+00:00" for UTC; swap it for the shorter "Z".
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


class TimestampWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            parsed = value
        else:
            try:
                parsed = dt.datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise ValueError(f"{value!r} is not an ISO 8601 time like 2023-03-05T10:00:00Z") from None
        if parsed.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone; add Z for UTC")
        return parsed

    def render(self, value, obj=None, **kwargs):
        return render_timestamp(value)


class LookupWidget(widgets.ForeignKeyWidget):
    """A ForeignKeyWidget that names the unknown value instead of saying
    "matching query does not exist"."""

    def __init__(self, model, field, noun):
        super().__init__(model, field)
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            raise ValueError(f"no {self.noun} given")
        try:
            return super().clean(value, row, **kwargs)
        except (self.model.DoesNotExist, ValueError, TypeError, ValidationError):
            raise ValueError(f"unknown {self.noun} {value!r}") from None


class StrictIntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value if value is not None else "").strip()
        if not text.lstrip("-").isdigit():
            raise ValueError(f"{value!r} is not a whole number")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


class TextWidget(widgets.CharWidget):
    """Text kept exactly as written: a quote's surrounding spaces matter."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class AnnotationResource(resources.ModelResource):
    """The annotation export shape (README: "Export schema"). Sourcemark's
    imports read this shape through ``annotation_tables`` and the bulk
    writer; django-import-export's own ``import_data`` still works with it,
    row by row through ``do_instance_save``."""

    id = fields.Field(attribute="id", column_name="id", readonly=True, widget=StrictIntegerWidget())
    article_id = fields.Field(
        attribute="article", column_name="article_id", widget=LookupWidget(Article, "pk", "article")
    )
    article_title = fields.Field(attribute="article__title", column_name="article_title", readonly=True)
    source = fields.Field(attribute="article__source__name", column_name="source", readonly=True)
    article_url = fields.Field(attribute="article__url", column_name="article_url", readonly=True)
    label = fields.Field(attribute="label", column_name="label", widget=LookupWidget(Label, "slug", "label"))
    label_name = fields.Field(attribute="label__name", column_name="label_name", readonly=True)
    start = fields.Field(attribute="start", column_name="start", widget=StrictIntegerWidget())
    end = fields.Field(attribute="end", column_name="end", widget=StrictIntegerWidget())
    quote = fields.Field(attribute="quote", column_name="quote", widget=TextWidget())
    prefix = fields.Field(column_name="prefix", readonly=True)
    suffix = fields.Field(column_name="suffix", readonly=True)
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())
    speaker = fields.Field(attribute="speaker", column_name="speaker", widget=TextWidget())
    evidence_url = fields.Field(attribute="evidence_url", column_name="evidence_url", widget=TextWidget())
    reviewer = fields.Field(
        attribute="reviewer",
        column_name="reviewer",
        widget=LookupWidget(get_user_model(), "username", "reviewer"),
    )
    layer = fields.Field(attribute="layer", column_name="layer", widget=TextWidget())
    decision_reason = fields.Field(attribute="decision_reason", column_name="decision_reason", widget=TextWidget())
    created_at = fields.Field(attribute="created_at", column_name="created_at", widget=TimestampWidget())
    updated_at = fields.Field(attribute="updated_at", column_name="updated_at", widget=TimestampWidget())
    # The article version the offsets count in, and how the span got there
    # (exact, moved, fuzzy; orphaned only in exports that ask for orphans).
    article_version = fields.Field(
        attribute="article_version", column_name="article_version", readonly=True, widget=StrictIntegerWidget()
    )
    anchor_state = fields.Field(attribute="anchor_state", column_name="anchor_state", readonly=True)

    class Meta:
        model = Annotation
        fields = ANNOTATION_COLUMNS
        export_order = ANNOTATION_COLUMNS
        # SPAN_NATURAL_KEY by column: the article's column is article_id.
        import_id_fields = tuple("article_id" if name == "article" else name for name in SPAN_NATURAL_KEY)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        chunk_size = 2000

    def get_queryset(self):
        return Annotation.objects.select_related("article__source", "label", "reviewer")

    def dehydrate_prefix(self, annotation):
        return annotation.context()[0]

    def dehydrate_suffix(self, annotation):
        return annotation.context()[1]

    def before_import(self, dataset, **kwargs):
        missing = [c for c in ANNOTATION_REQUIRED_COLUMNS if c not in (dataset.headers or [])]
        if missing:
            raise ValueError(f"missing column(s): {', '.join(missing)}")
        if "layer" not in dataset.headers:
            dataset.append_col([Annotation.Layer.REVIEWER] * len(dataset), header="layer")

    def before_import_row(self, row, **kwargs):
        if row.get("layer") in (None, ""):
            row["layer"] = Annotation.Layer.REVIEWER

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # An empty time says nothing: a new span is made now, an existing
        # one keeps its times (a column left blank must not erase them).
        if field.column_name in ("created_at", "updated_at") and row.get(field.column_name) in (None, ""):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        # A caller of import_data may pass a progress callback, which
        # import_data hands on to the row hooks with every other keyword.
        progress = kwargs.get("progress")
        if progress is not None:
            progress(kwargs["row_number"], kwargs["dry_run"])

    def __init__(self, *, import_policy=None, **kwargs):
        # None: trust the file (the Resource's own tests, an operator's restore).
        self.import_policy = import_policy
        super().__init__(**kwargs)

    def do_instance_save(self, instance, is_create):
        """Through the same create and update as the page and the API, so an
        imported change bumps the version, moves updated_at and writes a
        history row like any other. Only a span's editable fields can
        change: the rest is its natural key (``import_id_fields``)."""
        policy = self.import_policy
        current = None if is_create else Annotation.objects.select_related("article").get(pk=instance.pk)
        if policy is not None:
            refusal = policy.refusal(
                article=instance.article, layer=instance.layer, author=instance.reviewer, existing=current,
                created_at=instance.created_at,
            )  # fmt: skip
            if refusal:
                raise ValidationError({"reviewer": refusal})
        who = policy.user if policy is not None else None
        if is_create:
            created_at, updated_at = (
                policy.times(instance.created_at, instance.updated_at)
                if policy
                else (instance.created_at, instance.updated_at)
            )
            created = annotations.annotation_create(
                **{name: getattr(instance, name) for name in SPAN_NATURAL_KEY}, quote=instance.quote,
                **{name: getattr(instance, name) for name in SPAN_TEXT_LIMITS},
                created_at=created_at, updated_at=updated_at, changed_by=who,
            )  # fmt: skip
            instance.pk, instance.version = created.pk, created.version
            return
        changes = {
            name: getattr(instance, name)
            for name in SPAN_EDITABLE_FIELDS
            if getattr(instance, name) != getattr(current, name)
        }
        if changes:
            updated = annotations.annotation_update(current, changed_by=who, **changes)
            instance.version, instance.updated_at = updated.version, updated.updated_at

    def iter_export_rows(self, queryset, *, spreadsheet_safe: bool = False) -> Iterator[list]:
        """Rows in ``export_order``, one at a time (see ``iter_export_batches``)."""
        for batch in self.iter_export_batches(queryset, spreadsheet_safe=spreadsheet_safe):
            yield from batch

    def iter_export_batches(self, queryset, *, spreadsheet_safe: bool = False) -> Iterator[list[list]]:
        """Lists of rows in ``export_order``, as ``export()`` would give them, but
        streamed with memory bounded by one article's text, in four queries
        whatever the row count: the annotations alone (no joins, so each row
        stays small), their articles read in step with them, and the labels
        and reviewers as lookup tables.

        With ``spreadsheet_safe``, text cells get ``spreadsheets.escape_formula``
        (for CSV/XLSX). It is applied here rather than over finished rows
        because only the free-text cells can need it, and the per-article,
        per-label and per-reviewer values are escaped once, not per row: on
        100,000 rows that is a sixth of the export's time.

        ``tests/io/test_resources.py`` holds this to the same output as
        ``export()``, so the shape stays one.
        """
        cell = escape_formula if spreadsheet_safe else _unchanged
        # The first characters escape_formula looks at: a cell starting with
        # none of them (nearly every one) skips the call, a third of a CSV's time.
        may_escape = MAY_NEED_ESCAPE if spreadsheet_safe else frozenset()
        # Timestamps come out of the database already as render_timestamp
        # writes them: parsing 200,000 of them into datetimes only to print
        # them again took a third of the export.
        annotations = (
            queryset.order_by("article_id", "start", "end", "id")
            .annotate(created_text=UtcTimestampText("created_at"), updated_text=UtcTimestampText("updated_at"))
            .values_list(
                "id", "article_id", "label_id", "start", "end", "quote", "note", "speaker",
                "evidence_url", "reviewer_id", "layer", "decision_reason", "created_text", "updated_text",
                "article_version", "anchor_state",
            )
        )  # fmt: skip
        # An orphan's context is in the text it counts in, an earlier
        # version's: those texts in one query, made at the first orphan
        # (so an export without orphans, the usual one, does not ask).
        old_texts = None

        def orphan_text(article_id: int, number: int) -> str:
            nonlocal old_texts
            if old_texts is None:
                old_texts = _orphans_texts(queryset)
            return old_texts[(article_id, number)]

        labels = {pk: (cell(slug), cell(name)) for pk, slug, name in Label.objects.values_list("pk", "slug", "name")}
        reviewers = {
            pk: cell(username)
            for pk, username in get_user_model()
            .objects.filter(pk__in=queryset.values("reviewer_id"))
            .values_list("pk", get_user_model().USERNAME_FIELD)
        }
        articles = (
            Article.objects.filter(pk__in=queryset.values("article_id"))
            .order_by("pk")
            .values_list("pk", "title", "source__name", "url", "text")
            .iterator(chunk_size=20)
        )
        article_id, title, source, url, text = None, "", "", "", ""
        width = offsets.CONTEXT_WIDTH
        for chunk in _raw_chunks(annotations):
            batch = []
            for (ident, row_article_id, label_id, start, end, quote, note, speaker, evidence_url, reviewer_id,
                 layer, reason, created, updated, article_version, anchor_state) in chunk:  # fmt: skip
                while article_id != row_article_id:
                    article_id, title, source, url, text = next(articles)
                    title, source, url = cell(title), cell(source), cell(url)
                slug, label_name = labels[label_id]
                counted_in = orphan_text(article_id, article_version) if anchor_state == AnchorState.ORPHANED else text
                before, after = counted_in[max(0, start - width) : start], counted_in[end : end + width]
                batch.append([
                    ident, article_id, title, source, url, slug, label_name, start, end,
                    cell(quote) if quote[:1] in may_escape else quote,
                    cell(before) if before[:1] in may_escape else before,
                    cell(after) if after[:1] in may_escape else after,
                    cell(note) if note[:1] in may_escape else note,
                    cell(speaker) if speaker[:1] in may_escape else speaker,
                    cell(evidence_url) if evidence_url[:1] in may_escape else evidence_url,
                    reviewers[reviewer_id], layer,
                    cell(reason) if reason[:1] in may_escape else reason,
                    created, updated, article_version, anchor_state,
                ])  # fmt: skip
            yield batch


def _orphans_texts(queryset) -> dict[tuple[int, int], str]:
    """The texts the queryset's orphans count in, by (article id, version)."""
    orphans = queryset.filter(
        anchor_state=AnchorState.ORPHANED, article_id=OuterRef("article_id"), article_version=OuterRef("number")
    )
    rows = ArticleVersion.objects.filter(Exists(orphans)).values_list("article_id", "number", "text")
    return {(pk, number): text for pk, number, text in rows}


def _unchanged(value):
    return value


def _raw_chunks(queryset, chunk_size: int = 2000) -> Iterator[list[tuple]]:
    """The rows of a ``values_list`` queryset as the database driver returns
    them, a chunk at a time, through a server-side cursor where the database has one.

    This skips Django's per-value converters, which ``iter_export_batches``
    does not need: its timestamps arrive as text (``UtcTimestampText``).
    """
    connection = connections[queryset.db]
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        # .none() and filters like pk__in=[] compile to no SQL at all;
        # Django's own iterators treat that as no rows, and so do we.
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield rows


class UtcTimestampText(Func):
    """A timestamp column as ``render_timestamp`` writes it, made by the
    database: "2026-11-23T10:00:00.123456Z" (UTC, microseconds, Z)."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores UTC as str(datetime): "YYYY-MM-DD HH:MM:SS" with
        # ".ffffff" only when the microseconds are not zero.
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"(replace({column}, ' ', 'T') || CASE WHEN length({column}) = 19 THEN '.000000Z' ELSE 'Z' END)"
        return sql, (*params, *params, *params)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""", params

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"UtcTimestampText has no SQL for {connection.vendor}")


class ArticleResource(resources.ModelResource):
    """Articles in and out of the admin, normalised exactly as
    ``articles_in.article_import`` does it."""

    source = fields.Field(attribute="source", column_name="source", widget=widgets.ForeignKeyWidget(Source, "name"))
    published = fields.Field(attribute="published", column_name="published", widget=widgets.DateWidget("%Y-%m-%d"))
    text = fields.Field(attribute="text", column_name="text", widget=TextWidget())
    annotation_count = fields.Field(column_name="annotation_count", readonly=True)

    class Meta:
        model = Article
        fields = (
            "id", "sha256", "title", "source", "byline", "published", "url", "language",
            "original_filename", "text", "imported_at", "annotation_count",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("sha256",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_import_fields(self):
        return [f for f in super().get_import_fields() if f.column_name not in ("id", "imported_at")]

    def dehydrate_annotation_count(self, article):
        count = getattr(article, "annotation_count", None)
        return count if count is not None else article.annotations.count()

    def before_import(self, dataset, **kwargs):
        if "text" not in (dataset.headers or []):
            raise ValueError("missing column: text")
        if "sha256" not in dataset.headers:
            dataset.append_col([""] * len(dataset), header="sha256")

    def before_import_row(self, row, **kwargs):
        record = articles_in.ArticleRecord(
            text=str(row.get("text") or ""),
            title=str(row.get("title") or ""),
            source=str(row.get("source") or ""),
            byline=str(row.get("byline") or ""),
            url=str(row.get("url") or ""),
            published=row.get("published") or "",
            language=str(row.get("language") or ""),
            original_filename=str(row.get("original_filename") or ""),
        )
        try:
            # Finds (or makes) the outlet as every import does: named, else
            # by the url's domain.
            values, source = articles_in.prepare_article(record)
        except articles_in.ImportProblem as problem:
            raise ValueError(str(problem)) from None
        row.update(values)
        row["source"] = source.name
        row["published"] = values["published"].isoformat() if values["published"] else ""


class SourceResource(resources.ModelResource):
    class Meta:
        model = Source
        fields = ("id", "name", "homepage", "domain", "notes")
        export_order = fields
        import_id_fields = ("name",)
        clean_model_instances = True
        skip_unchanged = True


class LabelResource(resources.ModelResource):
    class Meta:
        model = Label
        fields = ("id", "slug", "name", "colour", "shortcut", "description", "order")
        export_order = fields
        import_id_fields = ("slug",)
        clean_model_instances = True
        skip_unchanged = True
