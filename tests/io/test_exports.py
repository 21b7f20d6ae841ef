"""annotate/io/exports.py, the ``export_annotations`` command and the download
view: bytes in each format, formula injection, filters, a fixed query count."""

import csv
import io
import json
import sys

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import StreamingHttpResponse

from annotate.io import articles_in, spreadsheets
from annotate.io.exports import (
    AnnotationFilter,
    ExportError,
    annotations_for_export,
    export_filename,
    stream_annotations,
)
from annotate.io.resources import AnnotationResource
from annotate.models import Annotation, Article, Label
from tests.conftest import HITLER_QUOTE, assign, make_annotation, make_article

pytestmark = pytest.mark.django_db

COLUMNS = [
    "id", "article_id", "article_title", "source", "article_url", "label", "label_name",
    "start", "end", "quote", "prefix", "suffix", "note", "speaker", "evidence_url",
    "reviewer", "layer", "decision_reason", "created_at", "updated_at", "article_version", "anchor_state",
]  # fmt: skip
URL = "/export/annotations/"


def export_bytes(export_format: str, queryset=None) -> bytes:
    queryset = Annotation.objects.all() if queryset is None else queryset
    return b"".join(stream_annotations(queryset, export_format))


def parse_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def parse_xlsx(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(values_only=True))


def xlsx_cells(data: bytes):
    """The worksheet's cells (not only values), to check their data type."""
    return list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows())


def expected_rows() -> list[list]:
    """The export as the library's own path gives it."""
    return [list(row) for row in AnnotationResource().export(queryset=Annotation.objects.all())]


def as_text(row: list) -> list[str]:
    """A row as CSV writes it: every cell a string."""
    return ["" if cell is None else str(cell) for cell in row]


# --- the three formats ------------------------------------------------------------


def test_csv_export_of_the_seed_spans_has_the_header_then_one_row_per_span(mixed_annotations):
    data = export_bytes("csv")
    assert data.startswith(b"id,article_id,article_title,source,article_url,label,label_name,start,end,quote,")
    rows = parse_csv(data)
    assert rows[0] == COLUMNS
    assert rows[1:] == [as_text([spreadsheets.escape_formula(cell) for cell in row]) for row in expected_rows()]
    hitler = dict(zip(COLUMNS, rows[3], strict=True))
    assert (hitler["label"], hitler["start"], hitler["end"], hitler["quote"], hitler["reviewer"]) == (
        "unsupported_claim", "1111", "1171", HITLER_QUOTE, "alice",
    )  # fmt: skip
    # Rows end in CRLF, as RFC 4180 and Excel expect, and multi-line notes stay quoted.
    assert data.count(b"\r\n") == 8
    assert b'"line one\nline two"' in data


def test_json_export_is_a_list_of_objects_with_the_columns_as_keys_and_numbers_as_numbers(mixed_annotations):
    records = json.loads(export_bytes("json"))
    assert [list(record) for record in records] == [COLUMNS] * 7
    assert [list(record.values()) for record in records] == expected_rows()
    assert records[2]["start"] == 1111 and records[2]["id"] == mixed_annotations[2].pk
    assert records[0]["speaker"] == "" and records[1]["speaker"] == "Xi and Lukashenko"


def test_json_export_keeps_text_unescaped_and_non_ascii_as_is(mixed_annotations):
    data = export_bytes("json")
    assert "“deep concern".encode() in data
    assert "😀 Minsk".encode() in data


def test_xlsx_export_has_one_sheet_named_annotations_with_the_same_cells(mixed_annotations):
    data = export_bytes("xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["annotations"]
    rows = parse_xlsx(data)
    assert list(rows[0]) == COLUMNS
    expected = [[None if cell == "" else spreadsheets.escape_formula(cell) for cell in row] for row in expected_rows()]
    assert [list(row) for row in rows[1:]] == expected


@pytest.mark.parametrize(
    "export_format, parse, empty",
    [
        ("csv", parse_csv, [COLUMNS]),
        ("json", json.loads, []),
        ("labelstudio", json.loads, []),
        ("xlsx", lambda data: [list(row) for row in parse_xlsx(data)], [COLUMNS]),
    ],
)
def test_an_empty_export_is_a_valid_file(db, export_format, parse, empty):
    assert parse(export_bytes(export_format, Annotation.objects.none())) == empty


def test_an_unknown_format_is_an_export_error(db):
    with pytest.raises(ExportError) as caught:
        stream_annotations(Annotation.objects.all(), "tsv")
    assert str(caught.value) == (
        "unknown format 'tsv'; use one of csv, json, xlsx, w3c, doccano, labelstudio, hypothesis, claimreview"
    )


def test_the_csv_download_matches_the_admins_spreadsheet_safe_csv(mixed_annotations):
    dataset = AnnotationResource().export(queryset=Annotation.objects.all())
    admin_csv = spreadsheets.CSV().export_data(dataset)
    assert parse_csv(export_bytes("csv")) == list(csv.reader(io.StringIO(admin_csv, newline="")))


# --- formula injection ----------------------------------------------------------

INJECTIONS = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1", "\r=1"]


@pytest.fixture
def injected(article, labels, alice):
    """One span per dangerous note, in INJECTIONS order."""
    return [
        make_annotation(article, labels["fact"], alice, start=0, end=index + 1, quote=article.text[: index + 1], note=n)
        for index, n in enumerate(INJECTIONS)
    ]


@pytest.mark.parametrize("index, note", list(enumerate(INJECTIONS)))
def test_a_formula_note_is_neutralised_in_csv(injected, index, note):
    rows = parse_csv(export_bytes("csv"))
    assert rows[1 + index][COLUMNS.index("note")] == "'" + note


@pytest.mark.parametrize("index, note", list(enumerate(INJECTIONS)))
def test_a_formula_note_is_a_plain_string_cell_in_xlsx(injected, index, note):
    cell = xlsx_cells(export_bytes("xlsx"))[1 + index][COLUMNS.index("note")]
    assert cell.data_type == "s"
    # openpyxl writes through lxml (installed for trafilatura), which writes
    # a carriage return as &#13;: it survives, where a literal one would be
    # read back as a line feed.
    assert cell.value == "'" + note


@pytest.mark.parametrize("index, note", list(enumerate(INJECTIONS)))
def test_a_formula_note_is_raw_in_json(injected, index, note):
    assert json.loads(export_bytes("json"))[index]["note"] == note


@pytest.fixture
def hostile(db, alice):
    """Every free-text column starting with a formula trigger."""
    article = make_article("=1+1 is two, said the minister.", title='=HYPERLINK("http://x")', source="@Evil Outlet")
    label = Label.objects.create(name="+Spin", slug="spin", colour="#123456")
    reviewer = type(alice).objects.create_user(username="-mallory", password="x")
    return make_annotation(article, label, reviewer, quote="=1+1", speaker="@speaker", note="-note")


def test_every_text_column_is_neutralised_in_csv_and_xlsx(hostile):
    csv_row = dict(zip(COLUMNS, parse_csv(export_bytes("csv"))[1], strict=True))
    xlsx_row = dict(zip(COLUMNS, xlsx_cells(export_bytes("xlsx"))[1], strict=True))
    for column, value in [
        ("article_title", '\'=HYPERLINK("http://x")'),
        ("source", "'@Evil Outlet"),
        ("label_name", "'+Spin"),
        ("quote", "'=1+1"),
        ("speaker", "'@speaker"),
        ("note", "'-note"),
        ("reviewer", "'-mallory"),
    ]:
        assert csv_row[column] == value, column
        assert (xlsx_row[column].value, xlsx_row[column].data_type) == (value, "s"), column
    assert csv_row["suffix"] == " is two, said the minister."


def test_every_text_column_is_raw_in_json(hostile):
    (record,) = json.loads(export_bytes("json"))
    assert (record["article_title"], record["source"], record["label_name"], record["quote"], record["reviewer"]) == (
        '=HYPERLINK("http://x")', "@Evil Outlet", "+Spin", "=1+1", "-mallory",
    )  # fmt: skip


def test_control_characters_xlsx_cannot_hold_are_replaced_in_xlsx_only(article, labels, alice):
    make_annotation(article, labels["fact"], alice, quote="Xi", note="bell\x07here")
    cell = xlsx_cells(export_bytes("xlsx"))[1][COLUMNS.index("note")]
    assert cell.value == "bell\N{REPLACEMENT CHARACTER}here"
    assert parse_csv(export_bytes("csv"))[1][COLUMNS.index("note")] == "bell\x07here"


# --- filters --------------------------------------------------------------------


def exported_ids(**criteria) -> list[int]:
    return [row["id"] for row in json.loads(export_bytes("json", annotations_for_export(AnnotationFilter(**criteria))))]


def test_filters_choose_the_annotations_an_export_covers(mixed_annotations, seed_articles):
    ids = [a.pk for a in mixed_annotations]
    cnn = seed_articles["002_62f2d983f655606c.txt"]
    assert exported_ids() == ids
    assert exported_ids(source="CNN") == ids[0:2]
    assert exported_ids(source="Test Source") == ids[4:7]
    assert exported_ids(label="fact") == [ids[0], ids[4]]
    assert exported_ids(label="unsupported_claim") == [ids[2], ids[6]]
    assert exported_ids(reviewer="alice") == [ids[2], ids[4], ids[5]]
    assert exported_ids(reviewer="lena") == [ids[0]]
    assert exported_ids(article=cnn.pk) == ids[0:2]
    assert exported_ids(layer="consensus") == [ids[0]]
    assert exported_ids(layer="reviewer") == ids[1:]
    assert exported_ids(source="Unknown", reviewer="bob", label="opinion") == [ids[3]]


def test_filters_that_match_nothing_give_an_empty_export(mixed_annotations, root):
    assert exported_ids(reviewer="root") == []


@pytest.mark.parametrize(
    "criteria, message",
    [
        ({"source": "Nope"}, "unknown source 'Nope'"),
        ({"label": "nope"}, "unknown label 'nope'"),
        ({"reviewer": "carol"}, "unknown reviewer 'carol'"),
        ({"article": 999999}, "unknown article 999999"),
        ({"layer": "draft"}, "unknown layer 'draft'; use one of reviewer, consensus"),
    ],
)
def test_a_filter_naming_something_unknown_is_an_export_error(mixed_annotations, criteria, message):
    with pytest.raises(ExportError) as caught:
        annotations_for_export(AnnotationFilter(**criteria))
    assert str(caught.value) == message


# --- query count ----------------------------------------------------------------

# The annotations, the labels, the reviewers and the articles: one query each,
# whatever the number of rows.
EXPORT_QUERIES = 4


def add_annotations(count: int, labels, reviewers) -> None:
    """``count`` spans over up to 25 articles: more than the 20 the export
    reads per chunk, so a query per chunk would show."""
    articles = [
        make_article(f"Article {n}: " + "Minsk and Beijing agree. " * 40, title=f"A{n}") for n in range(min(count, 25))
    ]
    label_list = list(labels.values())
    Annotation.objects.bulk_create(
        Annotation(
            article=articles[n % len(articles)],
            label=label_list[n % len(label_list)],
            reviewer=reviewers[n % len(reviewers)],
            start=n,
            end=n + 5,
            quote=articles[n % len(articles)].text[n : n + 5],
        )
        for n in range(count)
    )


@pytest.mark.parametrize("export_format", ["csv", "json", "xlsx"])
@pytest.mark.parametrize("count", [5, 500])
def test_the_export_runs_the_same_number_of_queries_for_5_and_500_rows(
    labels, alice, bob, django_assert_num_queries, export_format, count
):
    add_annotations(count, labels, [alice, bob])
    with django_assert_num_queries(EXPORT_QUERIES):
        data = export_bytes(export_format)
    rows = json.loads(data) if export_format == "json" else parse_csv(data)[1:] if export_format == "csv" else None
    if rows is not None:
        assert len(rows) == count


def test_the_filtered_export_runs_the_same_number_of_queries(labels, alice, bob, django_assert_num_queries):
    add_annotations(50, labels, [alice, bob])
    # +2: the filter checks that the label and the reviewer exist.
    with django_assert_num_queries(EXPORT_QUERIES + 2):
        data = export_bytes("csv", annotations_for_export(AnnotationFilter(label="fact", reviewer="alice")))
    assert len(parse_csv(data)) - 1 == Annotation.objects.filter(label__slug="fact", reviewer=alice).count() > 0


# --- the export_annotations command -----------------------------------------------


def test_export_command_writes_csv_to_the_output_file(mixed_annotations, tmp_path):
    path = tmp_path / "out.csv"
    call_command("export_annotations", "--output", str(path))
    assert path.read_bytes() == export_bytes("csv")


def test_export_command_writes_xlsx_to_the_output_file(mixed_annotations, tmp_path):
    path = tmp_path / "out.xlsx"
    call_command("export_annotations", "--format", "xlsx", "--output", str(path))
    assert parse_xlsx(path.read_bytes()) == parse_xlsx(export_bytes("xlsx"))


def test_export_command_writes_to_standard_output_by_default(mixed_annotations, capsysbinary):
    call_command("export_annotations", "--format", "json", "--label", "fact")
    records = json.loads(capsysbinary.readouterr().out)
    assert [r["id"] for r in records] == [mixed_annotations[0].pk, mixed_annotations[4].pk]


def test_export_command_applies_every_filter(mixed_annotations, seed_articles, tmp_path):
    path = tmp_path / "out.json"
    cnn = seed_articles["002_62f2d983f655606c.txt"]
    call_command(
        "export_annotations", "--format", "json", "--output", str(path), "--source", "CNN", "--label", "quote",
        "--reviewer", "bob", "--article", str(cnn.pk), "--layer", "reviewer",
    )  # fmt: skip
    assert [r["id"] for r in json.loads(path.read_bytes())] == [mixed_annotations[1].pk]


def test_export_command_fails_on_an_unknown_label_and_writes_no_file(mixed_annotations, tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(CommandError) as caught:
        call_command("export_annotations", "--label", "nope", "--output", str(path))
    assert str(caught.value) == "unknown label 'nope'"
    assert not path.exists()


def test_export_command_refuses_to_write_xlsx_to_a_terminal(db, capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with pytest.raises(CommandError) as caught:
        call_command("export_annotations", "--format", "xlsx")
    assert str(caught.value) == "XLSX is binary; give --output FILE or redirect standard output."
    assert capsysbinary.readouterr().out == b""


# --- the download view ------------------------------------------------------------


def download(client, **params) -> tuple[StreamingHttpResponse, bytes]:
    response = client.get(URL, params)
    assert isinstance(response, StreamingHttpResponse), response.status_code
    return response, b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "export_format, content_type",
    [
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_a_lead_downloads_the_whole_export_as_an_attachment(
    mixed_annotations, lena_client, export_format, content_type
):
    response, body = download(lena_client, format=export_format)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="sourcemark-annotations.{export_format}"'
    assert export_filename(export_format) == f"sourcemark-annotations.{export_format}"
    if export_format == "xlsx":
        assert parse_xlsx(body) == parse_xlsx(export_bytes("xlsx"))
    else:
        assert body == export_bytes(export_format)


def test_the_download_applies_the_filters(mixed_annotations, lena_client):
    _, body = download(lena_client, format="csv", label="opinion", reviewer="bob")
    rows = parse_csv(body)
    assert [int(row[0]) for row in rows[1:]] == [mixed_annotations[3].pk]


@pytest.fixture
def alice_assigned(mixed_annotations, alice):
    """alice may open every article the mixed spans are on."""
    for article_id in {a.article_id for a in mixed_annotations}:
        assign(Article.objects.get(pk=article_id), alice)
    return mixed_annotations


def test_a_reviewer_downloads_only_their_own_spans(alice_assigned, alice_client, alice):
    mixed_annotations = alice_assigned
    _, body = download(alice_client, format="csv")
    rows = parse_csv(body)
    own = sorted(a.pk for a in mixed_annotations if a.reviewer_id == alice.pk)
    assert own and sorted(int(row[0]) for row in rows[1:]) == own
    assert {row[15] for row in rows[1:]} == {"alice"}


def test_a_reviewer_asking_for_a_colleagues_spans_is_refused_as_an_unknown_name(mixed_annotations, alice_client):
    colleague = alice_client.get(URL, {"format": "csv", "reviewer": "bob"})
    nobody = alice_client.get(URL, {"format": "csv", "reviewer": "nosuchuser"})
    assert (colleague.status_code, nobody.status_code) == (400, 400)
    assert colleague.context["form"].errors == nobody.context["form"].errors


def test_the_page_without_parameters_shows_the_form(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert not response.streaming
    assert [t.name for t in response.templates][0] == "annotate/export.html"
    content = response.content.decode()
    assert "<h1>Export annotations</h1>" in content
    for name in ("format", "source", "label", "reviewer", "article", "layer"):
        assert f'name="{name}"' in content
    assert "Content-Disposition" not in response


@pytest.mark.parametrize(
    "params, errors",
    [
        ({"format": "tsv"}, {"format": ["Select a valid choice. tsv is not one of the available choices."]}),
        (
            {"format": "csv", "label": "nope"},
            {"label": ["Select a valid choice. That choice is not one of the available choices."]},
        ),
        (
            {"format": "csv", "reviewer": "carol"},
            {"reviewer": ["Select a valid choice. That choice is not one of the available choices."]},
        ),
        ({"format": "csv", "article": "x"}, {"article": ["Enter a whole number."]}),
    ],
)
def test_an_invalid_option_is_a_400_with_the_form_errors(mixed_annotations, alice_client, params, errors):
    response = alice_client.get(URL, params)
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert "Content-Disposition" not in response


def test_an_unknown_article_is_a_400_naming_it(mixed_annotations, alice_client):
    response = alice_client.get(URL, {"format": "csv", "article": 999999})
    assert response.status_code == 400
    assert response.content == b"unknown article 999999"


def test_an_anonymous_visitor_is_sent_to_log_in(mixed_annotations, client):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/export/annotations/%3Fformat%3Dcsv"
    assert not response.streaming


@pytest.mark.parametrize(
    "export_format, content_type, filename",
    [
        ("w3c", 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"', "sourcemark-annotations.jsonld"),
        ("doccano", "application/jsonl; charset=utf-8", "sourcemark-annotations.jsonl"),
        ("labelstudio", "application/json", "sourcemark-annotations.labelstudio.json"),
        ("hypothesis", "application/json", "sourcemark-annotations.hypothesis.json"),
        ("claimreview", "application/ld+json", "sourcemark-annotations.claimreview.jsonld"),
    ],
)
def test_the_interop_formats_download_like_the_others(
    mixed_annotations, lena_client, export_format, content_type, filename
):
    response, body = download(lena_client, format=export_format)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    if export_format == "w3c":  # the collection says when it was generated
        downloaded, direct = json.loads(body), json.loads(export_bytes(export_format))
        # ... and each export names the collection and its page anew.
        for document in (downloaded, direct):
            assert document.pop("generated") and document.pop("id").startswith("urn:uuid:")
            assert document["first"].pop("id") and document["first"].pop("partOf")
        assert downloaded == direct and downloaded["total"] == len(mixed_annotations)
    elif export_format == "hypothesis":  # and so does Hypothesis's export
        downloaded, direct = json.loads(body), json.loads(export_bytes(export_format))
        assert downloaded.pop("export_date") and direct.pop("export_date")
        assert downloaded == direct and len(downloaded["annotations"]) == len(mixed_annotations)
    else:
        assert body == export_bytes(export_format)


def test_a_reviewers_interop_download_holds_only_their_spans(alice_assigned, alice_client, alice):
    mixed_annotations = alice_assigned
    _, body = download(alice_client, format="w3c")
    items = json.loads(body)["first"]["items"]
    own = sorted(a.pk for a in mixed_annotations if a.reviewer_id == alice.pk)
    assert sorted(int(item["id"].rsplit(":", 1)[1]) for item in items) == own
    _, body = download(alice_client, format="doccano")
    assert {json.loads(line)["reviewer"] for line in body.decode().splitlines()} == {"alice"}


# --- article versions -----------------------------------------------------------


def versioned_article(reviewer, labels):
    """An article at version 2 with one span moved and one orphaned."""
    url = "https://example.org/versioned"
    record = articles_in.ArticleRecord(text="One. Two sentences here. Three. Five.", url=url, source="Example")
    article, _ = articles_in.article_import(record)
    make_annotation(article, labels["fact"], reviewer, quote="Two sentences here.")
    make_annotation(article, labels["opinion"], reviewer, quote="Three.")
    articles_in.article_import(articles_in.ArticleRecord(text="One. Three. Five. Four.", url=url, source="Example"))
    return article


def test_orphans_are_left_out_unless_asked_for_and_then_count_in_their_version(alice, labels):
    versioned_article(alice, labels)
    placed = json.loads(export_bytes("json", annotations_for_export(AnnotationFilter())))
    assert [(r["quote"], r["article_version"], r["anchor_state"]) for r in placed] == [("Three.", 2, "moved")]
    everything = json.loads(export_bytes("json", annotations_for_export(AnnotationFilter(include_orphans=True))))
    orphan = next(r for r in everything if r["anchor_state"] == "orphaned")
    assert (orphan["start"], orphan["end"], orphan["article_version"]) == (5, 24, 1)
    # Its context is the text it counts in, version 1's.
    assert (orphan["prefix"], orphan["suffix"]) == ("One. ", " Three. Five.")


def test_include_orphans_is_a_download_and_api_parameter(lena_client, alice, labels):
    versioned_article(alice, labels)
    for url in (URL, "/api/exports/annotations/"):
        for query, count in (({}, 1), ({"include_orphans": "1"}, 2), ({"include_orphans": "0"}, 1)):
            response = lena_client.get(url, {"format": "json", **query})
            assert len(json.loads(b"".join(response.streaming_content))) == count, (url, query)
    refused = lena_client.get("/api/exports/annotations/", {"format": "json", "include_orphans": "maybe"})
    assert refused.status_code == 400


def test_w3c_targets_carry_the_text_version_and_never_an_orphan(alice, labels):
    article = versioned_article(alice, labels)
    article.refresh_from_db()
    data = json.loads(export_bytes("w3c", annotations_for_export(AnnotationFilter(include_orphans=True))))
    (item,) = data["first"]["items"]
    assert item["target"]["state"] == {
        "id": f"urn:sourcemark:article:sha256:{article.sha256}",
        "type": "sourcemark:TextVersion",
        "sourcemark:version": 2,
    }
