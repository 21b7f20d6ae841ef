"""Annotation exports: choose the rows, pick a format, stream the bytes.

The command, the site's download and (through the admin) every export use
``AnnotationResource`` for the shape; this module only filters and encodes.
"""

import csv
import dataclasses
import datetime as dt
import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from openpyxl import Workbook

from annotate import permissions
from annotate.io.file_formats import CONTENT_TYPES, EXPORT_FORMATS, FILE_FORMATS
from annotate.io.interop import claimreview, doccano, hypothesis, labelstudio, webannotation
from annotate.io.resources import AnnotationResource
from annotate.io.spreadsheets import xlsx_cell
from annotate.models import Annotation, Article, Label, Source

# The table formats share AnnotationResource's columns; the interop formats
# (annotate/io/interop/) speak other tools' shapes.
INTEROP_FORMATS = {
    "w3c": webannotation,
    "doccano": doccano,
    "labelstudio": labelstudio,
    "hypothesis": hypothesis,
    "claimreview": claimreview,
}
FORMAT_NAMES = {name: FILE_FORMATS[name].title for name in EXPORT_FORMATS}


class ExportError(ValueError):
    """A filter or format the export cannot honour; the message says which,
    and ``field`` names the parameter when one is to blame."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AnnotationFilter:
    """Which spans an export holds. Dates are inclusive: ``published_*`` of
    the article, ``created_*`` of the span (its day in UTC)."""

    source: str | None = None
    label: str | None = None
    reviewer: str | None = None
    article: int | None = None
    layer: str | None = None
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    # Orphaned spans (their words gone from the article's current text) are
    # left out unless asked for; they then come with the offsets, context
    # and version of the text they were made on.
    include_orphans: bool = False


FILTER_PARAMETERS = tuple(f.name for f in dataclasses.fields(AnnotationFilter))
_DATE_PARAMETERS = ("published_from", "published_to", "created_from", "created_to")


def criteria_from_query(params: Mapping[str, str], *, also: Iterable[str] = ("format",)) -> AnnotationFilter:
    """An export's filters from a query string. A parameter that is not a
    filter (``also`` names the others the caller reads) is an ExportError
    naming it and the filters there are: a misspelt filter silently
    ignored would hand a desk every span as if it were the ones asked for."""
    unknown = sorted(set(params) - set(FILTER_PARAMETERS) - set(also))
    if unknown:
        raise ExportError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}; the filters are {', '.join(FILTER_PARAMETERS)}",
            field=unknown[0],
        )
    values: dict = {name: params.get(name) or None for name in ("source", "label", "reviewer", "layer")}
    article = params.get("article") or None
    if article is not None:
        if not (article.isascii() and article.isdigit() and len(article) <= 18):
            raise ExportError("article must be an article's id, a whole number", field="article")
        values["article"] = int(article)
    include = params.get("include_orphans") or ""
    if include not in ("", "0", "1"):
        raise ExportError("include_orphans must be 1 or 0", field="include_orphans")
    values["include_orphans"] = include == "1"
    for name in _DATE_PARAMETERS:
        if value := params.get(name):
            try:
                values[name] = dt.date.fromisoformat(value)
            except ValueError:
                raise ExportError(f"{name} must be a date like 2023-03-05, got {value!r}", field=name) from None
    return AnnotationFilter(**values)


def annotations_for_export(criteria: AnnotationFilter, *, user=None) -> QuerySet[Annotation]:
    """The annotations an export covers: with ``user``, only what that user
    may export (everything for a lead; a reviewer's own spans on the
    articles they may open); without one, everything (the command: an
    operator's tool). Raises ExportError for a filter that names something
    that does not exist, so a typo is not an empty file; a name the user
    may not see is refused in the same words as one that does not exist,
    so an export cannot be asked which usernames, articles or outlets
    there are."""
    queryset = (Annotation.all_spans if criteria.include_orphans else Annotation.objects).all()
    articles, sources, reviewers = Article.objects.all(), Source.objects.all(), get_user_model().objects.all()
    if user is not None and not permissions.is_lead(user):
        queryset = queryset.filter(permissions.annotations_visible_to(user), reviewer_id=user.pk)
        articles = articles.filter(permissions.articles_visible_to(user))
        sources = sources.filter(permissions.sources_visible_to(user))
        reviewers = reviewers.filter(pk=user.pk)
    if criteria.source:
        if not sources.filter(name=criteria.source).exists():
            raise ExportError(f"unknown source {criteria.source!r}", field="source")
        queryset = queryset.filter(article__source__name=criteria.source)
    if criteria.label:
        if not Label.objects.filter(slug=criteria.label).exists():
            raise ExportError(f"unknown label {criteria.label!r}", field="label")
        queryset = queryset.filter(label__slug=criteria.label)
    if criteria.reviewer:
        if not reviewers.filter(username=criteria.reviewer).exists():
            raise ExportError(f"unknown reviewer {criteria.reviewer!r}", field="reviewer")
        queryset = queryset.filter(reviewer__username=criteria.reviewer)
    if criteria.article is not None:
        if not articles.filter(pk=criteria.article).exists():
            raise ExportError(f"unknown article {criteria.article!r}", field="article")
        queryset = queryset.filter(article_id=criteria.article)
    if criteria.layer:
        if criteria.layer not in Annotation.Layer.values:
            raise ExportError(
                f"unknown layer {criteria.layer!r}; use one of {', '.join(Annotation.Layer.values)}", field="layer"
            )
        queryset = queryset.filter(layer=criteria.layer)
    return queryset.filter(_date_range(criteria))


def _date_range(criteria: AnnotationFilter) -> Q:
    q = Q()
    if criteria.published_from:
        q &= Q(article__published__gte=criteria.published_from)
    if criteria.published_to:
        q &= Q(article__published__lte=criteria.published_to)
    if criteria.created_from:
        q &= Q(created_at__gte=_day_start(criteria.created_from))
    if criteria.created_to:
        q &= Q(created_at__lt=_day_start(criteria.created_to + dt.timedelta(days=1)))
    return q


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def export_download(user, criteria: AnnotationFilter, export_format: str) -> StreamingHttpResponse:
    """The download of an export for ``user`` (``annotations_for_export``
    with the user: a reviewer's export holds only their own spans on the
    articles they may open). The site's download and the API both answer
    with this. Raises ExportError for a filter that names nothing."""
    chunks = stream_annotations(annotations_for_export(criteria, user=user), export_format)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(export_format)}"'
    return response


def stream_annotations(queryset: QuerySet[Annotation], export_format: str) -> Iterator[bytes]:
    """The export file of ``queryset`` in ``export_format``, as chunks of bytes."""
    if export_format not in EXPORT_FORMATS:
        raise ExportError(f"unknown format {export_format!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if export_format in INTEROP_FORMATS:
        return INTEROP_FORMATS[export_format].export_chunks(queryset)
    resource = AnnotationResource()
    headers = resource.get_export_headers()
    batches = resource.iter_export_batches(queryset, spreadsheet_safe=FILE_FORMATS[export_format].spreadsheet)
    return TABLE_WRITERS[export_format](headers, batches)


def export_filename(export_format: str) -> str:
    return f"sourcemark-annotations.{FILE_FORMATS[export_format].suffix}"


class _Buffer:
    """A file-like sink the csv module writes into, drained after each batch."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text):
        self.parts.append(text)

    def drain(self) -> bytes:
        data = "".join(self.parts).encode("utf-8")
        self.parts.clear()
        return data


def _csv_chunks(headers: list[str], batches: Iterable[list[list]]) -> Iterator[bytes]:
    buffer = _Buffer()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    yield buffer.drain()
    for batch in batches:
        writer.writerows(batch)
        yield buffer.drain()


def _json_chunks(headers: list[str], batches: Iterable[list[list]]) -> Iterator[bytes]:
    # One json.dumps per batch rather than per row: the C encoder does the
    # loop, which makes the JSON export a third faster. Each batch is a line.
    first = True
    for batch in batches:
        if not batch:
            continue
        objects = json.dumps([dict(zip(headers, row, strict=True)) for row in batch], ensure_ascii=False)
        yield ("[\n" if first else ",\n").encode() + objects[1:-1].encode("utf-8")
        first = False
    yield b"[]\n" if first else b"\n]\n"


def _xlsx_chunks(headers: list[str], batches: Iterable[list[list]]) -> Iterator[bytes]:
    # XLSX is a zip and cannot be written front to back; openpyxl's
    # write-only mode keeps rows on disk, and the finished file is streamed.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("annotations")
    sheet.append(headers)
    for batch in batches:
        for row in batch:
            sheet.append([xlsx_cell(cell) for cell in row])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(1 << 16):
            yield chunk


TABLE_WRITERS = {"csv": _csv_chunks, "json": _json_chunks, "xlsx": _xlsx_chunks}
