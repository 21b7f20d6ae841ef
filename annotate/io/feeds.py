"""Polling the feeds leads follow: fetch the feed, read it, import its new
items' articles into the unassigned pool.

``poll_feed`` polls one feed, wholly in this process: ``manage.py
poll_feeds`` calls it for every active feed, the "Poll now" task
(annotate/tasks.py) for one. A poll

1. takes the feed (``actions.feeds.feed_poll_start``), so two polls never
   read one feed at once;
2. fetches it through ``fetching.fetch_url`` with the feed policy (RSS,
   Atom and XML types only, the SSRF checks and limits every fetch has),
   conditionally: a 304 means the feed has nothing new;
3. reads it with feedparser, from the bytes fetched (never letting
   feedparser open a URL or a file itself);
4. records the items it had not listed before (``feed_entries_record``):
   an item whose address an article already has is "already known";
5. fetches each pending item's page, and each failed one again, at most
   ``FEED_POLL_MAX_ENTRIES`` of them, through ``import_article_from_url``
   under the feed's outlet; an item that fails is tried again on the next
   polls, ``FEED_ENTRY_ATTEMPTS`` times in all, then given up;
6. records the outcome on the feed, in words.

Nothing runs inside one long transaction: a slow site must not hold the
database's write lock, and each item's article is committed on its own.
"""

import io
import logging
import xml.sax
from dataclasses import dataclass, field
from urllib.parse import urljoin

import feedparser
from django.conf import settings
from django.db import DatabaseError

from annotate.actions import feeds as feed_actions
from annotate.actions.feeds import SeenItem
from annotate.io.article_records import ImportProblem
from annotate.io.fetching import FetchPolicy, FetchProblem, fetch_url
from annotate.io.url_imports import import_article_from_url
from annotate.models import Feed, FeedEntry

logger = logging.getLogger(__name__)

# A poll looks at this many of a feed's items at most (feeds list 10 to
# 100); a "feed" of thousands is an archive, not news to follow.
ITEMS_PER_POLL = 500


class FeedProblem(Exception):
    """The fetched document cannot be read as a feed; the message says why."""


@dataclass(frozen=True)
class ParsedFeed:
    """A feed as feedparser read it: its own title, the site it belongs to
    (its channel link), its items in the order it lists them, and a note
    when it was not well-formed but could still be read."""

    title: str
    site_link: str
    items: list[SeenItem]
    note: str = ""


@dataclass
class PollReport:
    """How one poll of one feed went, for the command and the feed's outcome.

    ``status`` is a Feed.Status, or "busy" when another poll held the feed
    and "gone" when there is no such feed; ``problem`` says why a poll
    failed. ``imported`` and ``revised`` hold the links of the items that
    became new articles and new versions of articles already here;
    ``known`` counts the items that were already articles (found by their
    address before fetching, or by their text after) and ``seen_before``
    those the feed had listed on earlier polls; ``failed`` holds each
    failed item's link, the reason, and whether it is tried again."""

    feed_id: int
    name: str = ""
    status: str = ""
    problem: str = ""
    imported: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    known: int = 0
    seen_before: int = 0
    failed: list[tuple[str, str, bool]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    waiting: int = 0
    note: str = ""

    def summary(self) -> str:
        """The poll in one sentence or two, as the feed's outcome says it."""
        if self.status in ("busy", "gone"):
            return self.problem
        if self.status == Feed.Status.FAILED:
            return f"Failed: {self.problem}."
        parts = []
        if self.status == Feed.Status.NOT_MODIFIED:
            parts.append("not modified since the last poll")
        if self.status == Feed.Status.OK or self.imported:
            parts.append(f"{len(self.imported)} new")
        if self.revised:
            parts.append(f"{len(self.revised)} new version{'s' if len(self.revised) != 1 else ''}")
        if self.status == Feed.Status.OK:
            parts.append(f"{self.known + self.seen_before} already known")
        if self.failed:
            again = sum(retried for _link, _reason, retried in self.failed)
            fates = [
                f"{again} to be tried again" if again else "",
                f"{len(self.failed) - again} given up" if again < len(self.failed) else "",
            ]
            parts.append(f"{len(self.failed)} failed ({', '.join(fate for fate in fates if fate)})")
        if self.refused:
            parts.append(f"{len(self.refused)} without a usable link")
        if self.waiting:
            parts.append(f"{self.waiting} waiting for the next poll")
        text = ", ".join(parts)
        text = f"{text[0].upper()}{text[1:]}."
        return f"{text} {self.note}" if self.note else text


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Read ``body``, a feed fetched from ``url`` (relative links resolve
    against it), as RSS or Atom. Raises FeedProblem for a document that is
    no feed, or too broken to read any item from."""
    # A BytesIO, never the bytes: feedparser.parse takes a str or bytes that
    # names a URL or a file as one to open, and would open it.
    headers = {"content-location": url} | ({"content-type": content_type} if content_type else {})
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = parsed.get("entries", [])
    items = [SeenItem(link=_entry_link(entry, url), title=entry.get("title", "")) for entry in entries]
    linked = any(item.link for item in items)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # feedparser reads what it can of a broken document; a feed cut off in
    # its first item yields an item with nothing in it, which is no news.
    if problem is not None and not linked:
        raise FeedProblem(f"the feed cannot be read: {_describe_bozo(problem)}")
    if not parsed.get("version") and not linked:
        raise FeedProblem("the document is not an RSS or Atom feed")
    note = ""
    # Its other complaints (a charset the document contradicts, say) do
    # not make a feed any less readable.
    if isinstance(problem, xml.sax.SAXException):
        note = f"The feed is not well-formed ({_describe_bozo(problem)}); read as far as it goes."
    return ParsedFeed(
        title=parsed.feed.get("title", ""), site_link=parsed.feed.get("link", ""), items=items[:ITEMS_PER_POLL],
        note=note,
    )  # fmt: skip


def _entry_link(entry, base: str) -> str:
    """The item's link: its own (Atom's rel="alternate"; feedparser also
    takes an RSS guid that is a permalink), absolute. "" when it has none."""
    link = (entry.get("link") or "").strip()
    if not link:
        alternates = [one.get("href") for one in entry.get("links", []) if one.get("rel") == "alternate"]
        link = (alternates[0] if alternates else "") or ""
    return urljoin(base, link) if link else ""


def _describe_bozo(error) -> str:
    if isinstance(error, xml.sax.SAXParseException):
        return f"line {error.getLineNumber()}, column {error.getColumnNumber()}: {error.getMessage()}"
    return str(error) or type(error).__name__


def poll_feed(
    feed_id: int, *, policy: FetchPolicy | None = None, max_entries: int | None = None, attempts: int | None = None
) -> PollReport:
    """Poll feed ``feed_id`` once (the module's docstring says how) and
    return the report. A feed that cannot be fetched or read is a failed
    poll, recorded on the feed; an error nobody foresaw is recorded too,
    then raised."""
    report = PollReport(feed_id=feed_id)
    feed = feed_actions.feed_poll_start(feed_id)
    if feed is None:
        busy = Feed.objects.filter(pk=feed_id).first()
        report.name = str(busy) if busy else ""
        if busy:
            report.status, report.problem = "busy", "Another poll is reading it."
        else:
            report.status, report.problem = "gone", "No longer followed."
        return report
    report.name = str(feed)
    policy = policy or FetchPolicy.from_settings()
    try:
        title, etag, last_modified = _read_feed(feed, policy, report)
        if report.status != Feed.Status.FAILED:
            _import_entries(feed, policy, report, max_entries or settings.FEED_POLL_MAX_ENTRIES,
                            attempts or settings.FEED_ENTRY_ATTEMPTS)  # fmt: skip
    except Exception as error:
        logger.exception("poll of feed %s (%s) failed unexpectedly", feed.pk, feed.url)
        report.status, report.problem = Feed.Status.FAILED, f"could not be polled ({type(error).__name__}: {error})"
        feed_actions.feed_poll_finish(feed, status=report.status, outcome=report.summary())
        raise
    finished = feed_actions.feed_poll_finish(
        feed, status=report.status, outcome=report.summary(), title=title, etag=etag, last_modified=last_modified
    )
    report.name = str(finished)
    return report


def _read_feed(feed: Feed, policy: FetchPolicy, report: PollReport) -> tuple[str, str, str]:
    """Fetch and read the feed, and record its new items; returns its title
    and validators. A feed that cannot be fetched or read sets the report's
    status to failed, with the reason."""
    try:
        page = fetch_url(feed.url, policy=policy.for_feeds(), etag=feed.etag, last_modified=feed.last_modified)
    except FetchProblem as problem:
        report.status, report.problem = Feed.Status.FAILED, problem.reason
        return "", "", ""
    if page.not_modified:
        report.status = Feed.Status.NOT_MODIFIED
        return "", page.etag, page.last_modified
    try:
        parsed = parse_feed(page.body, url=page.final_url, content_type=page.content_type)
    except FeedProblem as problem:
        report.status, report.problem = Feed.Status.FAILED, str(problem)
        return "", "", ""
    report.status, report.note = Feed.Status.OK, parsed.note
    recorded = feed_actions.feed_entries_record(feed, parsed.items)
    report.known, report.seen_before = recorded.known, recorded.seen_before
    report.refused = [(item.link or item.title or "an item", reason) for item, reason in recorded.refused]
    if feed.source_id is None and recorded.known:
        known = FeedEntry.objects.filter(feed=feed, article__isnull=False).select_related("article__source").first()
        if known is not None:
            feed_actions.feed_adopt_source(feed, known.article.source)
    return parsed.title, page.etag, page.last_modified


def _import_entries(feed: Feed, policy: FetchPolicy, report: PollReport, max_entries: int, attempts: int) -> None:
    """Fetch the pages of the feed's pending items and of those that failed
    before, oldest first, at most ``max_entries``; each on its own."""
    due = FeedEntry.objects.filter(feed=feed, state__in=[FeedEntry.State.PENDING, FeedEntry.State.FAILED])
    entries = list(due.order_by("first_seen_at", "id")[: max_entries + 1])
    if len(entries) > max_entries:
        report.waiting = due.count() - max_entries
        entries = entries[:max_entries]
    for entry in entries:
        try:
            article, outcome = import_article_from_url(
                entry.link, policy=policy, source=feed.source.name if feed.source else ""
            )
        except ImportProblem as problem:
            _failed(entry, str(problem).removeprefix(f"{entry.link}: "), attempts, report)
        except DatabaseError:
            raise  # not this item's fault (a lock, a lost connection): the poll stops
        except Exception as error:
            # A library's error on one page is that item's failure, as in
            # url_imports.import_urls; the reason is named, not a traceback.
            _failed(entry, f"cannot be read ({type(error).__name__}: {error})", attempts, report)
        else:
            feed_actions.feed_entry_imported(entry, article=article)
            if outcome == "created":
                report.imported.append(entry.link)
            elif outcome == "revised":
                report.revised.append(entry.link)
            else:
                report.known += 1  # its text was already an article's
            if feed.source_id is None:
                # Followed without an outlet: its first article's is the feed's.
                feed = feed_actions.feed_adopt_source(feed, article.source)


def _failed(entry: FeedEntry, reason: str, attempts: int, report: PollReport) -> None:
    entry = feed_actions.feed_entry_failed(entry, reason=reason, attempts_allowed=attempts)
    again = entry.state == FeedEntry.State.FAILED
    report.failed.append((entry.link, reason, again))
