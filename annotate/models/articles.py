"""Outlets, articles, their earlier versions, and URL fetches."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from annotate.models.common import web_url_errors
from annotate.rules import domains, offsets
from annotate.rules import text as text_rules


class Source(models.Model):
    name = models.CharField(max_length=200, unique=True, help_text="The outlet, as its readers know it.")
    homepage = models.URLField(blank=True, help_text="The outlet's home page, if known.")
    domain = models.CharField(max_length=253, blank=True, help_text="e.g. cnn.com; used to match imported URLs.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if errors := web_url_errors(homepage=self.homepage):
            raise ValidationError(errors)


# The longest text an article may have, in characters: far beyond any news
# article (a long feature is 50,000), and bounded so a file cannot make one
# that no page or export could handle. Every import path checks it
# (annotate/io/articles_in.py), and it is the field limit of every CSV read.
ARTICLE_TEXT_LIMIT = 5_000_000


class Article(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=500)
    byline = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True, help_text="Empty when the text does not say.")
    url = models.URLField(max_length=2000, blank=True)
    # The URL as two addresses of one page compare (rules/domains.comparable_url),
    # set on clean(): an article is identified by it when it has a URL.
    url_key = models.CharField(max_length=2000, blank=True, editable=False, db_index=True)
    language = models.CharField(max_length=16, default="en", help_text="BCP 47 tag, e.g. en, de, zh-Hans.")
    text = models.TextField(
        help_text="The newest version's text, normalised at import (NFC, LF line ends); "
        "replaced only by a new version (annotate/actions/article_versions.py)."
    )
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    # Which version ``text`` is (1 when first imported), and when it came:
    # earlier texts are ArticleVersion rows. Every placed span's offsets
    # count in this text.
    text_version = models.PositiveIntegerField(default=1, editable=False, help_text="1, then +1 for each new text.")
    text_recorded_at = models.DateTimeField(
        default=timezone.now, editable=False, help_text="When the current text was imported or fetched."
    )
    # Reports divide by it for every article at once; counting words there
    # would mean loading every text.
    word_count = models.PositiveIntegerField(default=0, editable=False, help_text="Words in the text (set on save).")
    original_filename = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-published", "title", "id"]
        indexes = [
            models.Index(fields=["published"], name="article_published_idx"),
            models.Index(fields=["source", "published"], name="article_source_published_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="article_text_not_empty"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="article_sha256_hex"),
        ]

    def __str__(self):
        return self.title

    @staticmethod
    def count_words(text: str) -> int:
        return text_rules.count_words(text)

    @staticmethod
    def fingerprint(text: str) -> str:
        """SHA-256 of the normalised text: the article's identity across imports."""
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def clean(self):
        if self.text != offsets.normalise_text(self.text):
            raise ValidationError({"text": "Text must be normalised (NFC, LF line ends, no BOM) before saving."})
        if not self.text.strip():
            raise ValidationError({"text": "The article has no text."})
        if errors := web_url_errors(url=self.url):
            raise ValidationError(errors)
        self.url_key = domains.comparable_url(self.url)
        self.sha256 = self.fingerprint(self.text)
        self.word_count = self.count_words(self.text)


class ArticleVersion(models.Model):
    """An earlier text of an article, kept when a new one replaced it, and
    what changed then: the words, whether the outlet said so (a correction
    or update note in the new text), and where the spans went. The current
    text is the article's own; version ``number`` + 1 replaced this one."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text="Which version this text was (1 = as first imported).")
    title = models.CharField(max_length=500)
    text = models.TextField()
    sha256 = models.CharField(max_length=64, editable=False)
    word_count = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField(help_text="When this text was imported or fetched.")
    replaced_at = models.DateTimeField(default=timezone.now, help_text="When the next version replaced it.")
    # The change to the next version (rules/word_diff.summarise_diff).
    words_deleted = models.PositiveIntegerField(default=0)
    words_inserted = models.PositiveIntegerField(default=0)
    characters_deleted = models.PositiveIntegerField(default=0)
    characters_inserted = models.PositiveIntegerField(default=0)
    # rules/change_notes: what the next version says of its change, if anything.
    change_note_kind = models.CharField(max_length=32, blank=True)
    change_note = models.TextField(blank=True, help_text="The outlet's own words about the change, if any.")
    # Where the spans on this text went in the next one (rules/reanchoring).
    spans_exact = models.PositiveIntegerField(default=0)
    spans_moved = models.PositiveIntegerField(default=0)
    spans_fuzzy = models.PositiveIntegerField(default=0)
    spans_orphaned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["article_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articleversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="articleversion_number_positive"),
        ]

    def __str__(self):
        return f"{self.article_id} v{self.number}"

    @property
    def share_changed(self) -> float:
        """The deleted and inserted characters over both texts' characters
        (0 to 1, as rules/word_diff.DiffSummary): the new text's length is
        this one's less what was deleted plus what was inserted."""
        total = 2 * len(self.text) - self.characters_deleted + self.characters_inserted
        return (self.characters_deleted + self.characters_inserted) / total if total else 0.0

    @property
    def marked(self) -> bool:
        """Whether the outlet said that it changed the article."""
        return bool(self.change_note_kind)


class ArticleFetch(models.Model):
    """A URL a lead asked Sourcemark to fetch and import as an article, run
    as a background task (annotate/tasks.py). Its status moves queued →
    fetching → done or failed (annotate/actions/article_fetches.py); the
    outcome says in words what happened, for the page and the API."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        FETCHING = "fetching", "Fetching"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    url = models.URLField(max_length=2000, help_text="The address as the lead gave it.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="article_fetches"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    outcome = models.TextField(blank=True, help_text="What happened, in words: the article made, or why it failed.")
    # Kept when the article goes: the fetch's outcome still says what it made.
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="fetches")
    task_result_id = models.CharField(
        max_length=64, blank=True, help_text="The background task's result id (django-tasks), once queued."
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="articlefetch_requester_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "fetching", "done", "failed"]), name="articlefetch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["done", "failed"], finished_at__isnull=False)
                | Q(status__in=["queued", "fetching"], finished_at__isnull=True),
                name="articlefetch_finished_when_over",
            ),
        ]

    def __str__(self):
        return f"{self.url} ({self.status})"

    @property
    def is_over(self) -> bool:
        """Done or failed: nothing will change it any more."""
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def clean(self):
        if errors := web_url_errors(url=self.url):
            raise ValidationError(errors)
