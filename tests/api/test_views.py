"""The REST API (annotate/api/): authentication, the same rules as the
pages, validation, exports/imports and constant query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotate import permissions
from annotate.actions.consensus import adjudication_close
from annotate.models import Annotation, Article, Assignment
from tests.conftest import PASSWORD, api_as, assign, make_annotation, make_article, make_reviewer

EMOJI_TEXT = "Xi 😀 met Lukashenko in Minsk. Drones were discussed."


@pytest.fixture
def world(db, labels, alice, bob, lena):
    """Two articles: ``shared`` assigned to alice and bob, ``other`` to nobody."""
    shared = make_article(EMOJI_TEXT, title="Shared", source="BelTA", published="2023-03-05")
    other = make_article("An unassigned article about tanks.", title="Other", source="Reuters")
    assign(shared, alice, bob)
    spans = {
        "alice": make_annotation(shared, labels["fact"], alice, quote="Xi 😀 met Lukashenko"),
        "bob": make_annotation(shared, labels["opinion"], bob, quote="Drones were discussed"),
        "lena": make_annotation(other, labels["fact"], lena, quote="tanks"),
    }
    return shared, other, spans


# ------------------------------------------------------------------ authentication


def test_anonymous_gets_401_json_with_a_token_challenge(world):
    response = api_as().get("/api/articles/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"error": {"message": "Authentication credentials were not provided."}}


def test_a_token_from_username_and_password_authenticates(world, alice):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=alice).key == token
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/articles/").status_code == 200
    bad = APIClient().post("/api/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
    assert bad.status_code == 400 and "error" in bad.json()


def test_token_guessing_is_throttled_like_the_sign_in_page(world, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post("/api/auth/token/", {"username": "alice", "password": "guess"}, format="json").status_code
            == 400
        )
    assert client.post("/api/auth/token/", {"username": "alice", "password": "guess"}, format="json").status_code == 429
    # Locked out: even the right password is refused until the cool-off ends.
    locked = client.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert locked.status_code == 429 and locked["Retry-After"]
    assert "Too many failed sign-ins" in locked.json()["error"]["message"]


def test_session_writes_need_the_csrf_token(world, alice):
    shared, _, _ = world
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    body = {"article": shared.pk, "label": "quote", "start": 0, "end": 2, "quote": "Xi"}
    response = client.post("/api/annotations/", body, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]["message"]
    client.get("/")  # a page sets the CSRF cookie; the browser sends it back as a header
    token = client.cookies["csrftoken"].value
    response = client.post("/api/annotations/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_schema_and_docs_are_public_and_offline(db):
    client = api_as()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/annotations/" in json.loads(schema.content)["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert "<script>" not in html  # the init script is a file: no inline script for the CSP


# ------------------------------------------------------------------ articles


def test_reviewers_list_only_their_articles_and_others_are_404(world, alice):
    shared, other, _ = world
    client = api_as(alice)
    assert [a["id"] for a in client.get("/api/articles/").json()["results"]] == [shared.pk]
    assert client.get(f"/api/articles/{other.pk}/").status_code == 404
    detail = client.get(f"/api/articles/{shared.pk}/").json()
    assert detail["text"] == EMOJI_TEXT and detail["source"] == "BelTA"
    assert "text" not in client.get("/api/articles/").json()["results"][0]


def test_article_filters_and_search(world, lena):
    shared, other, _ = world
    client = api_as(lena)
    ids = lambda **q: [a["id"] for a in client.get("/api/articles/", q).json()["results"]]  # noqa: E731
    assert ids(source="Reuters") == [other.pk]
    assert ids(q="tanks") == [other.pk]
    assert ids(published_after="2023-01-01") == [shared.pk]
    assert ids(ordering="title") == [other.pk, shared.pk]
    response = client.get("/api/articles/", {"source": "Nobody"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "source"


def test_leads_import_articles_with_the_same_normalisation(world, lena, alice):
    client = api_as(lena)
    response = client.post("/api/articles/", {"text": "Line one\r\nCafe\u0301.", "source": "Blog"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Line one\nCafé." and body["outcome"] == "created" and body["title"] == "Line one"
    again = client.post("/api/articles/", {"text": "Line one\nCafé.", "source": "Blog"}, format="json")
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    assert client.post("/api/articles/", {"text": "   "}, format="json").status_code == 400
    assert client.post("/api/articles/", {"text": "x", "published": "soon"}, format="json").status_code == 400
    assert api_as(alice).post("/api/articles/", {"text": "Mine."}, format="json").status_code == 403
    assert not Article.objects.filter(text="Mine.").exists()


# ------------------------------------------------------------------ annotations


def test_create_with_code_points_or_utf16_offsets(world, alice):
    shared, _, _ = world
    client = api_as(alice)
    start = EMOJI_TEXT.index("Minsk")
    by_codepoint = client.post(
        "/api/annotations/",
        {"article": shared.pk, "label": "fact", "start": start, "end": start + 5, "quote": "Minsk"},
        format="json",
    )
    assert by_codepoint.status_code == 201, by_codepoint.json()
    body = by_codepoint.json()
    assert (body["start"], body["start16"], body["article"], body["reviewer"]) == (start, start + 1, shared.pk, "alice")
    by_utf16 = client.post(
        "/api/annotations/",
        {"article": shared.pk, "label": "opinion", "start16": start + 1, "end16": start + 6, "quote": "Minsk"},
        format="json",
    )
    assert by_utf16.status_code == 201 and by_utf16.json()["start"] == start
    assert Assignment.objects.get(article=shared, reviewer__username="alice").status == "in_progress"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"label": "fact", "start": 0, "end": 2, "quote": "Xj"}, 400, "quote"),
        ({"label": "fact", "start": 0, "end": 999, "quote": "Xi"}, 400, "end"),
        ({"label": "rumour", "start": 0, "end": 2, "quote": "Xi"}, 400, "label"),
        ({"label": "fact", "start16": 4, "end16": 6, "quote": "x"}, 400, "start16"),
        ({"label": "fact", "start": 0, "end": 2, "quote": "Xi", "colour": "red"}, 400, None),
        ({"label": "fact", "start": "0", "end": 2, "quote": "Xi"}, 400, "start"),
    ],
)
def test_bad_spans_are_refused_with_the_field_and_nothing_is_stored(world, alice, body, status, field):
    shared, _, _ = world
    before = Annotation.objects.count()
    response = api_as(alice).post("/api/annotations/", {"article": shared.pk, **body}, format="json")
    assert response.status_code == status
    error = response.json()["error"]
    assert error["message"]
    if field:
        assert error["field"] == field
    assert Annotation.objects.count() == before


def test_article_must_exist_and_be_assigned(world, alice):
    _, other, _ = world
    client = api_as(alice)
    body = {"label": "fact", "start": 0, "end": 2, "quote": "An"}
    assert client.post("/api/annotations/", {"article": other.pk, **body}, format="json").status_code == 404
    assert client.post("/api/annotations/", {"article": 10**9, **body}, format="json").status_code == 404
    assert client.post("/api/annotations/", {"article": "x", **body}, format="json").status_code == 400
    assert client.post("/api/annotations/", [1, 2], format="json").status_code == 400


def test_duplicate_span_is_409(world, alice):
    shared, _, spans = world
    body = {"article": shared.pk, "label": "fact", "start": 0, "end": spans["alice"].end, "quote": spans["alice"].quote}
    assert api_as(alice).post("/api/annotations/", body, format="json").status_code == 409


def test_independent_review_hides_colleagues_until_submitting(world, alice):
    shared, _, spans = world
    client = api_as(alice)
    assert [a["id"] for a in client.get("/api/annotations/").json()["results"]] == [spans["alice"].pk]
    assert client.get(f"/api/annotations/{spans['bob'].pk}/").status_code == 404
    assert client.patch(f"/api/annotations/{spans['bob'].pk}/", {"note": "x"}, format="json").status_code == 404
    Assignment.objects.filter(article=shared, reviewer=alice).update(
        status="submitted", submitted_at="2024-01-01T00:00Z"
    )
    ids = {a["id"] for a in client.get("/api/annotations/").json()["results"]}
    assert ids == {spans["alice"].pk, spans["bob"].pk}
    # Seen, but not hers to change: 403, and nothing changes.
    assert client.patch(f"/api/annotations/{spans['bob'].pk}/", {"note": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/annotations/{spans['bob'].pk}/").status_code == 403
    assert Annotation.objects.get(pk=spans["bob"].pk).note == ""


def test_consensus_reaches_reviewers_once_adjudicated(world, alice, lena, labels):
    shared, _, _ = world
    consensus = make_annotation(shared, labels["fact"], lena, quote="Minsk", layer="consensus")
    client = api_as(alice)
    assert client.get(f"/api/annotations/{consensus.pk}/").status_code == 404
    adjudication_close(shared, lead=lena)
    assert client.get(f"/api/annotations/{consensus.pk}/").json()["can_change"] is False
    assert client.get("/api/annotations/", {"layer": "consensus"}).json()["count"] == 1


def test_change_and_delete_own_span(world, alice):
    _, _, spans = world
    client = api_as(alice)
    url = f"/api/annotations/{spans['alice'].pk}/"
    response = client.patch(url, {"note": "from the wire", "label": "quote"}, format="json")
    assert response.status_code == 200
    assert (response.json()["note"], response.json()["label"]) == ("from the wire", "quote")
    assert client.patch(url, {"start": 3}, format="json").status_code == 400
    assert client.put(url, {"note": "x"}, format="json").status_code == 405
    assert client.delete(url).status_code == 204
    assert not Annotation.objects.filter(pk=spans["alice"].pk).exists()


def test_a_repeated_create_with_a_client_id_returns_the_same_span(world, alice):
    # The workspace's retry rules hold for the API too (annotate/web/workspace.py).
    shared, _, _ = world
    start = EMOJI_TEXT.index("Minsk")
    body = {"article": shared.pk, "label": "quote", "start": start, "end": start + 5, "quote": "Minsk",
            "client_id": "0b7e5c4a-1f00-4c8e-9d2a-6f1c8f0e3a5b"}  # fmt: skip
    client = api_as(alice)
    first = client.post("/api/annotations/", body, format="json")
    again = client.post("/api/annotations/", body, format="json")
    clash = client.post("/api/annotations/", {**body, "label": "opinion"}, format="json")
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert (clash.status_code, clash.json()["error"]["field"]) == (409, "client_id")
    assert Annotation.objects.filter(client_id=body["client_id"]).count() == 1


def test_stale_changes_and_deletes_are_409_with_the_current_span(world, alice):
    _, _, spans = world
    client = api_as(alice)
    url = f"/api/annotations/{spans['alice'].pk}/"
    assert client.patch(url, {"note": "first", "version": 1}, format="json").json()["version"] == 2
    stale = client.patch(url, {"note": "second", "version": 1}, format="json")
    assert (stale.status_code, stale.json()["error"]["current"]["note"]) == (409, "first")
    assert client.delete(url + "?version=1").status_code == 409
    assert client.delete(url + "?version=2").status_code == 204
    assert not Annotation.objects.filter(pk=spans["alice"].pk).exists()


def test_leads_filter_by_reviewer_label_layer_and_read_history(world, lena):
    shared, _, spans = world
    client = api_as(lena)
    results = client.get("/api/annotations/", {"article": shared.pk, "reviewer": "bob"}).json()["results"]
    assert [a["id"] for a in results] == [spans["bob"].pk]
    assert client.get("/api/annotations/", {"label": "nope"}).status_code == 400
    assert client.get("/api/annotations/", {"layer": "nope"}).status_code == 400
    assert client.get("/api/annotations/", {"article": "-1.8e308"}).status_code == 400
    assert client.get("/api/assignments/", {"article": str(2**70)}).status_code == 400
    history = client.get(f"/api/annotations/{spans['bob'].pk}/history/").json()
    assert history[0]["kind"] == "created"
    assert api_as(spans["bob"].reviewer).get(f"/api/annotations/{spans['bob'].pk}/history/").status_code == 403


def test_listing_is_exactly_what_each_role_may_see(world, alice, bob, lena, labels):
    """The list's filter (annotations_visible_to) and the one-span rule
    (can_see_annotation) are two forms of one rule: check them against
    each other for every role and span."""
    shared, _, _ = world
    carol = make_reviewer("carol")
    make_annotation(shared, labels["quote"], lena, quote="Minsk", layer="consensus")
    Assignment.objects.filter(reviewer=bob).update(status="submitted", submitted_at="2024-01-01T00:00Z")
    for user in (alice, bob, carol, lena):
        listed = set(Annotation.objects.filter(permissions.annotations_visible_to(user)).values_list("pk", flat=True))
        expected = {a.pk for a in Annotation.objects.all() if permissions.can_see_annotation(user, a)}
        assert listed == expected, user


# ------------------------------------------------------------------ assignments, agreement, reports


def test_assignment_flow(world, lena, alice, bob):
    shared, other, _ = world
    lead, reviewer = api_as(lena), api_as(alice)
    made = lead.post("/api/assignments/", {"articles": [other.pk], "reviewers": ["alice", "bob"]}, format="json")
    assert made.status_code == 201 and len(made.json()["created"]) == 2
    assert (
        lead.post("/api/assignments/", {"articles": [other.pk], "reviewers": ["lena"]}, format="json").status_code
        == 400
    )
    assert (
        reviewer.post("/api/assignments/", {"articles": [other.pk], "reviewers": ["alice"]}, format="json").status_code
        == 403
    )
    mine = reviewer.get("/api/assignments/").json()["results"]
    assert {a["reviewer"] for a in mine} == {"alice"} and len(mine) == 2
    own = next(a for a in mine if a["article"] == shared.pk)
    assert reviewer.post(f"/api/assignments/{own['id']}/submit/").json()["status"] == "submitted"
    assert reviewer.post(f"/api/assignments/{own['id']}/submit/").status_code == 400
    bobs = Assignment.objects.get(reviewer=bob, article=shared)
    assert reviewer.post(f"/api/assignments/{bobs.pk}/submit/").status_code == 404
    assert reviewer.post(f"/api/assignments/{own['id']}/reopen/").status_code == 403
    assert lead.post(f"/api/assignments/{own['id']}/reopen/").json()["status"] == "in_progress"


def test_agreement_per_article(world, lena, alice):
    shared, _, _ = world
    client = api_as(lena)
    assert client.get(f"/api/articles/{shared.pk}/agreement/").json()["available"] is False
    Assignment.objects.filter(article=shared).update(status="submitted", submitted_at="2024-01-01T00:00Z")
    body = client.get(f"/api/articles/{shared.pk}/agreement/").json()
    assert body["available"] and body["reviewers"] == ["alice", "bob"]
    assert body["pairs"][0]["exact_f1"]["value"] == 0.0
    assert api_as(alice).get(f"/api/articles/{shared.pk}/agreement/").status_code == 403


def test_reports_for_leads(world, lena, alice):
    shared, _, _ = world
    client = api_as(lena)
    sources = client.get("/api/reports/sources/").json()
    assert {row["source"] for row in sources["rows"]} == {"BelTA", "Reuters"}
    assert "fact" in sources["labels"]
    one = client.get(f"/api/articles/{shared.pk}/report/").json()
    assert [row["article_id"] for row in one["rows"]] == [shared.pk]
    assert client.get("/api/reports/articles/", {"date_from": "2024-01-01", "date_to": "2023-01-01"}).status_code == 400
    bad_label = client.get(f"/api/articles/{shared.pk}/report/", {"labels": "rumour"})
    assert bad_label.status_code == 400 and "rumour" in bad_label.json()["error"]["message"]
    assert api_as(alice).get("/api/reports/sources/").status_code == 403


# ------------------------------------------------------------------ exports and imports


@pytest.mark.parametrize("export_format", ["csv", "json", "xlsx", "w3c", "doccano", "claimreview"])
def test_exports_in_every_format(world, lena, export_format):
    response = api_as(lena).get("/api/exports/annotations/", {"format": export_format}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_reviewers_export_only_their_own(world, alice):
    client = api_as(alice)
    body = b"".join(client.get("/api/exports/annotations/", {"format": "doccano"}).streaming_content)
    assert {json.loads(line)["reviewer"] for line in body.decode().splitlines()} == {"alice"}
    # A colleague's name is refused in the words an unknown name is.
    refused = client.get("/api/exports/annotations/", {"reviewer": "bob"})
    unknown = client.get("/api/exports/annotations/", {"reviewer": "nosuchuser"})
    assert (refused.status_code, unknown.status_code) == (400, 400)
    assert refused.json()["error"]["message"] == "unknown reviewer 'bob'"
    assert unknown.json()["error"]["message"] == "unknown reviewer 'nosuchuser'"
    assert client.get("/api/exports/annotations/", {"format": "tsv"}).status_code == 400
    assert client.get("/api/exports/annotations/", {"label": "nope"}).status_code == 400


def test_import_round_trips_a_w3c_file(world, lena, alice, root):
    """Staff restoring data keep each span's author; a lead's own import
    may not (tests/io/test_import_permissions.py)."""
    client = api_as(root)
    exported = b"".join(client.get("/api/exports/annotations/", {"format": "w3c"}).streaming_content)
    before = sorted(Annotation.objects.values_list("article_id", "label_id", "start", "end", "quote", "reviewer_id"))
    Annotation.objects.all().delete()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("spans.jsonld", exported)
    response = client.post(
        "/api/imports/annotations/", {"file": upload, "format": "w3c", "keep_authors": True}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["new"] == 3
    assert (
        sorted(Annotation.objects.values_list("article_id", "label_id", "start", "end", "quote", "reviewer_id"))
        == before
    )
    broken = SimpleUploadedFile("spans.jsonl", b'{"text": "x", "label": [[0, 9, "fact"]]}\n')
    response = client.post(
        "/api/imports/annotations/", {"file": broken, "format": "doccano", "reviewer": "alice", "keep_authors": True}
    )
    assert response.status_code == 422 and response.json()["errors"][0].startswith("line 1, span 1:")
    assert response.json()["written"] is False
    assert api_as(alice).post("/api/imports/annotations/", {"format": "w3c"}).status_code == 403


# ------------------------------------------------------------------ query counts


def count_queries(user, url, params=None) -> int:
    # A fresh user object per request, as a real request has: the lead
    # check is remembered on the object (permissions.is_lead).
    client = api_as(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        assert response.status_code == 200, response.content[:300]
    return len(queries)


def test_list_query_counts_do_not_grow_with_the_page(db, labels, alice, lena):
    def add(first, n):
        for i in range(first, first + n):
            article = make_article(f"Article {i} 😀 with words {i}.", source=f"S{i % 3}")
            assign(article, alice)
            make_annotation(article, labels["fact"], alice, quote="words")

    lists = ("/api/articles/", "/api/annotations/", "/api/assignments/", "/api/sources/")

    def counts():
        return {user.username: [count_queries(user, url) for url in lists] for user in (alice, lena)}

    add(0, 2)
    small = counts()
    add(2, 18)
    large = counts()
    assert small == large
    # Pinned, so a new per-row query shows up here: count, page, and (spans)
    # texts, statuses and adjudications, plus the role check.
    assert large == {"alice": [3, 6, 3, 3], "lena": [3, 6, 3, 3]}
