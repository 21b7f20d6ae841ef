"""annotate/api/parsers.py: every API body is read by the pages' JSON reader,
so hostile JSON (nesting past any stack, numbers past Python's 4,300
digits, NaN) and bodies over the documented 1 MB are refused in the one
error shape, for anyone, without a traceback in the log."""

import json
import logging

import pytest
from rest_framework.test import APIClient

from annotate.models import Annotation, Article, Assignment
from annotate.web.http import MAX_JSON_BODY
from tests.conftest import assign, make_annotation, make_article

DEEP = b"[" * 100_000
HUGE_START = b'{"article": 1, "label": "fact", "start": ' + b"9" * 5_000 + b', "end": 2, "quote": "Xi"}'
HUGE_VERSION = b'{"note": "x", "version": ' + b"9" * 5_000 + b"}"
NAN = b'{"username": NaN, "password": Infinity}'

NESTED = "the request body is JSON nested too deeply (more than 64 levels)"
TOO_LONG = "the request body is JSON with a number too long to read (more than 4,300 digits)"


@pytest.fixture
def span(db, labels, alice):
    article = make_article("Xi met Lukashenko in Minsk.")
    assign(article, alice)
    return make_annotation(article, labels["fact"], alice, quote="Xi")


def rows() -> tuple:
    return Annotation.objects.count(), Article.objects.count(), Assignment.objects.count()


def send(user, method: str, path: str, body: bytes):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.generic(method, path, data=body, content_type="application/json")


ENDPOINTS = [("POST", "/api/auth/token/"), ("POST", "/api/annotations/"), ("POST", "/api/articles/"),
             ("POST", "/api/assignments/"), ("PATCH", "/api/annotations/{span}/")]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "message"),
    [(DEEP, NESTED), (HUGE_START, TOO_LONG), (HUGE_VERSION, TOO_LONG)],
    ids=["deep", "start", "version"],
)
@pytest.mark.parametrize("who", ["anonymous", "lead"])
def test_hostile_json_is_a_400_in_the_one_shape_without_a_traceback(
    span, lena, caplog, method, path, body, message, who
):
    user = lena if who == "lead" else None
    before = rows()
    with caplog.at_level(logging.INFO):
        response = send(user, method, path.format(span=span.pk), body)

    if who == "anonymous" and path != "/api/auth/token/":
        # The body is never read for someone who may not write.
        assert response.status_code == 401
    else:
        assert (response.status_code, response.json()) == (400, {"error": {"message": message}})
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []
    assert rows() == before


def test_nan_and_infinity_are_refused_as_before():
    response = send(None, "POST", "/api/auth/token/", NAN)

    assert (response.status_code, response.json()) == (
        400,
        {"error": {"message": "the request body is JSON with NaN, which is not a JSON number"}},
    )


@pytest.mark.parametrize("size", [MAX_JSON_BODY + 1, 2 * MAX_JSON_BODY, 9 * MAX_JSON_BODY])
def test_a_json_body_over_the_documented_1_mb_is_refused_with_413(db, lena, size):
    text = "Minsk. " * (size // 7 + 1)
    body = json.dumps({"text": text, "title": "Too long", "source": "BelTA"}).encode()

    response = send(lena, "POST", "/api/articles/", body)

    assert (response.status_code, response.json()) == (
        413,
        {"error": {"message": "the request body is larger than 1,000,000 bytes"}},
    )
    assert not Article.objects.exists()


def test_an_article_just_under_the_limit_is_still_imported(db, lena):
    text = "Minsk. " * ((MAX_JSON_BODY - 200) // 7)
    body = json.dumps({"text": text, "title": "Long", "source": "BelTA"}).encode()
    assert len(body) <= MAX_JSON_BODY

    response = send(lena, "POST", "/api/articles/", body)

    assert response.status_code == 201
    assert Article.objects.get().text == text


def test_a_body_that_is_not_utf8_is_named():
    response = send(None, "POST", "/api/auth/token/", b'{"username": "\xff"}')

    assert (response.status_code, response.json()) == (
        400,
        {"error": {"message": "the request body is not valid JSON (it is not UTF-8: byte 14)"}},
    )


# Each of these reached the database as a 500 on PostgreSQL, which refuses
# NUL even in a lookup (a reviewer's username), or on both databases for a
# lone surrogate, which UTF-8 cannot encode.
UNSTORABLE = [
    ("POST", "/api/assignments/", {"article": "{article}", "reviewers": ["alice", "b\x00b"]},
     "reviewers[1] must not contain NUL characters", "reviewers"),
    ("POST", "/api/articles/", {"title": "Minsk \ud800", "source": "BelTA", "text": "Xi met."},
     "title contains an unpaired surrogate, which is not a character", "title"),
    ("POST", "/api/auth/token/", {"username": "lena\x00", "password": "x"},
     "username must not contain NUL characters", "username"),
    ("PATCH", "/api/annotations/{span}/", {"speaker": "Xi\x00", "version": 1},
     "speaker must not contain NUL characters", "speaker"),
    ("POST", "/api/annotations/", {"article": "{article}", "label": "fact", "start": 0, "end": 2, "quote": "Xi",
                                   "extra": {"\x00": 1}},
     "the key '' must not contain NUL characters", None),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "message", "field"), UNSTORABLE)
def test_text_no_database_can_store_is_a_400_naming_where_it_is(span, lena, alice, method, path, body, message, field):
    body = {key: (span.article_id if value == "{article}" else value) for key, value in body.items()}
    before = rows()

    response = send(alice if method == "PATCH" else lena, method, path.format(span=span.pk), json.dumps(body).encode())

    expected = {"message": message, **({"field": field} if field else {})}
    assert (response.status_code, response.json()) == (400, {"error": expected})
    assert rows() == before
    span.refresh_from_db()
    assert span.speaker == ""
