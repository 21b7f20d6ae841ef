"""The Feeds page: leads follow a feed, see how its polls went, pause,
resume, unfollow and poll it now (a background task, so the page never
waits on an outlet); everyone else is refused and nothing changes."""

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from annotate.actions import feeds as feed_actions
from annotate.actions.feeds import SeenItem
from annotate.models import Article, Feed, FeedEntry
from tests.workers import IMMEDIATE_TASKS


def a_feed(lena, url="https://news.example/rss.xml", **extra) -> Feed:
    return feed_actions.feed_follow(url=url, added_by=lena, **extra)


def test_leads_find_the_page_in_the_navigation_and_on_the_new_article_page(lena_client):
    page = lena_client.get("/feeds/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Follow a feed" in text and "No feeds followed yet. Give a feed's address above." in text
    assert '<a href="/feeds/">Feeds</a>' in lena_client.get("/").content.decode()
    assert '<a href="/feeds/">follow its feed</a>' in lena_client.get("/articles/new/").content.decode()


REFUSED = [("get", "/feeds/"), ("post", "/feeds/follow/")] + [
    ("post", f"/feeds/{{feed}}/{action}/") for action in ("pause", "resume", "poll", "unfollow")
]


@pytest.mark.parametrize(("method", "path"), REFUSED)
def test_reviewers_are_refused_and_nothing_changes(alice_client, lena, method, path):
    feed = a_feed(lena)
    before = list(Feed.objects.values())

    response = getattr(alice_client, method)(path.format(feed=feed.pk), {"url": "https://other.example/rss.xml"})

    assert response.status_code == 403
    assert b"403 Forbidden" in response.content
    assert list(Feed.objects.values()) == before
    assert not DBTaskResult.objects.exists()
    assert b'href="/feeds/"' not in alice_client.get("/").content


@pytest.mark.parametrize(("method", "path"), REFUSED)
def test_signed_out_visitors_are_sent_to_sign_in(client, lena, method, path):
    feed = a_feed(lena)
    url = path.format(feed=feed.pk)
    response = getattr(client, method)(url)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


def test_following_a_feed_queues_its_first_poll(lena_client, lena):
    response = lena_client.post("/feeds/follow/", {"url": "https://news.example/rss.xml", "source_name": "News Ex"})

    assert (response.status_code, response["Location"]) == (302, "/feeds/")
    feed = Feed.objects.get()
    assert (feed.url, feed.added_by, feed.source.name) == ("https://news.example/rss.xml", lena, "News Ex")
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == ("annotate.tasks.poll_feed", [feed.pk])
    page = lena_client.get("/feeds/").content.decode()
    assert "Following https://news.example/rss.xml; its first poll is queued." in page
    assert "Poll queued" in page and "Never polled." in page and "Not read yet" in page


def test_a_feed_that_cannot_be_followed_is_named_and_kept_in_the_box(lena_client, lena, settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = False
    a_feed(lena, "https://news.example/rss.xml")

    private = lena_client.post("/feeds/follow/", {"url": "http://10.0.0.1/rss.xml"})
    twice = lena_client.post("/feeds/follow/", {"url": "http://www.news.example/rss.xml"})
    empty = lena_client.post("/feeds/follow/", {"url": ""})

    assert private.status_code == twice.status_code == empty.status_code == 400
    assert "http://10.0.0.1/rss.xml: 10.0.0.1 is a private address" in private.content.decode()
    assert 'value="http://10.0.0.1/rss.xml"' in private.content.decode()
    assert "http://www.news.example/rss.xml: already followed, as “https://news.example/rss.xml”" in (
        twice.content.decode()
    )
    assert "This field is required." in empty.content.decode()
    assert Feed.objects.count() == 1 and not DBTaskResult.objects.exists()


def test_pause_resume_and_unfollow(lena_client, lena):
    feed = a_feed(lena)

    paused = lena_client.post(f"/feeds/{feed.pk}/pause/", follow=True).content.decode()
    feed.refresh_from_db()
    assert feed.active is False
    assert "Paused “https://news.example/rss.xml”: poll_feeds leaves it alone until it is resumed." in paused
    assert '<span class="status-pill status-paused">Paused</span>' in paused
    assert f'action="/feeds/{feed.pk}/resume/"' in paused

    lena_client.post(f"/feeds/{feed.pk}/resume/")
    feed.refresh_from_db()
    assert feed.active is True

    gone = lena_client.post(f"/feeds/{feed.pk}/unfollow/", follow=True).content.decode()
    assert "No longer following “https://news.example/rss.xml”; the articles it brought in stay." in gone
    assert not Feed.objects.exists()
    assert lena_client.post(f"/feeds/{feed.pk}/pause/").status_code == 404


def test_poll_now_runs_in_the_background_and_the_page_shows_how_it_went(lena_client, lena, feed_server, settings):
    settings.TASKS = IMMEDIATE_TASKS
    feed = a_feed(lena, feed_server.url("/feeds/europe.xml"))

    response = lena_client.post(f"/feeds/{feed.pk}/poll/", follow=True)

    assert Article.objects.count() == 3
    text = response.content.decode()
    assert "Queued a poll of “" in text
    assert "<strong>The Loopback Times: Europe</strong>" in text
    assert "3 new, 2 already known, 1 failed (1 to be tried again), 1 without a usable link." in text
    assert '<span class="status-pill status-ok">Read</span>' in text
    assert "A story the server has lost</a>: the server answered 404 Not Found" in text
    assert "1 attempt, tried again next poll" in text
    assert '<td class="num">3</td>' in text  # imported
    assert "The Loopback Times</td>" in text  # the outlet its first article was matched to
    feed.refresh_from_db()
    assert feed.poll_queued_at is None


def test_a_failing_feed_says_so(lena_client, lena):
    feed = a_feed(lena)
    for _ in range(3):
        held = feed_actions.feed_poll_start(feed.pk)
        feed_actions.feed_poll_finish(held, status="failed", outcome="Failed: the server answered 404 Not Found.")

    text = lena_client.get("/feeds/").content.decode()

    assert '<span class="status-pill status-failed">Failed</span>' in text
    assert "Failed: the server answered 404 Not Found. <strong>3 failed polls in a row.</strong>" in text


def fill(lena, count: int) -> None:
    """``count`` feeds, each with items in every state, two of them failed."""
    for number in range(count):
        feed = a_feed(lena, f"https://news{number}.example/rss.xml", source_name=f"Outlet {number}")
        links = [SeenItem(f"https://news{number}.example/story-{item}", f"Story {item}") for item in range(5)]
        feed_actions.feed_entries_record(feed, links)
        entries = list(FeedEntry.objects.filter(feed=feed).order_by("id"))
        for entry in entries[:2]:
            feed_actions.feed_entry_failed(entry, reason="the server answered 404 Not Found", attempts_allowed=2)
        feed_actions.feed_entry_failed(entries[2], reason="no answer", attempts_allowed=1)


FEEDS_PAGE_QUERIES = 6  # session, user, groups (navigation), feeds with counts, their failed items, outlets


@pytest.mark.parametrize("count", [1, 12])
def test_the_page_takes_the_same_number_of_queries_however_many_feeds(lena, count, django_assert_num_queries):
    fill(lena, count)
    client = Client()
    client.force_login(lena)

    with django_assert_num_queries(FEEDS_PAGE_QUERIES):
        response = client.get("/feeds/")

    text = response.content.decode()
    assert text.count('<tr id="feed-') == count
    assert text.count("tried again next poll") == 2 * count
    assert text.count("given up after 1 attempt") == count
    assert text.count("+ 1 given up") == count
    assert text.count('<option value="Outlet ') == count
