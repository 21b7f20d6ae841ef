"""`manage.py poll_feeds [--feed ID …]`: every active feed polled in the
command's own process, a line per feed on stdout, every failure with its
reason on stderr, a failing feed never stopping the others, and a non-zero
exit only when the command is used wrongly."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from annotate.actions import feeds as feed_actions
from annotate.models import Article, Feed
from tests.workers import ROOT, test_database_url


def run_poll_feeds(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("poll_feeds", *map(str, args), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def follow(server, path: str, lena) -> Feed:
    return feed_actions.feed_follow(url=server.url(path), added_by=lena)


def test_every_active_feed_is_polled_and_reported(lena, feed_server, settings):
    settings.FEED_ENTRY_ATTEMPTS = 2
    world = follow(feed_server, "/feeds/world.rss", lena)
    europe = follow(feed_server, "/feeds/europe.xml", lena)
    broken = follow(feed_server, "/feeds/broken.xml", lena)
    paused = feed_actions.feed_set_active(follow(feed_server, "/feeds/science.atom", lena), active=False)

    stdout, stderr = run_poll_feeds()

    missing = feed_server.url("/world/missing-story")
    broken_reason = "the feed cannot be read: line 4, column 31: not well-formed (invalid token)"
    assert stdout.splitlines() == [
        f"Feed {world.pk} “The Loopback Times: World”: 4 new, 0 already known.",
        f"Feed {europe.pk} “The Loopback Times: Europe”: "
        "3 new, 2 already known, 1 failed (1 to be tried again), 1 without a usable link.",
        "  skipped An item with nothing to link to: no URL given",
        f"Feed {broken.pk} “{broken.url}”: Failed: {broken_reason}.",
        "Polled 3 feeds: 7 new article(s), 1 item(s) failed, 1 feed(s) failed.",
    ]
    assert stderr.splitlines() == [
        f"Feed {europe.pk} “The Loopback Times: Europe”: {missing}: the server answered 404 Not Found "
        "(tried again next poll)",
        f"Feed {broken.pk} “{broken.url}”: {broken_reason}",
    ]
    assert Article.objects.count() == 7
    paused.refresh_from_db()
    assert paused.last_polled_at is None

    stdout, stderr = run_poll_feeds()

    assert stdout.splitlines() == [
        f"Feed {world.pk} “The Loopback Times: World”: Not modified since the last poll.",
        f"Feed {europe.pk} “The Loopback Times: Europe”: Not modified since the last poll, 1 failed (1 given up).",
        f"Feed {broken.pk} “{broken.url}”: Failed: {broken_reason}.",
        "Polled 3 feeds: 0 new article(s), 1 item(s) failed, 1 feed(s) failed.",
    ]
    assert stderr.splitlines()[0].endswith(f"{missing}: the server answered 404 Not Found (given up)")
    assert Article.objects.count() == 7


def test_named_feeds_are_polled_paused_or_not(lena, feed_server):
    world = follow(feed_server, "/feeds/world.rss", lena)
    science = feed_actions.feed_set_active(follow(feed_server, "/feeds/science.atom", lena), active=False)

    stdout, stderr = run_poll_feeds("--feed", science.pk)

    assert (stdout.splitlines()[-1], stderr) == (
        "Polled 1 feed: 2 new article(s), 0 item(s) failed, 0 feed(s) failed.",
        "",
    )
    world.refresh_from_db()
    assert world.last_polled_at is None


def test_a_feed_id_that_names_no_feed_is_a_usage_error(lena, feed_server):
    world = follow(feed_server, "/feeds/world.rss", lena)

    with pytest.raises(CommandError) as caught:
        run_poll_feeds("--feed", world.pk, 98765, "--feed", 98766)

    assert str(caught.value) == "no feed with the id 98765, 98766; see the /feeds/ page for the ids"
    assert feed_server.requests == []


def test_nothing_to_poll_says_so(db):
    assert run_poll_feeds() == ("No active feeds to poll; follow one on the /feeds/ page.\n", "")


def test_a_feed_that_fails_unexpectedly_does_not_stop_the_others(lena, feed_server, monkeypatch):
    from annotate.io import feeds

    parse = feeds.parse_feed

    def falls_over_on_science(body, **kwargs):
        if kwargs["url"].endswith("science.atom"):
            raise KeyError("surprise")
        return parse(body, **kwargs)

    monkeypatch.setattr(feeds, "parse_feed", falls_over_on_science)
    science = follow(feed_server, "/feeds/science.atom", lena)
    world = follow(feed_server, "/feeds/world.rss", lena)

    stdout, stderr = run_poll_feeds()

    science_name = f"Feed {science.pk} “{science.url}”"
    assert f"{science_name}: Failed: could not be polled (KeyError: 'surprise')." in stdout.splitlines()
    assert f"Feed {world.pk} “The Loopback Times: World”: 4 new, 0 already known." in stdout.splitlines()
    assert stderr.splitlines() == [f"{science_name}: could not be polled (KeyError: 'surprise')"]


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_zero_when_feeds_fail_and_non_zero_when_used_wrongly(lena, feed_server):
    follow(feed_server, "/feeds/broken.xml", lena)
    follow(feed_server, "/feeds/world.rss", lena)
    env = {**os.environ, "DATABASE_URL": test_database_url(), "ARTICLE_FETCH_ALLOW_PRIVATE": "1"}
    command = [sys.executable, "manage.py", "poll_feeds"]

    polled = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    wrong = subprocess.run([*command, "--feed", "x"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert polled.returncode == 0, polled.stderr
    assert polled.stdout.splitlines()[-1] == "Polled 2 feeds: 4 new article(s), 0 item(s) failed, 1 feed(s) failed."
    assert "not well-formed (invalid token)" in polled.stderr
    assert Article.objects.count() == 4
    assert wrong.returncode != 0
    assert "argument --feed: invalid int value: 'x'" in wrong.stderr
