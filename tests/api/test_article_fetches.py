"""POST /api/articles/ with only a url: the page is fetched in the
background (202 and a fetch to follow at /api/article-fetches/<id>/);
who may ask and follow, and bad input answered 400, never 5xx."""

import pytest
from django_tasks_db.models import DBTaskResult

from annotate.models import Article, ArticleFetch
from tests.conftest import api_as, make_user
from tests.loopback_server import STORY_TITLE
from tests.workers import IMMEDIATE_TASKS


def test_a_lead_queues_a_fetch_and_follows_it_to_the_article(settings, lena, story_server):
    settings.TASKS = IMMEDIATE_TASKS
    response = api_as(lena).post("/api/articles/", {"url": story_server.url("/story")}, format="json")
    assert response.status_code == 202
    body = response.json()
    fetch = ArticleFetch.objects.get()
    assert response["Location"] == body["self"] == f"http://testserver/api/article-fetches/{fetch.pk}/"
    article = Article.objects.get()
    assert article.title == STORY_TITLE
    assert body == {
        "id": fetch.pk, "self": body["self"], "url": story_server.url("/story"), "status": "done",
        "outcome": "Imported as a new article.", "article": article.pk, "requested_by": "lena",
        "created_at": body["created_at"], "finished_at": body["finished_at"],
    }  # fmt: skip
    assert api_as(lena).get(body["self"]).json() == body


def test_a_queued_fetch_says_so_until_a_worker_runs_it(lena, story_server):
    response = api_as(lena).post("/api/articles/", {"url": story_server.url("/story")}, format="json")
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["outcome"], response.json()["article"]) == ("queued", "", None)
    assert DBTaskResult.objects.get().status == "READY"
    assert story_server.requests == []


def test_fetches_are_followed_by_whoever_asked_and_by_leads(lena, alice, root):
    other_lead = make_user("olga", is_staff=True)
    fetch = ArticleFetch.objects.create(url="https://news.example/a", requested_by=lena)
    path = f"/api/article-fetches/{fetch.pk}/"
    assert api_as(lena).get(path).status_code == 200
    assert api_as(other_lead).get(path).status_code == 200
    assert api_as(root).get(path).status_code == 200
    assert api_as(alice).get(path).status_code == 404  # a reviewer learns nothing of it
    assert api_as(alice).get("/api/article-fetches/").json()["results"] == []
    assert [f["id"] for f in api_as(lena).get("/api/article-fetches/").json()["results"]] == [fetch.pk]
    assert api_as().get(path).status_code == 401


def test_a_reviewer_may_not_queue_a_fetch_and_nothing_is_queued(alice, story_server):
    response = api_as(alice).post("/api/articles/", {"url": story_server.url("/story")}, format="json")
    assert response.status_code == 403
    assert response.json() == {"error": {"message": "only a lead can import articles"}}
    assert (ArticleFetch.objects.count(), DBTaskResult.objects.count()) == (0, 0)


def test_anonymous_is_401(db, story_server):
    response = api_as().post("/api/articles/", {"url": story_server.url("/story")}, format="json")
    assert response.status_code == 401
    assert not ArticleFetch.objects.exists()


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"url": "not a url"}, "url", "url: Enter a valid URL."),
        (
            {"url": "ftp://example.org/story"},
            "url",
            "ftp://example.org/story: only http:// and https:// addresses are fetched, not ftp:",
        ),
        ({"url": "http://10.0.0.1/story"}, "url", "http://10.0.0.1/story: 10.0.0.1 is a private address"),
        (
            {"url": "http://169.254.169.254/latest/"},
            "url",
            "http://169.254.169.254/latest/: 169.254.169.254 is the cloud metadata address",
        ),
        ({"url": ""}, "text", "give the article's text, or only its url to have it fetched"),
        ({}, "text", "give the article's text, or only its url to have it fetched"),
        (
            {"url": "https://news.example/a", "title": "Mine"},
            "title",
            "give the article's text, or only its url to have it fetched",
        ),
        ({"url": ["https://news.example/a"]}, "url", "url: Enter a valid URL."),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_queued(lena, body, field, message):
    response = api_as(lena).post("/api/articles/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["field"], error["message"]) == (field, message)
    assert (ArticleFetch.objects.count(), DBTaskResult.objects.count()) == (0, 0)


def test_an_unknown_fetch_is_a_json_404(lena):
    assert api_as(lena).get("/api/article-fetches/999999/").status_code == 404
    assert api_as(lena).get("/api/article-fetches/?status=bogus").status_code == 400


def test_the_schema_documents_the_fetch_and_its_202(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    create = schema["paths"]["/api/articles/"]["post"]
    assert set(create["responses"]) >= {"200", "201", "202"}
    assert create["responses"]["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ArticleFetch"
    }
    assert "/api/article-fetches/{id}/" in schema["paths"]
    fields = schema["components"]["schemas"]["ArticleFetch"]["properties"]
    assert set(fields) == {
        "id",
        "self",
        "url",
        "status",
        "outcome",
        "article",
        "requested_by",
        "created_at",
        "finished_at",
    }
