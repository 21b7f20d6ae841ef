"""annotate/io/annotations_in.py: the one entry point every path (command,
API, admin) imports an annotation file through, and annotate/io/file_formats.py."""

import pytest
from django.core.management import CommandError, call_command

from annotate.io import annotations_in, exports
from annotate.io.file_formats import CONTENT_TYPES, EXPORT_FORMATS, IMPORT_FORMATS, import_format_for
from annotate.models import ARTICLE_TEXT_LIMIT, Annotation
from tests.conftest import make_annotation, make_article

pytestmark = pytest.mark.django_db


def export_of(export_format: str) -> bytes:
    return b"".join(exports.stream_annotations(Annotation.objects.all(), export_format))


def test_every_format_is_declared_once_with_a_content_type():
    assert IMPORT_FORMATS == ("csv", "json", "xlsx", "w3c", "doccano", "labelstudio", "hypothesis")
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
        ("tasks.labelstudio.json", "labelstudio"),
        ("annotations.hypothesis.json", "hypothesis"),
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
    assert report.errors == ["unknown format 'tsv'; use one of csv, json, xlsx, w3c, doccano, labelstudio, hypothesis"]
    assert not report.written


def test_a_doccano_file_takes_the_given_reviewer_and_source(labels, alice, root):
    line = b'{"text": "Lukashenko met Xi in Beijing.", "label": [[0, 10, "fact"]]}\n'
    report = annotations_in.import_annotation_file(
        line, "doccano", user=root, keep_authors=True, reviewer="alice", source="Wire"
    )
    assert report.errors == [] and report.written
    span = Annotation.objects.get()
    assert (span.reviewer, span.quote, span.article.source.name) == (alice, "Lukashenko", "Wire")


NESTED = "JSON nested too deeply (more than 64 levels)"
TOO_LONG = "JSON with a number too long to read (more than 4,300 digits)"


@pytest.mark.parametrize(
    ("file_format", "data", "problem"),
    [
        ("json", b"[" * 100_000, NESTED),
        ("json", b'[{"article_id": 1, "start": ' + b"9" * 5_000 + b"}]", TOO_LONG),
        ("w3c", b"[" * 100_000, NESTED),
        ("w3c", b'{"type": "Annotation", "target": {"selector": {"start": ' + b"9" * 5_000 + b"}}}", TOO_LONG),
        ("doccano", b'{"text": "Minsk."}\n' + b"[" * 100_000 + b"\n", f"line 2: {NESTED}"),
        ("doccano", b'{"text": "Minsk.", "label": [[' + b"9" * 5_000 + b', 1, "fact"]]}\n', f"line 1: {TOO_LONG}"),
        (
            "csv",
            b'article_id,label,start,end,quote,reviewer\n1,fact,0,1,"' + b"x" * (ARTICLE_TEXT_LIMIT + 1) + b'",alice\n',
            "cannot read the file as CSV: a field is longer than 5,000,000 characters, the most an article may hold",
        ),
    ],
    ids=[
        "json-nested",
        "json-huge-number",
        "w3c-nested",
        "w3c-huge-number",
        "doccano-nested",
        "doccano-huge-number",
        "csv-field-over-the-limit",
    ],  # fmt: skip
)
def test_a_hostile_file_in_any_format_is_refused_with_a_named_reason(labels, alice, file_format, data, problem):
    report = annotations_in.import_annotation_file(data, file_format, user=alice, reviewer="alice")

    assert report.errors == [problem]
    assert not report.written and not Annotation.objects.exists()


def test_a_csv_export_with_a_quote_past_the_csv_modules_default_limit_reimports(labels, alice):
    # A span over a whole long article: its quote and its article's title
    # are each more than 131,072 characters, the csv module's default.
    text = "Lukashenko met Xi. " * 10_000
    article = make_article(text, title="T" * 499)
    make_annotation(article, labels["fact"], alice, start=0, end=len(text.strip()))
    before = list(Annotation.objects.values())

    report = annotations_in.import_annotation_file(export_of("csv"), "csv", user=alice, dry_run=True)

    assert report.errors == []
    assert (report.unchanged, report.total) == (1, 1)
    assert len(before[0]["quote"]) > 131_072 and list(Annotation.objects.values()) == before


@pytest.mark.parametrize("suffix", ["json", "jsonld", "jsonl"])
def test_the_command_names_the_reason_for_a_hostile_file(alice, tmp_path, capsys, suffix):
    path = tmp_path / f"spans.{suffix}"
    path.write_bytes(b"[" * 100_000)

    with pytest.raises(CommandError, match="rejected: 1 problem"):
        call_command("import_annotations", str(path), "--user", "alice", "--reviewer", "nobody")

    assert NESTED in capsys.readouterr().err
