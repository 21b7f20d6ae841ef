"""annotate/io/resources.py (AnnotationResource) and the annotation half of
annotate/io/resources.py and annotations_in.py: the export shape, its round trip, and imports that
reject a bad file whole."""

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from annotate.actions.consensus import consensus_create
from annotate.io import annotations_in, exports
from annotate.io.resources import AnnotationResource, render_timestamp
from annotate.io.spreadsheets import escape_formula
from annotate.models import Annotation
from tests.conftest import HITLER_QUOTE, make_annotation

pytestmark = pytest.mark.django_db

# Written out rather than imported, so a changed schema fails here.
COLUMNS = [
    "id", "article_id", "article_title", "source", "article_url", "label", "label_name",
    "start", "end", "quote", "prefix", "suffix", "note", "speaker", "evidence_url",
    "reviewer", "layer", "decision_reason", "created_at", "updated_at", "article_version", "anchor_state",
]  # fmt: skip
SEED_003_TITLE = (
    "Washington and Brussels antagonism towards neutral Belarus has pushed the central European nation "
    "right into Russia’s arms"
)
CREATED = dt.datetime(2023, 3, 5, 10, 0, 0, 123456, tzinfo=dt.UTC)
UPDATED = dt.datetime(2023, 3, 6, 8, 30, tzinfo=dt.UTC)


def snapshot() -> list[tuple]:
    """Every annotation as the values an export must carry through, without ids."""
    return sorted(
        Annotation.objects.values_list(
            "article_id", "label__slug", "start", "end", "quote", "note", "speaker", "evidence_url",
            "reviewer__username", "layer", "decision_reason", "created_at", "updated_at",
        )
    )  # fmt: skip


def export_bytes(export_format: str, queryset=None) -> bytes:
    queryset = Annotation.objects.all() if queryset is None else queryset
    return b"".join(exports.stream_annotations(queryset, export_format))


def csv_bytes(rows: list[dict]) -> bytes:
    """A hand-written import file: a header from the first row's keys."""
    headers = list(rows[0])
    lines = [",".join(headers)] + [",".join(str(row[h]) for h in headers) for row in rows]
    return ("\n".join(lines) + "\n").encode()


# --- the export shape ------------------------------------------------------------


def test_export_headers_are_the_documented_columns_in_order():
    resource = AnnotationResource()
    assert resource.get_export_headers() == COLUMNS
    assert resource.export(queryset=Annotation.objects.none()).headers == COLUMNS


@pytest.fixture
def hitler_span(seed_articles, labels, alice):
    span = make_annotation(
        seed_articles["003_c9aaef3b5bae2a7a.txt"], labels["unsupported_claim"], alice, quote=HITLER_QUOTE,
        note="Presented as fact; no source.",
    )  # fmt: skip
    Annotation.objects.filter(pk=span.pk).update(created_at=CREATED, updated_at=UPDATED)
    return span


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2023, 3, 5, 10, 0, 0, 0, tzinfo=dt.UTC),  # no fraction stored at all on SQLite
        dt.datetime(2023, 3, 5, 10, 0, 0, 100000, tzinfo=dt.UTC),  # PostgreSQL's own text would say ".1"
        dt.datetime(2023, 3, 5, 10, 0, 0, 7, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=3))),
    ],
)
def test_the_database_writes_timestamps_as_render_timestamp_does(hitler_span, moment):
    """The streamed export has the database format its timestamps
    (UtcTimestampText); they must read exactly as the Resource's own."""
    Annotation.objects.filter(pk=hitler_span.pk).update(created_at=moment, updated_at=moment)

    [[row]] = list(AnnotationResource().iter_export_batches(Annotation.objects.all()))

    expected = render_timestamp(moment)
    assert row[-4:-2] == [expected, expected]
    assert expected == moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_every_column_of_a_seed_span_has_its_exact_value(hitler_span, seed_articles):
    article = seed_articles["003_c9aaef3b5bae2a7a.txt"]
    expected = {
        "id": hitler_span.pk,
        "article_id": article.pk,
        "article_title": SEED_003_TITLE,
        "source": "Unknown",
        "article_url": "",
        "label": "unsupported_claim",
        "label_name": "Unsupported claim",
        "start": 1111,
        "end": 1171,
        "quote": HITLER_QUOTE,
        "prefix": "led. Sanctions were applied and ",
        "suffix": ", received hate mail courtesy of",
        "note": "Presented as fact; no source.",
        "speaker": "",
        "evidence_url": "",
        "reviewer": "alice",
        "layer": "reviewer",
        "decision_reason": "",
        "created_at": "2023-03-05T10:00:00.123456Z",
        "updated_at": "2023-03-06T08:30:00.000000Z",
        "article_version": 1,
        "anchor_state": "exact",
    }
    resource = AnnotationResource()
    (exported,) = resource.export(queryset=Annotation.objects.all())
    (streamed,) = resource.iter_export_rows(Annotation.objects.all())
    assert dict(zip(COLUMNS, exported, strict=True)) == expected
    assert dict(zip(COLUMNS, streamed, strict=True)) == expected


def test_seed_span_offsets_count_code_points_of_the_stored_text(hitler_span, seed_articles):
    text = seed_articles["003_c9aaef3b5bae2a7a.txt"].text
    assert text[1111:1171] == HITLER_QUOTE
    assert text.index(HITLER_QUOTE) == 1111
    # Curly apostrophes come before the span, so a byte offset would differ.
    assert len(text[:1111].encode("utf-8")) > 1111
    assert len(text[1111 - 32 : 1111]) == 32


def test_prefix_and_suffix_are_short_at_the_start_and_end_of_the_text(mixed_annotations):
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in AnnotationResource().iter_export_rows(
        Annotation.objects.all())}  # fmt: skip
    first = rows[mixed_annotations[4].pk]
    last = rows[mixed_annotations[6].pk]
    assert (first["quote"], first["start"], first["end"]) == ("😀 Minsk", 0, 7)
    assert (first["prefix"], first["suffix"]) == ("", " 🇧🇾 says “yes” to Beijing.\nThe e")
    assert (last["quote"], last["start"], last["end"]) == ("The end.", 34, 42)
    assert (last["prefix"], last["suffix"]) == ("Minsk 🇧🇾 says “yes” to Beijing.\n", "")
    middle = rows[mixed_annotations[5].pk]
    # Two flag halves and one emoji before it: code points, not UTF-16 units.
    assert (middle["start"], middle["end"], middle["prefix"]) == (10, 21, "😀 Minsk 🇧🇾")


def test_iter_export_rows_yields_what_export_yields(mixed_annotations):
    resource = AnnotationResource()
    queryset = Annotation.objects.all()
    expected = [list(row) for row in resource.export(queryset=queryset)]
    assert len(expected) == len(mixed_annotations) == 7
    assert list(resource.iter_export_rows(queryset)) == expected
    assert [row[0] for row in expected] == [a.pk for a in mixed_annotations]


@pytest.mark.parametrize(
    "filters",
    [{"reviewer__username": "bob"}, {"layer": "consensus"}, {"label__slug": "fact"}, {"article__title": "Emoji first"}],
)
def test_iter_export_rows_matches_export_on_a_filtered_queryset(mixed_annotations, filters):
    resource = AnnotationResource()
    queryset = Annotation.objects.filter(**filters)
    expected = [list(row) for row in resource.export(queryset=queryset)]
    assert expected
    assert list(resource.iter_export_rows(queryset)) == expected


def test_spreadsheet_safe_rows_are_exports_rows_with_every_cell_escaped(mixed_annotations):
    resource = AnnotationResource()
    queryset = Annotation.objects.all()
    expected = [[escape_formula(cell) for cell in row] for row in resource.export(queryset=queryset)]
    safe = list(resource.iter_export_rows(queryset, spreadsheet_safe=True))
    assert safe == expected
    notes = [row[COLUMNS.index("note")] for row in safe]
    assert "'=SUM(A1:A2)" in notes and "'-1" in notes and "''=already" in notes


# --- round trips ----------------------------------------------------------------


@pytest.mark.parametrize("export_format", ["csv", "json", "xlsx"])
def test_an_export_imported_into_an_empty_table_restores_every_annotation(mixed_annotations, export_format):
    before = snapshot()
    data = export_bytes(export_format)
    Annotation.objects.all().delete()

    report = annotations_in.import_annotation_table(data, file_format=export_format)

    assert report.errors == []
    assert (report.total, report.new, report.updated, report.unchanged, report.written) == (7, 7, 0, 0, True)
    assert report.summary() == "imported 7 row(s): 7 new, 0 updated, 0 unchanged"
    assert snapshot() == before


@pytest.mark.parametrize("export_format", ["csv", "json", "xlsx"])
def test_reimporting_an_export_as_a_dry_run_reports_every_row_unchanged(mixed_annotations, export_format):
    before = list(Annotation.objects.values())
    report = annotations_in.import_annotation_table(
        export_bytes(export_format), file_format=export_format, dry_run=True
    )
    assert report.errors == []
    assert (report.total, report.new, report.updated, report.unchanged, report.written) == (7, 0, 0, 7, False)
    assert report.summary() == "would import (dry run) 7 row(s): 0 new, 0 updated, 7 unchanged"
    assert list(Annotation.objects.values()) == before


def test_the_resources_own_row_by_row_import_still_takes_its_export_back_unchanged(mixed_annotations):
    """django-import-export's import_data (no Sourcemark path uses it since
    the bulk writer) still reads the shape: an export re-imported as a dry
    run changes nothing, and a changed note is an update."""
    before = list(Annotation.objects.values())
    dataset = AnnotationResource().export(queryset=Annotation.objects.all())

    result = AnnotationResource().import_data(dataset, dry_run=True)

    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 0, 7)
    dataset[0] = tuple("Checked again." if header == "note" else cell for header, cell in zip(
        dataset.headers, dataset[0], strict=True))  # fmt: skip
    result = AnnotationResource().import_data(dataset, dry_run=False)
    assert (result.totals["update"], result.totals["skip"]) == (1, 6)
    assert Annotation.objects.get(note="Checked again.").version == 2
    assert len(before) == Annotation.objects.count()


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_notes_with_carriage_returns_and_apostrophes_survive_a_round_trip(article, labels, alice, export_format):
    # XLSX is left out: XML reads a literal CR back as LF (see test_exporting).
    for start, note in enumerate(["a\r\nb", "\r=1", "x\ry", "'", "''=2", " =3 ", ""]):
        make_annotation(article, labels["fact"], alice, start=start, end=start + 1, note=note)
    before = snapshot()
    data = export_bytes(export_format)
    Annotation.objects.all().delete()
    report = annotations_in.import_annotation_table(data, file_format=export_format)
    assert report.errors == []
    assert snapshot() == before


def test_reimporting_an_export_for_real_changes_nothing(mixed_annotations):
    before = list(Annotation.objects.values())
    report = annotations_in.import_annotation_table(export_bytes("csv"), file_format="csv")
    assert (report.new, report.updated, report.unchanged, report.written) == (0, 0, 7, True)
    assert list(Annotation.objects.values()) == before


def test_an_edited_note_is_reported_and_written_as_an_update(mixed_annotations):
    rows = json.loads(export_bytes("json"))
    rows[0]["note"] = "Checked: still no source."
    report = annotations_in.import_annotation_table(json.dumps(rows).encode(), file_format="json")
    assert (report.new, report.updated, report.unchanged) == (0, 1, 6)
    edited = Annotation.objects.get(pk=mixed_annotations[0].pk)
    # A new version, so a browser still showing the old note cannot save over it.
    assert (edited.note, edited.version) == ("Checked: still no source.", 2)
    assert Annotation.objects.count() == 7


def test_json_records_are_read_by_key_whatever_their_order(article, labels, alice):
    records = [
        {"article_id": article.pk, "label": "fact", "start": 0, "end": 10, "quote": "Lukashenko", "reviewer": "alice"},
        {"reviewer": "alice", "quote": "Beijing", "end": 28, "start": 21, "label": "fact", "article_id": article.pk},
    ]
    report = annotations_in.import_annotation_table(json.dumps(records).encode(), file_format="json")
    assert report.errors == []
    assert sorted(Annotation.objects.values_list("start", "end", "quote", "layer")) == [
        (0, 10, "Lukashenko", "reviewer"),
        (21, 28, "Beijing", "reviewer"),
    ]


def test_a_hand_written_file_with_only_the_required_columns_imports_into_the_reviewer_layer(article, labels, alice):
    data = csv_bytes(
        [{"article_id": article.pk, "label": "fact", "start": 15, "end": 17, "quote": "Xi", "reviewer": "alice"}]
    )
    report = annotations_in.import_annotation_table(data, file_format="csv")
    assert report.errors == []
    annotation = Annotation.objects.get()
    assert (annotation.quote, annotation.layer, annotation.reviewer.username) == ("Xi", "reviewer", "alice")


# --- bad files are rejected whole ---------------------------------------------------


@pytest.fixture
def existing(article, labels, bob):
    """One annotation already in the table, so "nothing written" is not "empty"."""
    return make_annotation(article, labels["opinion"], bob, quote="Beijing")


def good_row(article, **changes) -> dict:
    row = {"article_id": article.pk, "label": "fact", "start": 0, "end": 10, "quote": "Lukashenko", "reviewer": "alice"}
    row.update(changes)
    return row


BAD_ROWS = [
    # changes to a good row, the one problem reported for it
    ({"end": 99}, "end: end 99 is past the end of the text (29 characters)"),
    ({"start": 14, "end": 4}, "end: start 14 must be before end 4"),
    ({"quote": "Lukashenkx"}, "quote: quote 'Lukashenkx' does not match the text at [0, 10), which reads 'Lukashenko'"),
    ({"label": "nope"}, "unknown label 'nope'"),
    ({"label": ""}, "no label given"),
    ({"article_id": 999999}, "unknown article '999999'"),
    ({"reviewer": "carol"}, "unknown reviewer 'carol'"),
    ({"start": "x"}, "'x' is not a whole number"),
    ({"start": "1.5"}, "'1.5' is not a whole number"),
    ({"layer": "draft"}, "layer: Value 'draft' is not a valid choice."),
    ({"created_at": "yesterday"}, "created_at: 'yesterday' is not an ISO 8601 time like 2023-03-05T10:00:00Z"),
    ({"created_at": "2023-03-05T10:00:00"}, "created_at: '2023-03-05T10:00:00' has no time zone; add Z for UTC"),
]


@pytest.mark.parametrize("changes, problem", BAD_ROWS)
def test_a_bad_row_is_reported_by_number_and_reason_and_nothing_is_written(existing, article, alice, changes, problem):
    before = snapshot()
    data = csv_bytes([good_row(article, **changes)])
    report = annotations_in.import_annotation_table(data, file_format="csv")
    assert report.errors == [f"row 1: {problem}"]
    assert report.written is False
    assert report.summary() == "rejected: 1 problem(s) in 1 row(s); nothing was written"
    assert snapshot() == before


@pytest.mark.parametrize("changes, problem", BAD_ROWS[:4])
def test_a_bad_row_in_json_is_reported_the_same_way(existing, article, alice, changes, problem):
    before = snapshot()
    data = json.dumps([good_row(article, **changes)]).encode()
    report = annotations_in.import_annotation_table(data, file_format="json")
    assert report.errors == [f"row 1: {problem}"]
    assert snapshot() == before


def test_one_good_row_and_one_bad_row_write_nothing(existing, article, alice):
    before = snapshot()
    data = csv_bytes([good_row(article), good_row(article, start=15, end=17, quote="Xj")])
    report = annotations_in.import_annotation_table(data, file_format="csv")
    assert report.errors == ["row 2: quote: quote 'Xj' does not match the text at [15, 17), which reads 'Xi'"]
    assert report.summary() == "rejected: 1 problem(s) in 2 row(s); nothing was written"
    assert snapshot() == before


def test_every_bad_row_is_listed_in_row_order(existing, article, alice):
    data = csv_bytes(
        [
            good_row(article, reviewer="carol"),
            good_row(article, start=15, end=17, quote="Xi"),
            good_row(article, end=99),
            good_row(article, label="nope"),
        ]
    )
    report = annotations_in.import_annotation_table(data, file_format="csv")
    assert report.errors == [
        "row 1: unknown reviewer 'carol'",
        "row 3: end: end 99 is past the end of the text (29 characters)",
        "row 4: unknown label 'nope'",
    ]
    assert Annotation.objects.count() == 1


@pytest.mark.parametrize(
    "data, file_format, problem",
    [
        (b"[", "json", "not valid JSON (line 1, column 2: Expecting value)"),
        (b'{"article_id": 1}', "json", "the JSON must be a list of objects, as the export writes it"),
        (b"[1, 2]", "json", "the JSON must be a list of objects, as the export writes it"),
        (b"[]", "json", "the file holds no annotations"),
        (b"", "csv", "the file is empty"),
        (b"\xff\xfea\x00", "csv", "the file is UTF-16; save it as UTF-8 and import it again"),
        (b"not a zip", "xlsx", "cannot read the file as XLSX: File is not a zip file"),
        (b"a,b\n1,2\n", "tsv", "unknown format 'tsv'; use csv, json or xlsx"),
        (
            b"article_id,label,start,end,quote,reviewer\n1,fact,0,10,Lukashenko,alice,extra\n",
            "csv",
            "cannot read the file as CSV: a row has more cells than the header has columns",
        ),
    ],
)
def test_an_unreadable_file_is_rejected_with_the_reason(existing, data, file_format, problem):
    before = snapshot()
    report = annotations_in.import_annotation_table(data, file_format=file_format)
    assert report.errors == [problem]
    assert report.written is False
    assert snapshot() == before


@pytest.mark.parametrize(
    "dropped, problem",
    [
        ("quote", "file: missing column(s): quote"),
        ("start", "file: missing column(s): start"),
        ("reviewer", "file: missing column(s): reviewer"),
    ],
)
def test_a_file_missing_a_required_column_is_rejected_for_that_alone(existing, article, alice, dropped, problem):
    before = snapshot()
    row = good_row(article)
    del row[dropped]
    report = annotations_in.import_annotation_table(csv_bytes([row, row]), file_format="csv")
    assert report.errors == [problem]
    assert report.summary() == "rejected: 1 problem(s) in 2 row(s); nothing was written"
    assert snapshot() == before


def test_a_dry_run_of_a_good_file_reports_new_rows_and_writes_nothing(existing, article, alice):
    before = snapshot()
    data = csv_bytes([good_row(article), good_row(article, start=15, end=17, quote="Xi")])
    report = annotations_in.import_annotation_table(data, file_format="csv", dry_run=True)
    assert report.errors == []
    assert (report.total, report.new, report.updated, report.unchanged, report.written) == (2, 2, 0, 0, False)
    assert snapshot() == before


# --- the import_annotations command -----------------------------------------------


def run_import(*args) -> tuple[str, str, CommandError | None]:
    """The command as staff restoring data (authors and times kept), the
    mode these tests of the Resource's round trip are about; the rights of
    other importers are tests/io/test_import_permissions.py's."""
    operator, _ = get_user_model().objects.get_or_create(username="operator", defaults={"is_staff": True})
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_annotations", *map(str, args), "--user", operator.username, "--keep-authors",
            stdout=stdout, stderr=stderr,
        )  # fmt: skip
    except CommandError as error:
        return stdout.getvalue(), stderr.getvalue(), error
    return stdout.getvalue(), stderr.getvalue(), None


def test_import_command_with_dry_run_writes_nothing(existing, article, alice, tmp_path):
    path = tmp_path / "spans.csv"
    path.write_bytes(csv_bytes([good_row(article), good_row(article, start=15, end=17, quote="Xi")]))
    before = snapshot()
    stdout, stderr, error = run_import(path, "--dry-run")
    assert error is None
    assert stdout == f"{path}: would import (dry run) 2 row(s): 2 new, 0 updated, 0 unchanged.\n"
    assert stderr == ""
    assert snapshot() == before


def test_import_command_writes_a_good_file(existing, article, alice, tmp_path):
    path = tmp_path / "spans.csv"
    path.write_bytes(csv_bytes([good_row(article)]))
    stdout, _, error = run_import(path)
    assert error is None
    assert stdout == f"{path}: imported 1 row(s): 1 new, 0 updated, 0 unchanged.\n"
    assert Annotation.objects.filter(quote="Lukashenko", reviewer__username="alice").count() == 1


def test_import_command_names_each_bad_row_and_fails(existing, article, alice, tmp_path):
    path = tmp_path / "spans.csv"
    path.write_bytes(csv_bytes([good_row(article), good_row(article, label="nope")]))
    before = snapshot()
    _, stderr, error = run_import(path)
    assert str(error) == f"{path}: rejected: 1 problem(s) in 2 row(s); nothing was written"
    assert stderr == f"{path}: row 2: unknown label 'nope'\n"
    assert snapshot() == before


def test_import_command_reads_the_format_from_the_extension_or_asks_for_it(existing, article, alice, tmp_path):
    path = tmp_path / "spans.txt"
    path.write_bytes(json.dumps([good_row(article)]).encode())
    _, _, error = run_import(path)
    assert str(error) == (
        f"{path}: cannot tell the format from the extension; "
        "give --format csv|json|xlsx|w3c|doccano|labelstudio|hypothesis"
    )
    stdout, _, error = run_import(path, "--format", "json")
    assert error is None
    assert stdout == f"{path}: imported 1 row(s): 1 new, 0 updated, 0 unchanged.\n"


def test_import_command_reports_progress_of_both_passes(existing, article, alice, tmp_path, monkeypatch):
    monkeypatch.setattr(annotations_in, "PROGRESS_EVERY", 2)
    words = [("Lukashenko", 0), ("met", 11), ("Xi", 15), ("in", 18), ("Beijing", 21)]
    rows = [good_row(article, start=start, end=start + len(word), quote=word) for word, start in words]
    path = tmp_path / "spans.csv"
    path.write_bytes(csv_bytes(rows))
    stdout, stderr, error = run_import(path, "--progress")
    assert error is None
    assert stderr.splitlines() == [
        "checking: 2/5 rows", "checking: 4/5 rows", "checking: 5/5 rows",
        "writing: 2/5 rows", "writing: 4/5 rows", "writing: 5/5 rows",
    ]  # fmt: skip
    assert stdout == f"{path}: imported 5 row(s): 5 new, 0 updated, 0 unchanged.\n"


def test_import_command_reports_a_missing_file(db, tmp_path):
    path = tmp_path / "nowhere.csv"
    _, _, error = run_import(path)
    assert str(error) == f"{path}: No such file or directory"


def test_a_consensus_spans_reason_survives_export_and_re_import(seed_articles, labels, lena):

    article = seed_articles["003_c9aaef3b5bae2a7a.txt"]
    start = article.text.index(HITLER_QUOTE)
    consensus_create(
        article=article, label=labels["unsupported_claim"], start=start, end=start + len(HITLER_QUOTE),
        lead=lena, reason="=No source; the claim is the author's.",
    )  # fmt: skip
    data = export_bytes("csv")
    assert b"'=No source; the claim is the author's." in data  # neutralised for spreadsheets
    before = snapshot()
    Annotation.objects.all().delete()

    report = annotations_in.import_annotation_table(data, file_format="csv")

    assert report.errors == []
    assert snapshot() == before
