"""The New article page: leads paste URLs to fetch or an article's text to
import; everyone else is refused; bad lines are named and kept."""

import pytest
from django_tasks_db.models import DBTaskResult

from annotate.models import Article, ArticleFetch
from tests.conftest import make_article
from tests.loopback_server import STORY_TITLE
from tests.workers import IMMEDIATE_TASKS


def test_leads_find_the_page_in_the_navigation(lena_client):
    page = lena_client.get("/articles/new/")
    assert page.status_code == 200
    assert b'<a href="/articles/new/">New article</a>' in lena_client.get("/").content
    text = page.content.decode()
    assert "From the web" in text and "Paste an article" in text and "No fetches yet." in text
    assert '<script type="module" src="/static/annotate/js/new-article.js"></script>' in text


@pytest.mark.parametrize("path", ["/articles/new/", "/articles/new/fetch/", "/articles/new/text/"])
def test_reviewers_are_refused_and_do_not_see_the_link(alice_client, path):
    method = alice_client.get if path == "/articles/new/" else alice_client.post
    response = method(
        path, {"fetch-urls": "https://news.example/a", "paste-title": "T", "paste-source": "S", "paste-text": "x"}
    )
    assert response.status_code == 403
    assert b"New article" not in alice_client.get("/").content
    assert (ArticleFetch.objects.count(), Article.objects.count()) == (0, 0)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/articles/new/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/articles/new/")


def test_pasted_urls_are_queued_and_listed(lena_client, lena):
    response = lena_client.post(
        "/articles/new/fetch/",
        {"fetch-urls": "https://news.example/a\n\n  https://news.example/b \nhttps://news.example/a"},
    )
    assert (response.status_code, response["Location"]) == (302, "/articles/new/")
    assert sorted(ArticleFetch.objects.values_list("url", "status", "requested_by")) == [
        ("https://news.example/a", "queued", lena.pk), ("https://news.example/b", "queued", lena.pk),
    ]  # fmt: skip
    assert DBTaskResult.objects.count() == 2
    page = lena_client.get("/articles/new/").content.decode()
    assert "Queued 2 URLs; each appears below as it is fetched." in page
    assert page.count('data-status="queued"') == 2
    assert 'data-running="true"' in page


def test_bad_lines_are_named_and_kept_while_the_good_ones_are_queued(lena_client):
    response = lena_client.post(
        "/articles/new/fetch/", {"fetch-urls": "https://news.example/a\nftp://news.example/b\nhttp://10.0.0.1/c"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "2 URLs could not be queued; they are left in the box to correct:" in text
    assert "ftp://news.example/b: only http:// and https:// addresses are fetched, not ftp:" in text
    assert "http://10.0.0.1/c: 10.0.0.1 is a private address" in text
    assert ">\nftp://news.example/b\nhttp://10.0.0.1/c</textarea>" in text
    assert list(ArticleFetch.objects.values_list("url", flat=True)) == ["https://news.example/a"]


def test_nothing_to_queue_is_a_400(lena_client):
    response = lena_client.post("/articles/new/fetch/", {"fetch-urls": "not a url"})
    assert response.status_code == 400
    assert b"not a url: not a URL (it should start with http:// or https://)" in response.content
    assert lena_client.post("/articles/new/fetch/", {"fetch-urls": "  \n "}).status_code == 400
    assert not ArticleFetch.objects.exists()


def test_a_fetch_that_ran_shows_its_outcome_and_article(settings, lena_client, story_server):
    settings.TASKS = IMMEDIATE_TASKS
    lena_client.post("/articles/new/fetch/", {"fetch-urls": story_server.url("/story")})
    article = Article.objects.get()
    assert article.title == STORY_TITLE
    page = lena_client.get("/articles/new/").content.decode()
    assert 'data-status="done"' in page and 'data-running="false"' in page
    assert f'Imported as a new article. <a href="/articles/{article.pk}/">Open the article</a>' in page


def test_a_pasted_article_is_imported_at_once(lena_client):
    form = {"paste-title": "Minsk and Beijing", "paste-source": "BelTA", "paste-text": "Line one\r\nCafe\u0301."}
    response = lena_client.post("/articles/new/text/", form)
    article = Article.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/articles/{article.pk}/")
    assert (article.title, article.source.name, article.text) == ("Minsk and Beijing", "BelTA", "Line one\nCafé.")
    assert "Imported “Minsk and Beijing” as a new article." in lena_client.get(response["Location"]).content.decode()
    again = lena_client.post("/articles/new/text/", form, follow=True)
    assert "“Minsk and Beijing” was already imported; nothing changed." in again.content.decode()
    assert Article.objects.count() == 1


def test_a_pasted_article_that_cannot_be_imported_keeps_what_was_typed(lena_client):
    make_article("Already here.", original_filename="here.txt")
    form = {"paste-title": "Mine", "paste-source": "Blog", "paste-text": "Already here."}
    response = lena_client.post("/articles/new/text/", form)
    assert response.status_code == 400
    text = response.content.decode()
    assert "The article cannot be imported: same text as article" in text
    assert 'value="Mine"' in text and ">\nAlready here.</textarea>" in text
    missing = lena_client.post("/articles/new/text/", {"paste-title": "T", "paste-source": "S", "paste-text": ""})
    assert missing.status_code == 400 and b"This field is required." in missing.content
    assert Article.objects.count() == 1


def test_only_the_leads_own_fetches_are_listed(lena_client, root):
    ArticleFetch.objects.create(url="https://news.example/roots", requested_by=root)
    assert b"news.example/roots" not in lena_client.get("/articles/new/").content
