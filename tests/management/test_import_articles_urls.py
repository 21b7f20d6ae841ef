"""`manage.py import_articles https://…`: URLs fetched in the command's own
process, beside files, each failure named with its reason while the other
items of the run go in, and a non-zero exit when any failed."""

import gzip
import time

import pytest

from annotate.models import Article
from tests.io.test_articles_in import run_import_articles
from tests.loopback_server import HTML, STORY_TITLE, LoopbackServer, Reply, story_page


def sleepy(handler):
    time.sleep(3)


@pytest.fixture
def server(settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    settings.ARTICLE_FETCH_TIMEOUT = 1
    settings.ARTICLE_FETCH_MAX_BYTES = 50 * 1024
    routes = {
        "/story": Reply(200, HTML, story_page()),
        "/loop": Reply(302, {"Location": "/loop"}),
        "/slow": sleepy,
        "/picture.png": Reply(200, {"Content-Type": "image/png"}, b"\x89PNG"),
        "/huge": Reply(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip.compress(b" " * 10**6)),
    }
    with LoopbackServer(routes) as running:
        yield running


def test_a_url_is_fetched_and_imported(db, server):
    stdout, stderr, error = run_import_articles(server.url("/story"))
    assert (stdout, stderr, error) == ("Articles: 1 new, 0 updated, 0 unchanged, 0 failed.\n", "", None)
    assert Article.objects.get().title == STORY_TITLE


def test_the_same_url_again_is_unchanged(db, server):
    run_import_articles(server.url("/story"))
    stdout, _stderr, error = run_import_articles(server.url("/story"))
    assert (stdout, error) == ("Articles: 0 new, 0 updated, 1 unchanged, 0 failed.\n", None)


def test_bad_urls_are_named_with_their_reasons_and_the_rest_still_go_in(db, server, tmp_path):
    (tmp_path / "note.txt").write_text("Minsk and Beijing sign a pact.\n\nThe text.", encoding="utf-8")
    urls = {path: server.url(path) for path in ("/loop", "/missing", "/slow", "/picture.png", "/huge")}
    stdout, stderr, error = run_import_articles(
        urls["/loop"], server.url("/story"), urls["/missing"], "ftp://example.org/story.html", urls["/slow"],
        urls["/picture.png"], urls["/huge"], tmp_path / "note.txt",
    )  # fmt: skip
    assert stderr.splitlines() == [
        f"{urls['/loop']}: redirect loop: {urls['/loop']} → {urls['/loop']}",
        f"{urls['/missing']}: the server answered 404 Not Found",
        "ftp://example.org/story.html: only http:// and https:// addresses are fetched, not ftp:",
        f"{urls['/slow']}: no answer within 1 seconds (the time limit)",
        f"{urls['/picture.png']}: the server sent “image/png”; only HTML pages and PDF files are imported",
        f"{urls['/huge']}: the page is larger than the limit of 50 KB",
    ]
    assert stdout == "Articles: 2 new, 0 updated, 0 unchanged, 6 failed.\n"
    assert str(error) == "6 file(s) or URL(s) could not be imported; see the messages above."
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Minsk and Beijing sign a pact.", STORY_TITLE]


def test_a_private_address_is_refused_when_private_addresses_are_not_allowed(db, server, settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = False
    _stdout, stderr, error = run_import_articles(server.url("/story"))
    assert stderr == f"{server.url('/story')}: refused: 127.0.0.1 is a loopback address (this machine)\n"
    assert error is not None
    assert server.requests == []
    assert not Article.objects.exists()


def test_urls_cannot_be_all_or_nothing(db, server):
    _stdout, _stderr, error = run_import_articles(server.url("/story"), "--all-or-nothing")
    assert str(error) == "--all-or-nothing covers files only; import the URLs in a run of their own"
    assert server.requests == []
