"""Annotation exports: choose the rows, pick a format, stream the bytes.

The command, the site's download and (through the admin) every export use
``AnnotationResource`` for the shape; this module only filters and encodes.
"""

import csv
import dataclasses
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from openpyxl import Workbook

from annotate import permissions
from annotate.io.file_formats import CONTENT_TYPES, EXPORT_FORMATS, FILE_FORMATS
from annotate.io.interop import claimreview, doccano, webannotation
from annotate.io.resources import AnnotationResource
from annotate.io.spreadsheets import xlsx_cell
from annotate.models import Annotation, Article, Label, Source

# The table formats share AnnotationResource's columns; the interop formats
# (annotate/io/interop/) speak other tools' shapes.
INTEROP_FORMATS = {"w3c": webannotation, "doccano": doccano, "claimreview": claimreview}
FORMAT_NAMES = {name: FILE_FORMATS[name].title for name in EXPORT_FORMATS}


class ExportError(ValueError):
    """A filter or format the export cannot honour; the message says which."""


@dataclass(frozen=True)
class AnnotationFilter:
    source: str | None = None
    label: str | None = None
    reviewer: str | None = None
    article: int | None = None
    layer: str | None = None


def annotations_for_export(criteria: AnnotationFilter) -> QuerySet[Annotation]:
    """The annotations an export covers. Raises ExportError for a filter that
    names something that does not exist, so a typo is not an empty file."""
    queryset = Annotation.objects.all()
    if criteria.source:
        if not Source.objects.filter(name=criteria.source).exists():
            raise ExportError(f"unknown source {criteria.source!r}")
        queryset = queryset.filter(article__source__name=criteria.source)
    if criteria.label:
        if not Label.objects.filter(slug=criteria.label).exists():
            raise ExportError(f"unknown label {criteria.label!r}")
        queryset = queryset.filter(label__slug=criteria.label)
    if criteria.reviewer:
        if not get_user_model().objects.filter(username=criteria.reviewer).exists():
            raise ExportError(f"unknown reviewer {criteria.reviewer!r}")
        queryset = queryset.filter(reviewer__username=criteria.reviewer)
    if criteria.article is not None:
        if not Article.objects.filter(pk=criteria.article).exists():
            raise ExportError(f"unknown article {criteria.article!r}")
        queryset = queryset.filter(article_id=criteria.article)
    if criteria.layer:
        if criteria.layer not in Annotation.Layer.values:
            raise ExportError(f"unknown layer {criteria.layer!r}; use one of {', '.join(Annotation.Layer.values)}")
        queryset = queryset.filter(layer=criteria.layer)
    return queryset


def export_download(user, criteria: AnnotationFilter, export_format: str) -> StreamingHttpResponse:
    """The download of an export for ``user``: a reviewer's export holds only
    their own spans (``permissions.export_reviewer_scope``; asking for a
    colleague's is PermissionDenied). The site's download and the API both
    answer with this. Raises ExportError for a filter that names nothing."""
    own = permissions.export_reviewer_scope(user)
    if own is not None:
        if criteria.reviewer not in (None, own):
            raise PermissionDenied("reviewers can export only their own spans")
        criteria = dataclasses.replace(criteria, reviewer=own)
    chunks = stream_annotations(annotations_for_export(criteria), export_format)
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
