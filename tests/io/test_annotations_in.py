"""annotate/io/annotations_in.py: the one entry point every path (command,
API, admin) imports an annotation file through, and annotate/io/file_formats.py."""

import pytest

from annotate.io import annotations_in, exports
from annotate.io.file_formats import CONTENT_TYPES, EXPORT_FORMATS, IMPORT_FORMATS, import_format_for
from annotate.models import Annotation

pytestmark = pytest.mark.django_db


def export_of(export_format: str) -> bytes:
    return b"".join(exports.stream_annotations(Annotation.objects.all(), export_format))


def test_every_format_is_declared_once_with_a_content_type():
    assert IMPORT_FORMATS == ("csv", "json", "xlsx", "w3c", "doccano")
    assert (*IMPORT_FORMATS, "claimreview") == EXPORT_FORMATS
    assert CONTENT_TYPES["doccano"] == "application/jsonl; charset=utf-8"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("spans.csv", "csv"),
        ("SPANS.XLSX", "xlsx"),
        ("export.json", "json"),
        ("collection.jsonld", "w3c"),
        ("project.jsonl", "doccano"),
        ("notes.txt", None),
        ("jsonl", None),
    ],
)
def test_the_suffix_names_the_import_format(name, expected):
    assert import_format_for(name) == expected


@pytest.mark.parametrize("file_format", IMPORT_FORMATS)
def test_each_format_reimports_its_own_export_as_unchanged(mixed_annotations, root, file_format):
    before = list(Annotation.objects.order_by("pk").values())
    report = annotations_in.import_annotation_file(
        export_of(file_format), file_format, user=root, keep_authors=True, dry_run=True
    )
    assert report.errors == []
    assert (report.new, report.updated, report.written) == (0, 0, False)
    assert report.unchanged == report.total == len(before)
    assert list(Annotation.objects.order_by("pk").values()) == before


def test_an_unknown_format_is_a_refusal_that_names_the_formats(root):
    report = annotations_in.import_annotation_file(b"a,b\n", "tsv", user=root)
    assert report.errors == ["unknown format 'tsv'; use one of csv, json, xlsx, w3c, doccano"]
    assert not report.written


def test_a_doccano_file_takes_the_given_reviewer_and_source(labels, alice, root):
    line = b'{"text": "Lukashenko met Xi in Beijing.", "label": [[0, 10, "fact"]]}\n'
    report = annotations_in.import_annotation_file(
        line, "doccano", user=root, keep_authors=True, reviewer="alice", source="Wire"
    )
    assert report.errors == [] and report.written
    span = Annotation.objects.get()
    assert (span.reviewer, span.quote, span.article.source.name) == (alice, "Lukashenko", "Wire")
