"""annotate/web/middleware.py: oversized bodies are refused with 413 and a message
giving the limit, on the JSON endpoints and on uploads, with real bodies of
the sizes an attacker or a careless user would send."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from annotate.models import Annotation, Assignment
from tests.conftest import assign, make_annotation, make_article

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def huge_note_body(size: int) -> bytes:
    return json.dumps({"label": "fact", "start": 0, "end": 10, "quote": "Lukashenko", "note": "n" * size}).encode()


@pytest.fixture(scope="module")
def fifty_mb_note() -> bytes:
    return huge_note_body(50 * MB)


def test_a_50_mb_note_on_a_new_span_is_refused_with_413_and_the_limit(alice_client, article, labels, fifty_mb_note):
    response = alice_client.post(
        reverse("article-annotations", args=[article.pk]), data=fifty_mb_note, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "message": "The request body is 50.0\xa0MB; this server accepts at most 10.0\xa0MB.",
            "limit": 10 * MB,
        }
    }
    assert not Annotation.objects.exists()


def test_a_50_mb_note_on_a_change_is_refused_and_the_span_is_unchanged(
    alice_client, article, labels, alice, fifty_mb_note
):
    span = make_annotation(article, labels["fact"], alice, quote="Xi", note="kept")

    response = alice_client.patch(
        reverse("annotation-detail", args=[span.pk]), data=fifty_mb_note, content_type="application/json"
    )

    assert response.status_code == 413
    assert "at most 10.0\xa0MB" in response.json()["error"]["message"]
    span.refresh_from_db()
    assert span.note == "kept"


def test_a_json_body_under_the_server_limit_but_over_the_endpoints_is_refused_by_the_endpoint(
    alice_client, article, labels
):
    response = alice_client.post(
        reverse("article-annotations", args=[article.pk]), data=huge_note_body(2 * MB), content_type="application/json"
    )

    assert (response.status_code, response.json()) == (
        413,
        {"error": {"message": "the request body is larger than 1,000,000 bytes"}},
    )


def test_a_100_mb_admin_import_is_refused_with_413_and_a_page_saying_why(admin_client_):
    upload = SimpleUploadedFile("articles.csv", b"a" * (100 * MB), content_type="text/csv")

    response = admin_client_.post(
        reverse("admin:annotate_annotation_import"), {"resource": "0", "format": "0", "import_file": upload}
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The upload is 100.0\xa0MB; this server accepts at most 25.0\xa0MB." in page
    assert "python manage.py import_articles" in page


def test_an_oversized_form_post_is_refused_with_413_not_a_bare_400(lena_client, article):
    response = lena_client.post(
        reverse("curate-close", args=[article.pk]),
        data=b"note=" + b"x" * (11 * MB),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert "The request body is 11.0\xa0MB; this server accepts at most 10.0\xa0MB." in response.content.decode()


def test_the_limits_come_from_settings(settings, alice_client, article, labels):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = alice_client.post(
        reverse("article-annotations", args=[article.pk]), data=huge_note_body(2000), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["error"]["limit"] == 1000


def test_a_body_within_the_limits_goes_through(lena_client, article, labels):
    response = lena_client.post(
        reverse("article-annotations", args=[article.pk]),
        data=json.dumps({"label": "fact", "start": 0, "end": 10, "quote": "Lukashenko", "note": "n" * 10_000}),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert len(Annotation.objects.get().note) == 10_000


# ---- a database another connection has locked ------------------------------------


def assert_busy_json(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": {
            "message": "The database is busy with another change; nothing was saved. Try again in a few seconds.",
            "reason": "database_busy",
        }
    }


@pytest.mark.django_db(transaction=True)
def test_a_span_made_while_another_process_holds_the_lock_is_a_json_503(lock_the_database, alice, caplog):
    article = make_article("Lukashenko met Xi in Beijing.")
    assign(article, alice)
    client = Client()
    client.force_login(alice)
    lock_the_database()

    started = time.monotonic()
    response = client.post(
        reverse("article-annotations", args=[article.pk]),
        data=json.dumps({"label": "fact", "start": 0, "end": 10, "quote": "Lukashenko"}),
        content_type="application/json",
    )

    assert time.monotonic() - started < 5  # the configured wait, not 20 s
    assert_busy_json(response)
    assert [record for record in caplog.records if record.exc_info] == []
    assert "database busy: POST" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_an_api_write_while_the_database_is_locked_is_a_json_503(lock_the_database, alice):
    article = make_article("Lukashenko met Xi in Beijing.")
    assign(article, alice)
    token = Token.objects.create(user=alice).key
    lock_the_database()

    response = Client().post(
        "/api/annotations/",
        data=json.dumps({"article": article.pk, "label": "fact", "start": 0, "end": 10, "quote": "Lukashenko"}),
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )

    assert_busy_json(response)


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_while_the_database_is_locked_gets_a_503_page(lock_the_database, alice):
    article = make_article("Lukashenko met Xi in Beijing.")
    (assignment,) = assign(article, alice)
    client = Client()
    client.force_login(alice)
    lock_the_database()

    response = client.post(reverse("assignment-submit", args=[assignment.pk]))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert "The database is busy with another change; nothing was saved." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_after_the_lock_is_released_nothing_of_the_refused_write_is_there(lock_the_database, alice):
    article = make_article("Lukashenko met Xi in Beijing.")
    (assignment,) = assign(article, alice)
    client = Client()
    client.force_login(alice)
    lock_the_database()
    client.post(reverse("assignment-submit", args=[assignment.pk]))

    assignment.refresh_from_db()  # reads go on while the lock is held
    assert assignment.status == Assignment.Status.ASSIGNED
    assert not Annotation.objects.exists()


def test_an_api_upload_over_the_limit_is_refused_in_the_json_shape(lena):
    client = Client()
    client.force_login(lena)
    upload = SimpleUploadedFile("spans.csv", b"a" * (30 * MB), content_type="text/csv")

    response = client.post("/api/imports/annotations/", {"format": "csv", "file": upload})

    assert response.status_code == 413
    assert response.json() == {
        "error": {"message": "The upload is 30.0\xa0MB; this server accepts at most 25.0\xa0MB.", "limit": 25 * MB}
    }


def test_a_nul_in_a_query_or_form_field_is_a_400_on_every_page(lena_client):
    """PostgreSQL cannot hold NUL in text; a NUL must not reach it as a 500."""
    assert lena_client.get("/export/annotations/", {"source": "x\x00"}).status_code == 400
    response = lena_client.post("/assign/", {"note": "a\x00b"})
    assert response.status_code == 400
    assert "holds a NUL character" in response.content.decode()
    api = lena_client.get("/api/annotations/", {"label": "\x00"})
    assert (api.status_code, api.json()["error"]["field"]) == (400, "label")
