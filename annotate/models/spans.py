"""Labels and spans (annotations), with how a span stands after its article changed."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from simple_history.models import HistoricalRecords

from annotate.models.articles import Article, ArticleVersion
from annotate.models.common import colour_validator, shortcut_validator, web_url_errors
from annotate.rules import json_input, offsets
from annotate.simple_history_manager import HistoryManagerBuiltOnce


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
