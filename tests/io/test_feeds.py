"""Polling feeds: the fixture feeds (tests/io/fixtures/feeds/) served from
the loopback server, their items' pages imported once, conditional
requests answered with a 304, and every way a feed or an item can fail
recorded with its reason while the rest goes on."""

import pytest

from annotate.actions import feeds as feed_actions
from annotate.io.feeds import FeedProblem, parse_feed, poll_feed
from annotate.models import Article, Feed, FeedEntry, Source
from tests.conftest import FEED_FIXTURES, FEED_STORIES, feed_fixture, make_article

BASE = "https://news.example"


def follow(server, path: str, lead=None, **extra) -> Feed:
    return feed_actions.feed_follow(url=server.url(path), added_by=lead, **extra)


def states(feed: Feed) -> dict[str, str]:
    """Each recorded item's path (as the feed links it) and state."""
    prefix = feed.url.split("/feeds/")[0]
    return {entry.link.removeprefix(prefix): entry.state for entry in FeedEntry.objects.filter(feed=feed)}


def requested(server, path: str) -> list:
    return [seen for seen in server.requests if seen.path.split("?")[0] == path]


# Reading a feed's bytes


def test_the_rss_specification_sample_is_read_with_its_items_in_order():
    parsed = parse_feed(feed_fixture("rss2-spec-sample-shape.xml", BASE), url=f"{BASE}/feeds/world.rss")
    assert (parsed.title, parsed.site_link, parsed.note) == ("The Loopback Times: World", f"{BASE}/", "")
    assert [(item.link, item.title) for item in parsed.items] == [
        (f"{BASE}/news/2026/harbour-reopens", "Harbour reopens after the storm"),
        # No <link>: its guid is a permalink (the specification's default), so that is its link.
        (f"{BASE}/news/2026/eclipse-watch#item572", ""),
        (f"{BASE}/news/2026/new-engine", "The engine that does more"),
        (f"{BASE}/news/2026/crew-laundry", "Crew's laundry goes to orbit"),
    ]


def test_an_atom_entry_is_known_by_its_alternate_link_not_its_enclosure():
    parsed = parse_feed(feed_fixture("atom-rfc4287-shape.xml", BASE), url=f"{BASE}/feeds/science.atom")
    assert parsed.title == "The Loopback Times: Science"
    assert [item.link for item in parsed.items] == [
        f"{BASE}/science/glacier-survey",
        f"{BASE}/science/sea-floor-robots",
    ]


def test_relative_links_are_made_absolute_against_the_feed_address():
    parsed = parse_feed(feed_fixture("rss-relative-duplicates-tracking.xml", BASE), url=f"{BASE}/feeds/europe.xml")
    assert parsed.site_link == f"{BASE}/"
    assert parsed.items[0].link == f"{BASE}/world/minsk-trade-pact?utm_source=rss&utm_medium=feed&utm_campaign=europe"
    assert parsed.items[3].link == f"{BASE}/world/missing-story"
    assert parsed.items[4].link == ""  # no link, and a guid that is not a permalink


def test_a_broken_feed_says_where_it_breaks():
    with pytest.raises(FeedProblem) as caught:
        parse_feed((FEED_FIXTURES / "broken.xml").read_bytes(), url=f"{BASE}/feeds/broken.xml")
    assert str(caught.value) == "the feed cannot be read: line 4, column 31: not well-formed (invalid token)"


@pytest.mark.parametrize(
    "body",
    [b"<html><body><p>A web page</p></body></html>", b'<?xml version="1.0"?><order><item>1</item></order>', b""],
)
def test_a_document_that_is_no_feed_is_named_so(body):
    with pytest.raises(FeedProblem) as caught:
        parse_feed(body, url=f"{BASE}/feeds/x.xml", content_type="text/xml")
    assert str(caught.value) == "the document is not an RSS or Atom feed"


def test_a_body_that_names_a_file_is_not_opened(tmp_path):
    # feedparser.parse opens a str or bytes naming a file; a feed server
    # must not be able to make the poll read one of ours.
    local = tmp_path / "feed.rss"
    local.write_bytes(feed_fixture("rss2-spec-sample-shape.xml", BASE))
    with pytest.raises(FeedProblem):
        parse_feed(str(local).encode(), url=f"{BASE}/feeds/world.rss")


def test_a_feed_that_is_only_partly_well_formed_is_read_as_far_as_it_goes():
    body = feed_fixture("rss2-spec-sample-shape.xml", BASE).replace(b"</channel>\n</rss>", b"<item><title>Cut")
    parsed = parse_feed(body, url=f"{BASE}/feeds/world.rss")
    assert len([item for item in parsed.items if item.link]) == 4
    assert parsed.note.startswith("The feed is not well-formed (line ")
    assert parsed.note.endswith("); read as far as it goes.")


# Polling


def test_new_items_are_imported_once_and_a_second_poll_imports_nothing(lena, feed_server):
    feed = follow(feed_server, "/feeds/world.rss", lena)

    first = poll_feed(feed.pk)

    assert first.status == "ok"
    assert len(first.imported) == 4
    assert first.summary() == "4 new, 0 already known."
    titles = sorted(Article.objects.values_list("title", flat=True))
    assert titles == sorted(FEED_STORIES[path] for path in FEED_STORIES if path.startswith("/news/"))
    feed.refresh_from_db()
    assert (feed.title, feed.last_status, feed.last_outcome) == ("The Loopback Times: World", "ok", first.summary())
    assert (feed.etag, feed.last_modified) == ('"feed-v1"', "Tue, 01 Dec 2026 09:41:01 GMT")
    assert set(states(feed).values()) == {"imported"}
    assert feed.poll_started_at is None and feed.last_polled_at is not None

    second = poll_feed(feed.pk)

    assert (second.status, second.imported, second.summary()) == (
        "not_modified",
        [],
        "Not modified since the last poll.",
    )
    assert Article.objects.count() == 4
    feed.refresh_from_db()
    assert (feed.last_status, feed.get_last_status_display()) == ("not_modified", "Not modified")


def test_the_second_poll_asks_conditionally_and_the_304_costs_no_page(lena, feed_server):
    feed = follow(feed_server, "/feeds/world.rss", lena)
    poll_feed(feed.pk)
    feed_server.requests.clear()

    poll_feed(feed.pk)

    (asked,) = feed_server.requests  # the feed only: no item's page again
    assert asked.path == "/feeds/world.rss"
    assert asked.headers["if-none-match"] == '"feed-v1"'
    assert asked.headers["if-modified-since"] == "Tue, 01 Dec 2026 09:41:01 GMT"
    assert "application/rss+xml" in asked.headers["accept"]


def test_a_feed_without_validators_is_read_again_and_its_items_are_known(lena, feed_server):
    feed_server.routes["/feeds/world.rss"].etag = ""
    feed_server.routes["/feeds/world.rss"].last_modified = ""
    feed = follow(feed_server, "/feeds/world.rss", lena)
    poll_feed(feed.pk)
    feed_server.requests.clear()

    again = poll_feed(feed.pk)

    assert (again.status, again.summary()) == ("ok", "0 new, 4 already known.")
    assert [seen.path for seen in feed_server.requests] == ["/feeds/world.rss"]
    assert "if-none-match" not in feed_server.requests[0].headers
    assert Article.objects.count() == 4


def test_duplicates_tracking_parameters_and_a_missing_page(lena, feed_server, settings):
    settings.FEED_ENTRY_ATTEMPTS = 3
    feed = follow(feed_server, "/feeds/europe.xml", lena)

    report = poll_feed(feed.pk)

    # The trade pact twice (other trackers) and the budget vote twice (the
    # same item repeated) are one article each; the missing page fails
    # and does not stop the story after it.
    assert sorted(link.split("/world/")[1].split("?")[0] for link in report.imported) == [
        "budget-vote/", "harbour-strike", "minsk-trade-pact",
    ]  # fmt: skip
    assert report.failed == [(feed_server.url("/world/missing-story"), "the server answered 404 Not Found", True)]
    assert report.refused == [("An item with nothing to link to", "no URL given")]
    assert report.summary() == ("3 new, 2 already known, 1 failed (1 to be tried again), 1 without a usable link.")
    assert Article.objects.count() == 3
    assert len(requested(feed_server, "/world/minsk-trade-pact")) == 1
    entry = FeedEntry.objects.get(feed=feed, state="failed")
    assert (entry.attempts, entry.reason, entry.title) == (
        1,
        "the server answered 404 Not Found",
        "A story the server has lost",
    )


def test_a_failed_item_is_tried_again_then_given_up(lena, feed_server, settings):
    settings.FEED_ENTRY_ATTEMPTS = 3
    feed = follow(feed_server, "/feeds/europe.xml", lena)
    poll_feed(feed.pk)

    # The feed has not changed (304), but its failed item is still tried.
    second = poll_feed(feed.pk)
    assert second.summary() == "Not modified since the last poll, 1 failed (1 to be tried again)."
    third = poll_feed(feed.pk)
    assert third.summary() == "Not modified since the last poll, 1 failed (1 given up)."
    assert third.failed == [(feed_server.url("/world/missing-story"), "the server answered 404 Not Found", False)]
    fourth = poll_feed(feed.pk)

    assert fourth.summary() == "Not modified since the last poll."
    assert len(requested(feed_server, "/world/missing-story")) == 3
    entry = FeedEntry.objects.get(feed=feed, link__endswith="/world/missing-story")
    assert (entry.state, entry.attempts) == ("gave_up", 3)


def test_an_item_that_comes_back_is_imported_on_a_later_attempt(lena, feed_server):
    feed = follow(feed_server, "/feeds/europe.xml", lena)
    poll_feed(feed.pk)
    from tests.conftest import news_page
    from tests.loopback_server import HTML, Reply

    feed_server.routes["/world/missing-story"] = Reply(200, HTML, news_page("A story the server has found"))

    again = poll_feed(feed.pk)

    assert again.imported == [feed_server.url("/world/missing-story")]
    assert Article.objects.filter(title="A story the server has found").exists()
    assert FeedEntry.objects.get(feed=feed, link__endswith="missing-story").state == "imported"


def test_an_item_whose_page_breaks_the_reader_does_not_stop_the_others(lena, feed_server, monkeypatch):
    from annotate.io import documents

    read = documents.read_document

    def breaks_on_the_engine(data, **kwargs):
        if kwargs["url"].endswith("/new-engine"):
            raise RuntimeError("the reader fell over")
        return read(data, **kwargs)

    monkeypatch.setattr(documents, "read_document", breaks_on_the_engine)
    feed = follow(feed_server, "/feeds/world.rss", lena)

    report = poll_feed(feed.pk)

    assert len(report.imported) == 3
    assert report.failed == [
        (feed_server.url("/news/2026/new-engine"), "cannot be read (RuntimeError: the reader fell over)", True)
    ]


def test_an_item_an_article_already_has_is_known_without_fetching_it(lena, feed_server):
    make_article("An earlier import of the pact.", url=feed_server.url("/world/minsk-trade-pact"))
    feed = follow(feed_server, "/feeds/europe.xml", lena)

    report = poll_feed(feed.pk)

    assert requested(feed_server, "/world/minsk-trade-pact") == []
    assert report.known == 1
    entry = FeedEntry.objects.get(feed=feed, link__contains="minsk-trade-pact")
    assert (entry.state, entry.article.text) == ("known", "An earlier import of the pact.")


def test_an_item_another_feed_brought_in_is_known_without_fetching_it(lena, feed_server):
    world = follow(feed_server, "/feeds/world.rss", lena)
    poll_feed(world.pk)
    # The same stories linked by another feed of the outlet, over https-less
    # http with a trailing slash and a tracker: the same addresses.
    copy = feed_fixture("rss2-spec-sample-shape.xml", feed_server.url("")).replace(
        b"/news/2026/harbour-reopens<", b"/news/2026/harbour-reopens/?utm_source=twitter<"
    )
    from tests.loopback_server import ConditionalReply

    feed_server.routes["/feeds/world-copy.rss"] = ConditionalReply(copy)
    other = follow(feed_server, "/feeds/world-copy.rss", lena)
    feed_server.requests.clear()

    report = poll_feed(other.pk)

    assert [seen.path for seen in feed_server.requests] == ["/feeds/world-copy.rss"]
    assert (report.imported, report.known) == ([], 4)
    assert Article.objects.count() == 4


def test_a_poll_fetches_at_most_the_limit_and_the_rest_wait_through_a_304(lena, feed_server, settings):
    settings.FEED_POLL_MAX_ENTRIES = 3
    feed = follow(feed_server, "/feeds/world.rss", lena)

    first = poll_feed(feed.pk)
    assert (len(first.imported), first.waiting) == (3, 1)
    assert first.summary() == "3 new, 0 already known, 1 waiting for the next poll."
    second = poll_feed(feed.pk)

    assert (second.status, len(second.imported), second.waiting) == ("not_modified", 1, 0)
    assert second.summary() == "Not modified since the last poll, 1 new."
    assert Article.objects.count() == 4


def test_a_feed_followed_under_an_outlet_files_its_articles_there(lena, feed_server):
    feed = follow(feed_server, "/feeds/science.atom", lena, source_name="Loopback Science Desk")

    poll_feed(feed.pk)

    assert set(Article.objects.values_list("source__name", flat=True)) == {"Loopback Science Desk"}
    # The enclosure is no article: never fetched.
    assert requested(feed_server, "/audio/glacier-survey.mp3") == []


def test_a_feed_followed_without_an_outlet_takes_its_first_articles(lena, feed_server):
    feed = follow(feed_server, "/feeds/science.atom", lena)

    poll_feed(feed.pk)

    feed.refresh_from_db()
    # The pages name their site (og:site_name): the outlet every article is under.
    assert feed.source == Source.objects.get(name="The Loopback Times")
    assert set(Article.objects.values_list("source__name", flat=True)) == {"The Loopback Times"}


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/feeds/broken.xml", "the feed cannot be read: line 4, column 31: not well-formed (invalid token)"),
        ("/feeds/gone.rss", "the server answered 404 Not Found"),
        (
            "/feeds/front-page.html",
            "the server sent “text/html; charset=utf-8”; only RSS and Atom feeds can be followed",
        ),
        ("/feeds/slow.rss", "no answer within 2 seconds (the time limit)"),
    ],
)
def test_a_feed_that_fails_is_recorded_with_its_reason(lena, feed_server, path, reason):
    feed = follow(feed_server, path, lena)

    report = poll_feed(feed.pk)
    poll_feed(feed.pk)

    assert (report.status, report.problem) == ("failed", reason)
    feed.refresh_from_db()
    assert (feed.last_status, feed.last_outcome, feed.failures_in_a_row) == ("failed", f"Failed: {reason}.", 2)
    assert (feed.etag, feed.title, feed.poll_started_at) == ("", "", None)
    assert Article.objects.count() == FeedEntry.objects.count() == 0


def test_a_good_poll_after_failures_starts_the_count_again(lena, feed_server):
    feed = follow(feed_server, "/feeds/world.rss", lena)
    Feed.objects.filter(pk=feed.pk).update(failures_in_a_row=4)

    poll_feed(feed.pk)

    feed.refresh_from_db()
    assert feed.failures_in_a_row == 0


def test_a_feed_another_poll_holds_is_left_alone(lena, feed_server):
    feed = follow(feed_server, "/feeds/world.rss", lena)
    assert feed_actions.feed_poll_start(feed.pk) is not None

    report = poll_feed(feed.pk)

    assert (report.status, report.summary()) == ("busy", "Another poll is reading it.")
    assert feed_server.requests == []


def test_a_feed_unfollowed_before_its_poll_is_gone(db):
    assert poll_feed(12345).status == "gone"


def test_an_error_nobody_foresaw_is_recorded_and_raised(lena, feed_server, monkeypatch):
    from annotate.io import feeds

    def falls_over(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(feeds, "parse_feed", falls_over)
    feed = follow(feed_server, "/feeds/world.rss", lena)

    with pytest.raises(KeyError):
        poll_feed(feed.pk)

    feed.refresh_from_db()
    assert (feed.last_status, feed.last_outcome) == ("failed", "Failed: could not be polled (KeyError: 'surprise').")
    assert feed.poll_started_at is None  # let go, for the next poll
