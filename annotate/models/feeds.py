"""The feeds leads follow, and the items each listed."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from annotate.models.articles import Article, Source
from annotate.models.common import web_url_errors
from annotate.rules import domains


class Feed(models.Model):
    """An outlet's RSS or Atom feed that a lead follows: ``manage.py
    poll_feeds`` (and "Poll now" on /feeds/) reads it and imports its new
    items into the unassigned pool (annotate/io/feeds.py)."""

    class Status(models.TextChoices):
        OK = "ok", "Read"
        NOT_MODIFIED = "not_modified", "Not modified"
        FAILED = "failed", "Failed"

    url = models.URLField(max_length=2000, help_text="The feed's address as the lead gave it.")
    # One feed is followed once however its address is written (http or
    # https, www. or not, tracking parameters): rules/domains.comparable_url.
    url_key = models.CharField(max_length=2000, unique=True, editable=False)
    # Empty until the first poll when the lead named none: then the outlet
    # the feed's own site link matches (actions/feeds.feed_record_poll).
    source = models.ForeignKey(Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="feeds")
    title = models.CharField(max_length=500, blank=True, help_text="The feed's own name for itself.")
    active = models.BooleanField(default=True, help_text="Polled by poll_feeds; a paused feed is not.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="feeds_added"
    )
    added_at = models.DateTimeField(default=timezone.now)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    last_outcome = models.TextField(blank=True, help_text="What the last poll found, in words.")
    failures_in_a_row = models.PositiveIntegerField(default=0)
    # The validators of the feed's last answer, sent back as If-None-Match
    # and If-Modified-Since so an unchanged feed costs the outlet a 304.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # Set while a poll runs (a conditional update takes it), so the cron
    # run and a "Poll now" never read the same feed at once.
    poll_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    poll_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["title", "url", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(last_status__in=["", "ok", "not_modified", "failed"]),
                                   name="feed_last_status_valid"),
        ]  # fmt: skip

    def __str__(self):
        return self.title or self.url

    def clean(self):
        if errors := web_url_errors(url=self.url):
            raise ValidationError(errors)
        self.url_key = domains.comparable_url(self.url)


class FeedEntry(models.Model):
    """An item a feed listed, by its link, once per feed: what came of it.

    A row per item rather than counters on the feed, because a feed lists
    its last 10 to 100 items again on every poll: only a row per link says
    which of them were considered already, lets a failed one be retried a
    few times and then given up (``FEED_ENTRY_ATTEMPTS``), and lets the page
    show which items failed and why. Items over a poll's limit wait as
    "pending" rows, so a 304 next time does not lose them."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"  # seen, not tried yet
        FAILED = "failed", "Failed"  # tried, to be tried again
        GAVE_UP = "gave_up", "Given up"  # failed FEED_ENTRY_ATTEMPTS times
        IMPORTED = "imported", "Imported"  # fetched: the article made or found
        KNOWN = "known", "Already known"  # an article had its URL when first seen

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(max_length=2000, help_text="The link as addresses compare (rules/domains.comparable_url).")
    link = models.URLField(max_length=2000, help_text="The item's link, made absolute.")
    title = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    reason = models.TextField(blank=True, help_text="Why the last attempt failed.")
    # Kept when the article goes: the row still says the item was seen.
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_tried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["feed_id", "first_seen_at", "id"]
        indexes = [
            models.Index(fields=["feed", "state"], name="feedentry_feed_state_idx"),
            # Another feed's item with the same link is the same article.
            models.Index(fields=["key"], name="feedentry_key_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["feed", "key"], name="feedentry_once_per_feed"),
            models.CheckConstraint(condition=Q(state__in=["pending", "failed", "gave_up", "imported", "known"]),
                                   name="feedentry_state_valid"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.link} ({self.state})"
