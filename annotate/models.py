"""Sourcemark's tables. Invariants that a database can hold are constraints
here; the ones it cannot (a quote matching another table's text) are checked
by ``offsets.validate_span`` from ``Annotation.clean``, which every write path
calls through ``full_clean``."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from simple_history.models import HistoricalRecords

from annotate.rules import domains, json_input, offsets
from annotate.rules import text as text_rules
from annotate.simple_history_manager import HistoryManagerBuiltOnce

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f77b4.")
shortcut_validator = RegexValidator(r"^[A-Z0-9]$", "Use one capital letter or digit.")

WEB_SCHEMES = ("http", "https")
# The largest id either database can hold: a filter asking for more is a
# 400, not an overflow in the driver.
MAX_ID = 2**63 - 1


def web_url_errors(**urls: str) -> dict[str, str]:
    """The URLs (by field name) that are not http(s). URLField already
    refuses javascript: and the like, but also takes ftp://; every link we
    show must open a web page, so a model's clean() refuses the rest.
    (A clean() rather than field validators: no migration for a rule that
    the database does not hold.)"""
    return {
        field: "Use a web address that starts with http:// or https://."
        for field, url in urls.items()
        if url and url.split(":", 1)[0].lower() not in WEB_SCHEMES and _is_url(url)
    }


def _is_url(value: str) -> bool:
    """Whether the field's own URL validator accepts ``value``; when it does
    not, full_clean already says so, and one message is enough."""
    try:
        URLValidator()(value)
    except ValidationError:
        return False
    return True


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


class Label(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True, help_text="Stable name used in exports.")
    colour = models.CharField(max_length=7, validators=[colour_validator], default="#888888")
    shortcut = models.CharField(
        max_length=1,
        unique=True,
        null=True,
        blank=True,
        validators=[shortcut_validator],
        help_text="The key that applies this label in the review workspace.",
    )
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


# A span's free-text fields and the longest each may be, in characters.
# Every path that writes a span (the page, the API, imports, the admin)
# checks against these.
SPAN_TEXT_LIMITS = {"note": 10_000, "speaker": 300, "evidence_url": 2000, "decision_reason": 10_000}
# What a change may set on an existing span; everything else is fixed when
# it is made (a span somewhere else is a new span). decision_reason is the
# consensus layer's only.
SPAN_EDITABLE_FIELDS = ("label", *SPAN_TEXT_LIMITS)
# What names one span: a reviewer marks a stretch of text with a label once
# per layer (annotation_unique_span). Imports find an existing span by it.
SPAN_NATURAL_KEY = ("article", "layer", "reviewer", "label", "start", "end")


def span_text_errors(annotation) -> dict[str, str]:
    """The free-text fields (by name) that no path may store: longer than
    their ``SPAN_TEXT_LIMITS`` where the field has no max_length to say so
    (CharField's own validator does, in the same words), or holding a
    character no database column can hold."""
    errors = {}
    for name, limit in SPAN_TEXT_LIMITS.items():
        value = getattr(annotation, name)
        if not isinstance(value, str):
            continue
        if (reason := json_input.unstorable_reason(value)) is not None:
            errors[name] = f"This field {reason}."
        elif name in _UNBOUNDED_TEXT and len(value) > limit:
            try:
                MaxLengthValidator(limit)(value)
            except ValidationError as error:
                errors[name] = error
    return errors


# The span's TextFields: SPAN_TEXT_LIMITS is their only bound.
_UNBOUNDED_TEXT = ("note", "decision_reason")


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


class AnchorState(models.TextChoices):
    """Where a span stands after its article got a new text (rules/reanchoring)."""

    EXACT = "exact", "Exact"  # made on this text, or found at the same offsets
    MOVED = "moved", "Moved"  # the same words, found elsewhere in the new text
    FUZZY = "fuzzy", "Fuzzy"  # the words were edited: a proposed extent, to confirm
    ORPHANED = "orphaned", "Orphaned"  # not found: kept on its old version's text


class PlacedSpans(models.Manager):
    """Spans placed in their article's current text: every count, page,
    agreement, report and export reads these. An orphan counts nowhere
    until it is re-placed or dismissed; the orphans queue, the admin,
    backups and ``include_orphans`` exports read ``Annotation.all_spans``."""

    def get_queryset(self):
        return super().get_queryset().exclude(anchor_state=AnchorState.ORPHANED)


class EverySpan(models.Manager):
    """Placed spans and orphans alike."""


# The spans that count, as a filter on the span table (the unique
# constraints hold only these) ...
PLACED = ~Q(anchor_state=AnchorState.ORPHANED)
PLACED_STATES = (AnchorState.EXACT, AnchorState.MOVED, AnchorState.FUZZY)


def placed_through(path: str) -> Q:
    """... and for queries that reach spans through a join
    (``Count("annotations", filter=...)``, ``article__annotations__...``),
    where the default manager does not apply: ``path`` is the relation,
    e.g. "annotations" or "article__annotations". Positive, because a
    negated lookup across a many-valued relation becomes a subquery."""
    return Q(**{f"{path}__anchor_state__in": PLACED_STATES})


class Annotation(models.Model):
    class Layer(models.TextChoices):
        REVIEWER = "reviewer", "Reviewer"
        CONSENSUS = "consensus", "Consensus"

    AnchorState = AnchorState

    # Deleting an article removes its spans (the admin lists them first);
    # labels and users in use cannot be deleted, so no span vanishes by accident.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="annotations")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="annotations")
    start = models.PositiveIntegerField(help_text="First code point of the span (inclusive).")
    end = models.PositiveIntegerField(help_text="Code point after the span (exclusive).")
    quote = models.TextField(help_text="Exactly text[start:end].")
    note = models.TextField(blank=True)
    speaker = models.CharField(max_length=300, blank=True, help_text="Who is quoted, for quotes.")
    evidence_url = models.URLField(max_length=2000, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    layer = models.CharField(max_length=16, choices=Layer.choices, default=Layer.REVIEWER)
    # Consensus spans only: the lead's reason for the decision, and the
    # reviewer's span it was accepted from (None when the lead drew it).
    decision_reason = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="accepted_as",
        help_text="The reviewer's span this consensus span was accepted from.",
    )  # fmt: skip
    # Plain defaults rather than auto_now(_add), so an import can restore the
    # original times; services set updated_at on every change.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The browser names each new span with a UUID it made, so a retried
    # request (a lost response, a double click) finds the span it already
    # made instead of making a second one (web/workspace.py).
    # Indexed for the span history's sake (simple_history copies the index):
    # a create looks there to tell "never made" from "made and deleted since".
    client_id = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="The id the reviewer's browser gave the new span.",
    )
    # Counts changes (1 when made; services bump it), so a change made from
    # a stale copy of the span is refused instead of undoing someone's edit.
    version = models.PositiveIntegerField(default=1, editable=False, help_text="1 when made, +1 on every change.")
    # The article version the offsets count in: the current one for every
    # placed span, an earlier one for an orphan (its text is that
    # ArticleVersion's). anchor_state says how the span got there.
    article_version = models.PositiveIntegerField(
        default=1, editable=False, help_text="The article version whose text the offsets count in."
    )
    anchor_state = models.CharField(
        max_length=16, choices=AnchorState.choices, default=AnchorState.EXACT, editable=False
    )
    # Every change and deletion, with who and when (django-simple-history).
    history = HistoricalRecords(history_manager=HistoryManagerBuiltOnce)

    objects = PlacedSpans()
    all_spans = EverySpan()

    class Meta:
        ordering = ["article_id", "start", "end", "id"]
        indexes = [
            models.Index(fields=["article", "start", "end"], name="annotation_article_pos_idx"),
            models.Index(fields=["article", "layer", "reviewer"], name="annotation_article_layer_idx"),
            models.Index(fields=["created_at"], name="annotation_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="annotation_start_before_end"),
            # The quote is the span's text, so its length is the span's length
            # (code points on both PostgreSQL and SQLite).
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")), name="annotation_quote_length_matches"
            ),
            models.CheckConstraint(condition=Q(layer__in=["reviewer", "consensus"]), name="annotation_layer_valid"),
            models.CheckConstraint(
                condition=Q(anchor_state__in=["exact", "moved", "fuzzy", "orphaned"]),
                name="annotation_anchor_state_valid",
            ),
            # An orphan's offsets count in an older text, so it takes no
            # place: a reviewer may mark the same offsets of the new text.
            models.UniqueConstraint(
                fields=list(SPAN_NATURAL_KEY),
                condition=PLACED,
                name="annotation_unique_span",
                violation_error_message="This reviewer already marked this span with this label.",
            ),
            # The consensus is one layer for the whole team: two leads cannot
            # both accept the same span into it.
            models.UniqueConstraint(
                fields=["article", "label", "start", "end"],
                condition=Q(layer="consensus") & PLACED,
                name="annotation_unique_consensus_span",
                violation_error_message="The consensus already has this span with this label.",
            ),
            # Per author, not global: another user's browser reusing a UUID
            # (by accident or on purpose) makes their own span and learns
            # nothing about anyone else's.
            models.UniqueConstraint(
                fields=["reviewer", "client_id"],
                condition=Q(client_id__isnull=False),
                name="annotation_unique_client_id",
                violation_error_message="This reviewer already made a span with this client id.",
            ),
        ]

    def __str__(self):
        return f"{self.label_id}:{self.start}-{self.end}"

    @classmethod
    def from_db(cls, db, field_names, values):
        annotation = super().from_db(db, field_names, values)
        # Where the span was when read, so that clean() can tell a span
        # moved or made from one that stays where it was stored.
        stored = dict(zip(field_names, values, strict=True))
        annotation._stored_position = (stored.get("article_id"), stored.get("start"), stored.get("end"))
        return annotation

    def clean(self, *, restoring: bool = False):
        """Checks the span against its article's text (``offsets.validate_span``).

        A span that splits a character the reader sees as one (half a flag)
        is refused when it is made or moved. One stored before that rule,
        read back and kept where it is (a change of note or label, a
        re-import, a backup being restored: ``restoring``), still passes,
        so old data stays readable and editable.

        The free-text fields are held to ``SPAN_TEXT_LIMITS`` (the note and
        the reason have no max_length of their own) and to what a database
        can store (no NUL, which PostgreSQL refuses, no lone surrogate,
        which UTF-8 cannot encode), so every path refuses them alike
        instead of one of them failing in the driver."""
        if errors := span_text_errors(self) | web_url_errors(evidence_url=self.evidence_url):
            raise ValidationError(errors)
        if self.article_id is None:
            return
        stays = restoring or getattr(self, "_stored_position", None) == (self.article_id, self.start, self.end)
        try:
            offsets.validate_span(self.anchor_text(), self.start, self.end, self.quote, whole_graphemes=not stays)
        except offsets.SpanError as error:
            raise ValidationError({error.field if error.field in ("start", "end", "quote") else "quote": str(error)})

    def natural_key(self) -> tuple:
        """SPAN_NATURAL_KEY's values, by id: (article, layer, reviewer, label, start, end)."""
        return (self.article_id, self.layer, self.reviewer_id, self.label_id, self.start, self.end)

    def context(self) -> tuple[str, str]:
        """(prefix, suffix) around the quote; loads the text it counts in."""
        return offsets.quote_context(self.anchor_text(), self.start, self.end)

    def anchor_text(self) -> str:
        """The text the offsets count in: the article's own, or for an
        orphan the earlier version's it was made on (one query)."""
        if self.anchor_state != AnchorState.ORPHANED:
            return self.article.text
        return ArticleVersion.objects.values_list("text", flat=True).get(
            article_id=self.article_id, number=self.article_version
        )


class Assignment(models.Model):
    """An article given to a reviewer to annotate. Its status moves
    assigned → in progress (first span) → submitted; a lead can reopen it."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(history_manager=HistoryManagerBuiltOnce)

    class Meta:
        ordering = ["status", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "reviewer"], name="assignment_one_per_reviewer"),
            models.CheckConstraint(
                condition=Q(status__in=["assigned", "in_progress", "submitted"]), name="assignment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="submitted", submitted_at__isnull=False) | ~Q(status="submitted"),
                name="assignment_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "status"], name="assignment_reviewer_status_idx")]

    def __str__(self):
        return f"{self.article_id} → {self.reviewer_id} ({self.status})"


class Adjudication(models.Model):
    """A lead closed the article's consensus: it is "adjudicated", its
    consensus layer is read-only and reviewers see their feedback. Deleting
    the row (a lead's "reopen") opens it again; history keeps both."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="adjudication")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, help_text="Why the consensus stands as it is.")
    history = HistoricalRecords(history_manager=HistoryManagerBuiltOnce)

    def __str__(self):
        return f"{self.article_id} adjudicated by {self.closed_by_id}"


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
