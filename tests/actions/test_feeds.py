"""annotate/actions/feeds.py: following a feed, holding it for one poll at a
time, and what each item it lists becomes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from annotate.actions import feeds as feed_actions
from annotate.actions.feeds import SeenItem
from annotate.models import Feed, FeedEntry, Source
from tests.conftest import make_article


def refusal(**kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        feed_actions.feed_follow(added_by=None, **kwargs)
    return caught.value.message_dict


def test_following_a_feed_records_who_and_the_outlet_named(lena):
    feed = feed_actions.feed_follow(url="  https://news.example/rss.xml ", added_by=lena, source_name="News Example")
    assert (feed.url, feed.url_key, feed.added_by, feed.active) == (
        "https://news.example/rss.xml", "news.example/rss.xml", lena, True,
    )  # fmt: skip
    assert feed.source == Source.objects.get(name="News Example")
    assert (feed.title, feed.last_status, feed.last_polled_at) == ("", "", None)


def test_a_feed_followed_without_an_outlet_has_none_yet(lena):
    assert feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena).source is None


@pytest.mark.parametrize(
    "url, said",
    [
        ("", "no URL given"),
        ("news.example/rss.xml", "not a URL (it should start with http:// or https://)"),
        ("ftp://news.example/rss.xml", "only http:// and https:// addresses are fetched, not ftp:"),
        ("http://169.254.169.254/latest/", "169.254.169.254 is the cloud metadata address"),
    ],
)
def test_an_address_no_fetch_may_try_is_refused(db, settings, url, said):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = False
    assert refusal(url=url) == {"url": [f"{url}: {said}" if url else said]}
    assert not Feed.objects.exists()


def test_a_feed_is_followed_once_however_its_address_is_written(lena):
    feed_actions.feed_follow(url="https://www.news.example/rss.xml", added_by=lena)
    feed = Feed.objects.get()
    Feed.objects.filter(pk=feed.pk).update(title="News Example: World")

    said = refusal(url="http://news.example/rss.xml/?utm_source=share")

    assert said == {
        "url": ["http://news.example/rss.xml/?utm_source=share: already followed, as “News Example: World”"]
    }
    assert Feed.objects.count() == 1


def test_the_poll_holds_the_feed_until_it_finishes(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)

    held = feed_actions.feed_poll_start(feed.pk)

    assert held is not None and held.poll_started_at is not None
    assert feed_actions.feed_poll_start(feed.pk) is None
    feed_actions.feed_poll_finish(held, status=Feed.Status.OK, outcome="1 new.", title=" News \n Example ", etag='"a"')
    feed.refresh_from_db()
    assert (feed.poll_started_at, feed.title, feed.etag, feed.last_outcome) == (None, "News Example", '"a"', "1 new.")
    assert feed_actions.feed_poll_start(feed.pk) is not None


def test_a_hold_older_than_the_limit_is_a_poll_that_died(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    died = timezone.now() - feed_actions.POLL_HOLD_LIMIT - timedelta(minutes=1)
    Feed.objects.filter(pk=feed.pk).update(poll_started_at=died)

    assert feed_actions.feed_poll_start(feed.pk) is not None


def test_a_failed_poll_keeps_the_validators_and_counts_the_failures(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    Feed.objects.filter(pk=feed.pk).update(etag='"a"', last_modified="Tue, 01 Dec 2026 09:41:01 GMT")
    for _ in range(2):
        held = feed_actions.feed_poll_start(feed.pk)
        feed_actions.feed_poll_finish(held, status=Feed.Status.FAILED, outcome="Failed: 404.")
    feed.refresh_from_db()
    assert (feed.failures_in_a_row, feed.etag, feed.last_modified) == (2, '"a"', "Tue, 01 Dec 2026 09:41:01 GMT")


def test_a_validator_too_long_to_keep_is_not_kept(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    held = feed_actions.feed_poll_start(feed.pk)
    feed_actions.feed_poll_finish(held, status=Feed.Status.OK, outcome="0 new.", etag="x" * 501, last_modified="y")
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified) == ("", "y")


def test_a_poll_now_asked_for_during_a_poll_stays_queued(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    held = feed_actions.feed_poll_start(feed.pk)
    feed_actions.feed_poll_queued(feed)
    feed_actions.feed_poll_finish(held, status=Feed.Status.OK, outcome="0 new.")
    feed.refresh_from_db()
    assert feed.poll_queued_at is not None

    held = feed_actions.feed_poll_start(feed.pk)
    feed_actions.feed_poll_finish(held, status=Feed.Status.OK, outcome="0 new.")
    feed.refresh_from_db()
    assert feed.poll_queued_at is None


def test_a_feed_unfollowed_during_its_poll_is_not_brought_back(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    held = feed_actions.feed_poll_start(feed.pk)
    feed_actions.feed_unfollow(feed)

    feed_actions.feed_poll_finish(held, status=Feed.Status.OK, outcome="0 new.")

    assert not Feed.objects.exists()


def test_a_pause_during_a_poll_is_kept(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    held = feed_actions.feed_poll_start(feed.pk)
    feed_actions.feed_set_active(feed, active=False)

    feed_actions.feed_poll_finish(held, status=Feed.Status.OK, outcome="0 new.")

    feed.refresh_from_db()
    assert feed.active is False


def test_items_are_recorded_once_known_when_an_article_has_the_address(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    known = make_article("The pact, imported by hand.", url="https://news.example/world/pact")
    items = [
        SeenItem("https://www.news.example/world/pact/?utm_source=rss", "The pact"),
        SeenItem("https://news.example/world/vote", "The vote"),
        SeenItem("https://news.example/world/vote#comments", "The vote again"),
        SeenItem("", "No link"),
        SeenItem("javascript:alert(1)", "Script"),
        SeenItem("https://news.example/" + "x" * 2000, "Too long"),
    ]

    recorded = feed_actions.feed_entries_record(feed, items)

    assert (recorded.pending, recorded.known, recorded.seen_before) == (1, 1, 1)
    assert [(item.title, reason) for item, reason in recorded.refused] == [
        ("No link", "no URL given"),
        ("Script", "only http:// and https:// addresses are fetched, not javascript:"),
        ("Too long", "the URL is 2,021 characters long; at most 2,000 are kept"),
    ]
    rows = FeedEntry.objects.filter(feed=feed).order_by("id")
    assert [(row.key, row.state, row.article_id, row.title) for row in rows] == [
        ("news.example/world/pact", "known", known.pk, "The pact"),
        ("news.example/world/vote", "pending", None, "The vote"),
    ]

    again = feed_actions.feed_entries_record(feed, items)

    assert (again.pending, again.known, again.seen_before) == (0, 0, 3)
    assert FeedEntry.objects.filter(feed=feed).count() == 2


def test_a_failed_item_is_given_up_after_the_attempts_allowed(lena):
    feed = feed_actions.feed_follow(url="https://news.example/rss.xml", added_by=lena)
    feed_actions.feed_entries_record(feed, [SeenItem("https://news.example/world/vote", "The vote")])
    entry = FeedEntry.objects.get()

    states = []
    for _ in range(3):
        entry = feed_actions.feed_entry_failed(entry, reason="the server answered 404 Not Found", attempts_allowed=3)
        states.append((entry.state, entry.attempts))

    assert states == [("failed", 1), ("failed", 2), ("gave_up", 3)]
    entry.refresh_from_db()
    assert (entry.state, entry.attempts, entry.reason) == ("gave_up", 3, "the server answered 404 Not Found")
    assert entry.last_tried_at is not None
