"""``manage.py refresh_articles``: pages fetched again from the loopback
server; a changed text is a new version with its spans re-anchored, the
same text changes nothing, a page gone is named and changes nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotate.io.url_imports import import_article_from_url
from annotate.models import AnchorState, Annotation, Article, ArticleVersion
from tests.conftest import make_annotation
from tests.loopback_server import HTML, STORY_PARAGRAPHS, STORY_TITLE, LoopbackServer, Reply, article_page

CORRECTED = [
    *STORY_PARAGRAPHS[:1],
    *STORY_PARAGRAPHS[2:],
    "Correction: An earlier version of this article misstated the date of the vote.",
]


@pytest.fixture
def server(settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    settings.ARTICLE_FETCH_TIMEOUT = 5
    with LoopbackServer({"/story": Reply(200, HTML, article_page(STORY_TITLE, STORY_PARAGRAPHS))}) as running:
        yield running


@pytest.fixture
def fetched(db, server, labels, alice):
    article, _ = import_article_from_url(server.url("/story"))
    kept = make_annotation(article, labels["fact"], alice, quote=STORY_PARAGRAPHS[0])
    gone = make_annotation(article, labels["opinion"], alice, quote=STORY_PARAGRAPHS[1])
    return article, kept, gone


def test_a_changed_page_becomes_a_new_version(fetched, server, capsys):
    article, kept, gone = fetched
    server.routes["/story"] = Reply(200, HTML, article_page(STORY_TITLE, CORRECTED))
    call_command("refresh_articles")
    out = capsys.readouterr().out
    assert f"article {article.pk} ({article.url}): changed; recorded as a new version." in out
    assert "Refreshed 1 article(s): 1 changed, 0 unchanged, 0 could not be fetched." in out
    article.refresh_from_db()
    assert article.text_version == 2 and "Correction: An earlier version" in article.text
    assert ArticleVersion.objects.get(article=article).change_note_kind == "correction"
    moved = Annotation.objects.get(pk=kept.pk)
    assert article.text[moved.start : moved.end] == STORY_PARAGRAPHS[0]
    assert Annotation.all_spans.get(pk=gone.pk).anchor_state == AnchorState.ORPHANED


def test_the_same_page_again_changes_nothing(fetched, capsys):
    call_command("refresh_articles")
    assert "1 unchanged" in capsys.readouterr().out
    assert not ArticleVersion.objects.exists()


def test_a_page_that_cannot_be_fetched_is_named_and_the_article_kept(fetched, server, capsys):
    article, _, _ = fetched
    server.routes["/story"] = Reply(404, HTML, b"gone")
    call_command("refresh_articles")
    captured = capsys.readouterr()
    assert f"article {article.pk} ({article.url}): " in captured.err and "404" in captured.err
    assert "1 could not be fetched" in captured.out
    assert Article.objects.get(pk=article.pk).text_version == 1


def test_filters_choose_the_articles(fetched, capsys):
    article, _, _ = fetched
    call_command("refresh_articles", article=[article.pk + 100])
    assert "nothing to refresh" in capsys.readouterr().out
    call_command("refresh_articles", since=article.imported_at.date().replace(year=2999))
    assert "nothing to refresh" in capsys.readouterr().out
    with pytest.raises(CommandError, match="'No such outlet'"):
        call_command("refresh_articles", source=["No such outlet"])
    call_command("refresh_articles", source=["The Loopback Times"])
    assert "Refreshed 1 article(s)" in capsys.readouterr().out
    call_command("refresh_articles", since_days=3)
    assert "Refreshed 1 article(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not both"):
        call_command("refresh_articles", since_days=3, since=article.imported_at.date())
