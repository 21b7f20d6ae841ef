"""An annotation import does only what its user could do row by row on the
page (annotate/io/import_policy.py, permissions.span_import_refusal): each
hostile row below is refused, the whole file with it, nothing written,
through the entry point and through the API, as a lead who is not staff
and as a reviewer. Staff restoring data, asking for it, keep the file's
authors and times, and the history names them as the importer."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from annotate.actions.assignments import assignment_submit
from annotate.actions.consensus import adjudication_close, consensus_create
from annotate.io.annotations_in import import_annotation_file
from annotate.models import Annotation, Assignment
from tests.conftest import assign, make_annotation, make_article

pytestmark = pytest.mark.django_db

TEXT = "Lukashenko met Xi in Beijing on Tuesday."
BACKDATED = "2001-09-11T08:46:00.000000Z"


@pytest.fixture
def desk(labels, alice, bob, lena):
    shared = make_article(TEXT, title="Shared")
    assign(shared, alice, bob)
    unassigned = make_article("An article nobody was given.", title="Unassigned")
    closed = make_article("Minsk and Beijing sign a pact.", title="Closed")
    decided = consensus_create(article=closed, label=labels["fact"], start=0, end=5, lead=lena, reason="Checked.")
    adjudication_close(closed, lead=lena)
    return {
        "shared": shared,
        "unassigned": unassigned,
        "closed": closed,
        "alices": make_annotation(shared, labels["fact"], alice, quote="Lukashenko"),
        "bobs": make_annotation(shared, labels["opinion"], bob, quote="Beijing"),
        "decided": decided,
    }


def csv_of(*rows: dict) -> bytes:
    columns = ["article_id", "label", "start", "end", "quote", "reviewer", "layer", "note", "created_at"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({"layer": "reviewer", "note": "", "created_at": "", **row})
    return out.getvalue().encode()


def row_of(span: Annotation, **changes) -> dict:
    row = {
        "article_id": span.article_id, "label": span.label.slug, "start": span.start, "end": span.end,
        "quote": span.quote, "reviewer": span.reviewer.username, "layer": span.layer, "note": span.note,
    }  # fmt: skip
    row.update(changes)
    return row


HOSTILE = {
    "change another reviewer's span": lambda d: row_of(d["bobs"], note="rewritten"),
    "add a span in another's name": lambda d: {
        "article_id": d["shared"].pk, "label": "fact", "start": 15, "end": 17, "quote": "Xi", "reviewer": "bob",
    },
    "change a frozen consensus": lambda d: row_of(d["decided"], note="second thoughts"),
    "add to a frozen consensus": lambda d: {
        "article_id": d["closed"].pk, "label": "opinion", "start": 10, "end": 17, "quote": "Beijing",
        "reviewer": "lena", "layer": "consensus",
    },
    "backdate an existing span": lambda d: row_of(d["alices"], created_at=BACKDATED),
}  # fmt: skip


def snapshot() -> list:
    return sorted(Annotation.objects.values_list("pk", "note", "version", "created_at", "reviewer_id", "layer"))


@pytest.mark.parametrize("importer", ["alice", "lena"])
@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_a_hostile_row_refuses_the_whole_file_and_writes_nothing(request, desk, importer, hostile):
    user = request.getfixturevalue(importer)
    harmless = row_of(desk["alices"], note="a fine edit") if importer == "alice" else None
    rows = [row for row in (harmless, HOSTILE[hostile](desk)) if row is not None]
    before = snapshot()

    report = import_annotation_file(csv_of(*rows), "csv", user=user)

    assert not report.written
    assert report.errors and all(error.startswith(f"row {len(rows)}: ") for error in report.errors), report.errors
    assert snapshot() == before


@pytest.mark.parametrize(
    ("importer", "row", "reason"),
    [
        ("alice", lambda d: row_of(d["bobs"], note="x"), "the span is bob's; only bob can write it"),
        ("lena", lambda d: row_of(d["decided"], note="x"),
         "is adjudicated; a lead must reopen it before its consensus changes"),
        ("alice", lambda d: {"article_id": d["unassigned"].pk, "label": "fact", "start": 0, "end": 2, "quote": "An",
                             "reviewer": "alice"}, "is not assigned to you"),
        ("alice", lambda d: row_of(d["alices"], created_at=BACKDATED), "a file cannot change when a span was made"),
    ],
)  # fmt: skip
def test_each_refusal_says_why(request, desk, importer, row, reason):
    report = import_annotation_file(csv_of(row(desk)), "csv", user=request.getfixturevalue(importer))
    assert len(report.errors) == 1 and reason in report.errors[0]


def test_a_reviewer_who_submitted_cannot_change_their_spans_by_file(desk, alice):
    assignment_submit(Assignment.objects.get(article=desk["shared"], reviewer=alice), user=alice)
    report = import_annotation_file(csv_of(row_of(desk["alices"], note="late")), "csv", user=alice)
    article = desk["shared"].pk
    # A refusal is the row's, not its reviewer cell's: said as every format says it.
    assert report.errors == [
        f"row 1: you have submitted article {article}; a lead must reopen it before its spans change"
    ]


def test_a_reviewer_changes_and_adds_their_own_spans_and_new_spans_are_made_now(desk, alice):
    new = {"article_id": desk["shared"].pk, "label": "fact", "start": 15, "end": 17, "quote": "Xi",
           "reviewer": "alice", "created_at": BACKDATED}  # fmt: skip
    report = import_annotation_file(csv_of(row_of(desk["alices"], note="sourced"), new), "csv", user=alice)
    assert report.errors == [] and (report.new, report.updated) == (1, 1)
    made = Annotation.objects.get(quote="Xi")
    assert timezone.now() - made.created_at < dt.timedelta(minutes=1)  # the file's 2001 is not taken
    assert made.history.get().history_user == alice


def test_a_lead_cannot_keep_authors_and_staff_can_when_they_ask(desk, lena, root):
    hostile = [HOSTILE["change another reviewer's span"](desk), HOSTILE["add a span in another's name"](desk)]
    refused = import_annotation_file(csv_of(*hostile), "csv", user=lena, keep_authors=True)
    assert refused.errors == ["only staff restoring data may keep a file's authors and times"]

    restored = import_annotation_file(csv_of(*hostile), "csv", user=root, keep_authors=True)
    assert restored.errors == [] and restored.written
    bobs = Annotation.objects.get(pk=desk["bobs"].pk)
    assert (bobs.note, bobs.reviewer.username) == ("rewritten", "bob")
    assert bobs.history.order_by("-history_date").first().history_user == root
    made = Annotation.objects.get(quote="Xi")
    assert (made.reviewer.username, made.history.get().history_user) == ("bob", root)


@pytest.mark.parametrize("importer", ["alice", "lena"])
def test_the_api_refuses_the_same_rows(request, desk, importer):
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(importer))
    before = snapshot()
    upload = SimpleUploadedFile("spans.csv", csv_of(HOSTILE["change another reviewer's span"](desk)))
    response = client.post("/api/imports/annotations/", {"file": upload, "format": "csv"}, format="multipart")
    # A reviewer may not use the API's import at all; a lead's file is refused row by row.
    assert response.status_code == (403 if importer == "alice" else 422)
    assert snapshot() == before


def test_the_api_keeps_authors_for_staff_only(desk, lena):
    client = APIClient()
    client.force_authenticate(lena)
    upload = SimpleUploadedFile("spans.csv", csv_of(HOSTILE["change another reviewer's span"](desk)))
    response = client.post(
        "/api/imports/annotations/", {"file": upload, "format": "csv", "keep_authors": True}, format="multipart"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == ["only staff restoring data may keep a file's authors and times"]


def test_the_command_imports_as_the_user_it_names(desk, alice, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "spans.csv"
    path.write_bytes(csv_of(HOSTILE["change another reviewer's span"](desk)))
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_annotations", str(path), "--user", "alice", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="no active user"):
        call_command("import_annotations", str(path), "--user", "nobody", stdout=io.StringIO())
