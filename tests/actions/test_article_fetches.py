"""A fetch's states: queued → fetching → done or failed, each change
conditional, so a fetch is run once and stays as it ended."""

import pytest
from django.core.exceptions import ValidationError

from annotate.actions import article_fetches
from annotate.models import ArticleFetch


@pytest.fixture
def fetch(lena):
    return article_fetches.article_fetch_create(url="  https://news.example/story  ", requested_by=lena)


def test_a_new_fetch_is_queued_for_its_url(fetch, lena):
    fetch.refresh_from_db()
    assert (fetch.url, fetch.status, fetch.requested_by, fetch.finished_at) == (
        "https://news.example/story", "queued", lena, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "url, message",
    [
        ("", "no URL given"),
        ("news.example/story", "news.example/story: not a URL (it should start with http:// or https://)"),
        ("ftp://news.example/", "ftp://news.example/: only http:// and https:// addresses are fetched, not ftp:"),
        ("http://10.0.0.1/", "http://10.0.0.1/: 10.0.0.1 is a private address"),
        ("http://169.254.169.254/", "http://169.254.169.254/: 169.254.169.254 is the cloud metadata address"),
    ],
)
def test_a_url_no_fetch_may_try_is_refused(lena, url, message):
    with pytest.raises(ValidationError) as caught:
        article_fetches.article_fetch_create(url=url, requested_by=lena)
    assert caught.value.message_dict == {"url": [message]}
    assert not ArticleFetch.objects.exists()


def test_a_written_out_private_address_may_be_queued_when_private_addresses_are_allowed(settings, lena):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    assert article_fetches.article_fetch_create(url="http://127.0.0.1:8000/", requested_by=lena).status == "queued"


def test_a_fetch_is_started_once(fetch):
    assert article_fetches.article_fetch_start(fetch.pk).status == "fetching"
    assert article_fetches.article_fetch_start(fetch.pk) is None


def test_a_finished_fetch_stays_as_it_ended(fetch, article):
    started = article_fetches.article_fetch_start(fetch.pk)
    article_fetches.article_fetch_finish(started, article=article, outcome="created")
    with pytest.raises(ValidationError):
        article_fetches.article_fetch_fail(started, reason="late")
    fetch.refresh_from_db()
    assert (fetch.status, fetch.outcome, fetch.article) == ("done", "Imported as a new article.", article)
    assert fetch.finished_at is not None


def test_a_failed_fetch_keeps_its_reason(fetch):
    started = article_fetches.article_fetch_start(fetch.pk)
    article_fetches.article_fetch_fail(started, reason="https://news.example/story: the server answered 410 Gone")
    fetch.refresh_from_db()
    assert (fetch.status, fetch.outcome, fetch.article) == (
        "failed", "https://news.example/story: the server answered 410 Gone", None,
    )  # fmt: skip


def test_the_task_id_is_recorded_without_undoing_a_state_change(fetch, article):
    started = article_fetches.article_fetch_start(fetch.pk)
    article_fetches.article_fetch_finish(started, article=article, outcome="unchanged")
    article_fetches.article_fetch_record_task(fetch, task_result_id="abc")  # ``fetch`` still says queued
    fetch.refresh_from_db()
    assert (fetch.status, fetch.task_result_id) == ("done", "abc")
