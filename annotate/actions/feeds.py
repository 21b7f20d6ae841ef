"""The feeds leads follow, and the items each feed listed: every write.

The /feeds/ page, the admin and the poll (``io/feeds.poll_feed``, run by
``manage.py poll_feeds`` and by the "Poll now" task) write through these.
A poll takes its feed with a conditional update (``feed_poll_start``), so
the cron run and a "Poll now" never read one feed at the same time, and
records what it found by updating only the columns it owns, so a lead who
pauses the feed while it runs is not overwritten.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from annotate.actions.sources import SourceProblem, source_for_article
from annotate.models import Article, Feed, FeedEntry, Source
from annotate.rules.domains import comparable_url
from annotate.rules.text import excerpt
from annotate.rules.web_addresses import queue_time_refusal, url_refusal

# A poll fetches the feed and at most FEED_POLL_MAX_ENTRIES pages, each
# within ARTICLE_FETCH_TIMEOUT; one that has held its feed longer than this
# died without letting go (a killed process), and another may take it.
POLL_HOLD_LIMIT = timedelta(hours=1)
TITLE_LIMIT = Feed._meta.get_field("title").max_length
ENTRY_TITLE_LIMIT = FeedEntry._meta.get_field("title").max_length
VALIDATOR_LIMITS = {"etag": Feed._meta.get_field("etag").max_length,
                    "last_modified": Feed._meta.get_field("last_modified").max_length}  # fmt: skip
# Keys asked for in one query: far under SQLite's variable limit.
KEYS_PER_QUERY = 500


@dataclass(frozen=True)
class SeenItem:
    """An item as the feed lists it: its link, made absolute, and its title."""

    link: str
    title: str = ""


@dataclass
class RecordedItems:
    """What ``feed_entries_record`` made of a poll's items: how many are new
    (pending, to be fetched), how many an article already had the address
    of, how many this feed had listed before, and the items that cannot be
    kept, each with its reason (no usable link)."""

    pending: int = 0
    known: int = 0
    seen_before: int = 0
    refused: list[tuple[SeenItem, str]] = field(default_factory=list)


@transaction.atomic
def feed_follow(*, url: str, added_by, source_name: str = "") -> Feed:
    """Follow the feed at ``url``, under the outlet ``source_name`` (made
    when new) or, when none is named, the outlet its first article is
    matched to. Raises ValidationError (on ``url`` or ``source_name``) for
    an address no fetch may try, or a feed already followed however its
    address is written."""
    url = (url or "").strip()
    refusal = queue_time_refusal(
        url,
        allow_private=settings.ARTICLE_FETCH_ALLOW_PRIVATE,
        private_hosts={host.lower().strip("[]") for host in settings.ARTICLE_FETCH_PRIVATE_HOSTS},
    )
    if refusal:
        raise ValidationError({"url": f"{url}: {refusal}" if url else refusal})
    following = Feed.objects.filter(url_key=comparable_url(url)).first()
    if following is not None:
        raise ValidationError({"url": f"{url}: already followed, as “{following}”"})
    source = None
    if source_name.strip():
        try:
            source = source_for_article(name=source_name)
        except SourceProblem as problem:
            raise ValidationError({"source_name": str(problem)}) from None
    feed = Feed(url=url, source=source, added_by=added_by)
    feed.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            feed.save()
    except IntegrityError:
        # Another lead followed it between the check and the save.
        raise ValidationError({"url": f"{url}: already followed"}) from None
    return feed


def feed_set_active(feed: Feed, *, active: bool) -> Feed:
    """Pause (``active=False``) or resume a feed: poll_feeds polls active feeds only."""
    Feed.objects.filter(pk=feed.pk).update(active=active)
    feed.active = active
    return feed


@transaction.atomic
def feed_unfollow(feed: Feed) -> None:
    """Stop following ``feed``, and forget which items it listed; the
    articles it brought in stay."""
    Feed.objects.filter(pk=feed.pk).delete()


def feed_poll_queued(feed: Feed) -> None:
    """Note that a poll of ``feed`` was asked for, for the page to say so."""
    feed.poll_queued_at = timezone.now()
    Feed.objects.filter(pk=feed.pk).update(poll_queued_at=feed.poll_queued_at)


def feed_poll_start(feed_id: int) -> Feed | None:
    """Take ``feed_id`` for a poll and return it; None when there is no such
    feed or another poll holds it (and has for less than POLL_HOLD_LIMIT)."""
    now = timezone.now()
    free = Q(poll_started_at__isnull=True) | Q(poll_started_at__lt=now - POLL_HOLD_LIMIT)
    if not Feed.objects.filter(free, pk=feed_id).update(poll_started_at=now):
        return None
    return Feed.objects.select_related("source").get(pk=feed_id)


@transaction.atomic
def feed_poll_finish(
    feed: Feed, *, status: str, outcome: str, title: str = "", etag: str = "", last_modified: str = ""
) -> Feed:
    """Record how the poll of ``feed`` ended and let the feed go: ``status``
    (Feed.Status), ``outcome`` in words, the title the feed gave itself,
    and the validators for the next conditional request (kept from before
    when the poll failed). A "Poll now" asked for while it ran still counts
    as queued: its own poll is to come."""
    now = timezone.now()
    values = {"last_polled_at": now, "last_status": status, "last_outcome": outcome, "poll_started_at": None}
    if status == Feed.Status.FAILED:
        values["failures_in_a_row"] = F("failures_in_a_row") + 1
    else:
        values["failures_in_a_row"] = 0
        # A validator too long to keep is not kept: the next poll then asks
        # unconditionally, which is only slower.
        values["etag"] = etag if len(etag) <= VALIDATOR_LIMITS["etag"] else ""
        values["last_modified"] = last_modified if len(last_modified) <= VALIDATOR_LIMITS["last_modified"] else ""
    if title.strip():
        values["title"] = excerpt(" ".join(title.split()), TITLE_LIMIT)
    if not Feed.objects.filter(pk=feed.pk).update(**values):
        return feed  # unfollowed while it was polled: nothing to record
    if feed.poll_started_at is not None:
        Feed.objects.filter(pk=feed.pk, poll_queued_at__lte=feed.poll_started_at).update(poll_queued_at=None)
    feed.refresh_from_db()
    return feed


def feed_adopt_source(feed: Feed, source: Source) -> Feed:
    """The outlet of a feed followed without one: the first it finds (the
    outlet its first article was matched to). A feed that has one keeps it."""
    if feed.source_id is None:
        Feed.objects.filter(pk=feed.pk, source__isnull=True).update(source=source)
        feed.refresh_from_db(fields=["source"])
    return feed


@transaction.atomic
def feed_entries_record(feed: Feed, items: Iterable[SeenItem]) -> RecordedItems:
    """Record the items ``feed`` lists that it had not listed before: as
    "known", with the article, when an article already has the address
    (as addresses compare: ``Article.url_key``) or another feed's item with
    it brought one in; else "pending", to be fetched. An item is kept once
    however often the feed repeats it; one without a usable link is refused
    with the reason, and not kept."""
    recorded = RecordedItems()
    fresh: dict[str, SeenItem] = {}
    for item in items:
        key = comparable_url(item.link)
        refusal = url_refusal(item.link) or ("" if key else "not an http(s) link")
        if not refusal and key not in fresh:
            refusal = _entry_problem(feed, item, key)
        if refusal:
            recorded.refused.append((item, refusal))
        elif key in fresh:
            recorded.seen_before += 1  # listed twice in this very feed
        else:
            fresh[key] = item
    listed_before = set(_in_chunks(FeedEntry.objects.filter(feed=feed), "key", fresh, "key"))
    recorded.seen_before += len(listed_before)
    new = {key: item for key, item in fresh.items() if key not in listed_before}
    articles: dict[str, int] = {}
    for key, article_id in _in_chunks(Article.objects.order_by("id"), "url_key", new, "url_key", "id"):
        articles.setdefault(key, article_id)
    elsewhere = FeedEntry.objects.filter(article__isnull=False).exclude(feed=feed).order_by("id")
    for key, article_id in _in_chunks(elsewhere, "key", new, "key", "article_id"):
        articles.setdefault(key, article_id)
    rows = []
    for key, item in new.items():
        known = key in articles
        rows.append(
            FeedEntry(
                feed=feed, key=key, link=item.link, title=excerpt(" ".join(item.title.split()), ENTRY_TITLE_LIMIT),
                state=FeedEntry.State.KNOWN if known else FeedEntry.State.PENDING, article_id=articles.get(key),
            )
        )  # fmt: skip
        recorded.known += known
    recorded.pending = len(rows) - recorded.known
    # ignore_conflicts: the feed is held by this poll, so a conflict can
    # only be a row a poll that lost its hold (POLL_HOLD_LIMIT) wrote.
    FeedEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return recorded


def _entry_problem(feed: Feed, item: SeenItem, key: str) -> str:
    """Why the item cannot be kept as its model says (a link over 2,000
    characters, one the URL validator refuses), or ""."""
    try:
        FeedEntry(feed=feed, key=key, link=item.link).full_clean(
            exclude=["feed", "article"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return ""


def _in_chunks(queryset, field_name: str, values, *columns) -> Iterator:
    values = list(values)
    for start in range(0, len(values), KEYS_PER_QUERY):
        chunk = values[start : start + KEYS_PER_QUERY]
        query = queryset.filter(**{f"{field_name}__in": chunk})
        yield from query.values_list(*columns, flat=len(columns) == 1)


@transaction.atomic
def feed_entry_imported(entry: FeedEntry, *, article: Article) -> FeedEntry:
    """The item's page was fetched and became (or was found to be) ``article``."""
    return _entry_tried(entry, state=FeedEntry.State.IMPORTED, article=article, reason="")


@transaction.atomic
def feed_entry_failed(entry: FeedEntry, *, reason: str, attempts_allowed: int) -> FeedEntry:
    """The item's page could not be imported, for ``reason``: it is tried
    again on the next poll until it has failed ``attempts_allowed`` times,
    and then given up."""
    state = FeedEntry.State.GAVE_UP if entry.attempts + 1 >= attempts_allowed else FeedEntry.State.FAILED
    return _entry_tried(entry, state=state, article=None, reason=reason)


def _entry_tried(entry: FeedEntry, *, state: str, article: Article | None, reason: str) -> FeedEntry:
    entry.state = state
    entry.article = article
    entry.reason = reason
    entry.attempts += 1
    entry.last_tried_at = timezone.now()
    # The feed and article are the ones at hand; checking that they exist
    # would be two queries an item.
    entry.full_clean(exclude=["feed", "article"], validate_unique=False, validate_constraints=False)
    FeedEntry.objects.filter(pk=entry.pk).update(
        state=state, article=article, reason=reason, attempts=entry.attempts, last_tried_at=entry.last_tried_at
    )
    return entry
