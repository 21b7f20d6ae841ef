"""A span may not split a character the reader sees as one (an extended
grapheme cluster: a flag, an emoji with its skin tone, a letter with its
combining accent). Every path that makes a span refuses one that does, with
the position named: the page, the API, the admin, and annotation files of
every format. Spans stored before that rule stay readable, editable and
restorable where they are."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from annotate.io import annotations_in, exports
from annotate.io.backup.export import project_export
from annotate.io.backup.restore import project_import
from annotate.models import Annotation, Label
from tests.conftest import assign, make_article, make_reviewer

pytestmark = pytest.mark.django_db

FLAG = "\N{REGIONAL INDICATOR SYMBOL LETTER B}\N{REGIONAL INDICATOR SYMBOL LETTER Y}"
# The flag is code points 6 and 7 (UTF-16 units 6 to 9); q + U+0301 has no
# precomposed form, so NFC keeps it as code points 14 and 15.
TEXT = f"Minsk {FLAG} says q\u0301 no."
HALF_FLAG = {"start": 7, "end": 13, "quote": TEXT[7:13]}
SPLIT = "start 7 splits the character 🇧🇾 at [6, 8)"


@pytest.fixture
def flag_article(alice, labels):
    article = make_article(TEXT, title="Flag")
    assert article.text == TEXT
    assign(article, alice)
    return article


def stored_before_the_rule(article, label, reviewer, start: int, end: int) -> Annotation:
    """A span as an older Sourcemark stored it: bulk_create skips
    full_clean, and the database's own constraints allow it."""
    (span,) = Annotation.objects.bulk_create(
        [
            Annotation(
                article=article, label=label, reviewer=reviewer, start=start, end=end, quote=article.text[start:end]
            )
        ]
    )
    return Annotation.objects.get(pk=span.pk)


# ---- new spans are refused on every path ------------------------------------------


def test_the_page_refuses_a_new_span_that_splits_a_flag(client, flag_article, alice):
    client.force_login(alice)
    response = client.post(
        reverse("article-annotations", args=[flag_article.pk]),
        data=json.dumps({"label": "fact", **HALF_FLAG}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (400, {"error": {"message": SPLIT, "field": "start"}})
    assert not Annotation.objects.exists()


def test_the_page_refuses_utf16_offsets_that_split_a_letter_from_its_accent(client, flag_article, alice):
    client.force_login(alice)
    # UTF-16 units 16 and 17 hold q and its accent (the flag took four).
    body = {"label": "fact", "start16": 10, "end16": 17, "quote": TEXT[8:15]}
    response = client.post(
        reverse("article-annotations", args=[flag_article.pk]), data=json.dumps(body), content_type="application/json"
    )
    # The refusal counts in the request's own units.
    error = {"message": "end16 17 splits the character q\u0301 at [16, 18)", "field": "end16"}
    assert (response.status_code, response.json()) == (400, {"error": error})
    assert not Annotation.objects.exists()


def test_the_api_refuses_a_new_span_that_splits_a_flag(flag_article, alice):
    api = APIClient()
    api.force_authenticate(alice)
    response = api.post("/api/annotations/", {"article": flag_article.pk, "label": "fact", **HALF_FLAG}, format="json")
    assert (response.status_code, response.json()) == (400, {"error": {"message": SPLIT, "field": "start"}})
    assert not Annotation.objects.exists()


def test_the_admin_refuses_a_new_span_that_splits_a_flag(admin_client_, flag_article, alice, labels):
    response = admin_client_.post(
        reverse("admin:annotate_annotation_add"),
        {
            "article": flag_article.pk, "label": labels["fact"].pk, **HALF_FLAG, "note": "", "speaker": "",
            "evidence_url": "", "reviewer": alice.pk, "layer": "reviewer",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["start"] == [SPLIT]
    assert not Annotation.objects.exists()


def csv_of(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def exported_rows(file_format: str = "csv") -> list[dict]:
    data = b"".join(exports.stream_annotations(Annotation.objects.all(), file_format)).decode()
    return list(csv.DictReader(io.StringIO(data)))


def test_a_csv_import_refuses_a_new_span_that_splits_a_flag(flag_article, alice, labels):
    good = stored_before_the_rule(flag_article, labels["fact"], alice, 0, 5)
    (row,) = exported_rows()
    good.delete()
    row.update(start="7", end="13", quote=TEXT[7:13])
    report = annotations_in.import_annotation_file(csv_of([row]), "csv", user=restorer(), keep_authors=True)
    assert not Annotation.objects.exists()
    assert len(report.errors) == 1 and SPLIT in report.errors[0], report.errors


def test_a_w3c_import_refuses_positions_that_split_a_flag(flag_article, alice, labels):
    item = {
        "type": "Annotation",
        "creator": "alice",
        "body": [{"purpose": "tagging", "value": "fact"}],
        "target": {
            "source": f"urn:sourcemark:article:sha256:{flag_article.sha256}",
            "selector": [{"type": "TextPositionSelector", "start": 7, "end": 13}],
        },
    }
    report = annotations_in.import_annotation_file(json.dumps(item).encode(), "w3c", user=restorer(), keep_authors=True)
    assert not Annotation.objects.exists()
    assert len(report.errors) == 1 and report.errors[0].startswith("annotation 1: ")
    assert SPLIT in report.errors[0]


def test_a_doccano_import_refuses_a_span_that_splits_an_accent(flag_article, alice, labels):
    line = {"text": TEXT, "label": [[0, 15, "fact"], [0, 16, "fact"]], "reviewer": "alice"}
    report = annotations_in.import_annotation_file(
        json.dumps(line).encode(), "doccano", user=restorer(), keep_authors=True
    )
    assert not Annotation.objects.exists()
    assert len(report.errors) == 1, report.errors
    assert report.errors[0].startswith("line 1, span 1: ")
    assert "end 15 splits the character q\u0301 at [14, 16)" in report.errors[0]


# ---- spans stored before the rule --------------------------------------------------


@pytest.fixture
def old_span(flag_article, alice, labels):
    return stored_before_the_rule(flag_article, labels["fact"], alice, 7, 13)


def test_a_stored_span_that_splits_a_flag_is_still_listed(client, old_span, alice):
    client.force_login(alice)
    response = client.get(reverse("article-annotations", args=[old_span.article_id]))
    assert response.status_code == 200
    (listed,) = response.json()["annotations"]
    assert (listed["start"], listed["end"], listed["quote"]) == (7, 13, TEXT[7:13])


def test_a_stored_span_that_splits_a_flag_can_still_have_its_note_changed(client, old_span, alice):
    client.force_login(alice)
    response = client.patch(
        reverse("annotation-detail", args=[old_span.pk]),
        data=json.dumps({"note": "half a flag", "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    old_span.refresh_from_db()
    assert (old_span.note, old_span.version, old_span.start) == ("half a flag", 2, 7)


def test_a_stored_span_that_splits_a_flag_comes_back_from_its_own_export(old_span):
    (row,) = exported_rows()
    row["note"] = "edited in a spreadsheet"
    report = annotations_in.import_annotation_file(csv_of([row]), "csv", user=restorer(), keep_authors=True)
    assert report.errors == [] and report.updated == 1
    document = b"".join(exports.stream_annotations(Annotation.objects.all(), "w3c"))
    report = annotations_in.import_annotation_file(document, "w3c", user=restorer(), keep_authors=True)
    assert report.errors == [] and report.unchanged == 1


def test_a_stored_span_that_splits_a_flag_cannot_be_moved_to_another_split(old_span):
    old_span.start, old_span.end, old_span.quote = 0, 7, TEXT[0:7]
    with pytest.raises(ValidationError) as caught:
        old_span.full_clean(exclude=["article", "label", "reviewer", "based_on"], validate_constraints=False)
    assert caught.value.message_dict == {"end": ["end 7 splits the character 🇧🇾 at [6, 8)"]}


def test_a_backup_holding_a_span_that_splits_a_flag_restores_it(tmp_path: Path):
    path = tmp_path / "backup.zip"
    with transaction.atomic():
        ana = make_reviewer("ana")
        article = make_article(TEXT, title="Flag")
        stored_before_the_rule(article, Label.objects.get(slug="fact"), ana, 7, 13)
        project_export(path)
        transaction.set_rollback(True)
    assert not Annotation.objects.exists()
    project_import(path)
    span = Annotation.objects.get()
    assert (span.start, span.end, span.quote, span.reviewer.username) == (7, 13, TEXT[7:13], "ana")


def restorer():
    """Staff restoring data: these tests are about offsets, not about whose
    rows an import may write (tests/io/test_import_permissions.py)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="restorer", defaults={"is_staff": True})[0]
