"""Articles from URLs: a page fetched from the loopback server becomes an
article through article_import, and every way it can fail is named with
the URL and leaves nothing written."""

import pytest

from annotate.actions import article_fetches
from annotate.io.articles_in import ImportProblem
from annotate.io.url_imports import import_article_from_url, run_fetch
from annotate.models import Article, ArticleFetch
from tests.loopback_server import HTML, STORY_PARAGRAPHS, STORY_TITLE, LoopbackServer, Reply, story_page


@pytest.fixture
def server(settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    settings.ARTICLE_FETCH_TIMEOUT = 5
    routes = {
        "/story": Reply(200, HTML, story_page()),
        "/short-link": Reply(302, {"Location": "/story"}),
        "/empty": Reply(200, HTML, b"<html><head><title>Nothing here</title></head><body></body></html>"),
        "/data.json": Reply(200, {"Content-Type": "application/json"}, b"{}"),
    }
    with LoopbackServer(routes) as running:
        yield running


def test_a_fetched_page_becomes_an_article(db, server):
    article, outcome = import_article_from_url(server.url("/short-link"))
    assert outcome == "created"
    article.refresh_from_db()
    assert article.title == STORY_TITLE
    assert article.source.name == "The Loopback Times"
    assert article.url == server.url("/story")  # where the redirect led
    assert article.original_filename == server.url("/story")
    for paragraph in STORY_PARAGRAPHS:
        assert paragraph in article.text
    for boilerplate in ("We use cookies", "Another story", "All rights reserved", "Sport"):
        assert boilerplate not in article.text


def test_the_same_url_again_with_the_same_text_is_unchanged(db, server):
    first, _ = import_article_from_url(server.url("/story"))
    again, outcome = import_article_from_url(server.url("/story"))
    assert (again.pk, outcome) == (first.pk, "unchanged")
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/missing", "the server answered 404 Not Found"),
        ("/data.json", "the server sent “application/json”; only HTML pages and PDF files are imported"),
        (
            "/empty",
            "the page has no article text: only navigation, links and other page furniture "
            "(is it a home page, a search result or a login wall?)",
        ),
    ],
)
def test_a_url_without_an_article_is_named_and_nothing_is_written(db, server, path, reason):
    url = server.url(path)
    with pytest.raises(ImportProblem) as caught:
        import_article_from_url(url)
    assert str(caught.value) == f"{url}: {reason}"
    assert Article.objects.count() == 0


def queued(url: str, user) -> ArticleFetch:
    return article_fetches.article_fetch_create(url=url, requested_by=user)


def test_running_a_fetch_records_the_article_it_made(lena, server):
    fetch = queued(server.url("/story"), lena)
    assert run_fetch(fetch.pk) == "created"
    fetch.refresh_from_db()
    assert (fetch.status, fetch.outcome) == ("done", "Imported as a new article.")
    assert fetch.article == Article.objects.get()
    assert fetch.finished_at is not None


def test_running_a_fetch_of_an_article_already_imported_says_so(lena, server):
    import_article_from_url(server.url("/story"))
    fetch = queued(server.url("/story"), lena)
    assert run_fetch(fetch.pk) == "unchanged"
    fetch.refresh_from_db()
    assert (fetch.status, fetch.outcome) == ("done", "Already imported, with the same text; nothing changed.")


def test_running_a_fetch_that_fails_records_why(lena, server):
    fetch = queued(server.url("/missing"), lena)
    assert run_fetch(fetch.pk) == "failed"
    fetch.refresh_from_db()
    assert (fetch.status, fetch.outcome) == ("failed", "the server answered 404 Not Found")
    assert fetch.article is None
    assert fetch.finished_at is not None
    assert Article.objects.count() == 0


def test_a_fetch_that_is_not_queued_is_left_alone(lena, server):
    fetch = queued(server.url("/story"), lena)
    run_fetch(fetch.pk)
    assert run_fetch(fetch.pk) == "skipped"  # a second worker, or a retried task
    assert run_fetch(fetch.pk + 1000) == "skipped"
    assert [r.path for r in server.requests] == ["/story"]
