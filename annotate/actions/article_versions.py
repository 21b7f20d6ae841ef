"""A new text for an article: the one write that replaces an article's
text (``article_new_text``), and the writes that settle where its spans
went (``span_confirm_placement``, ``span_replace``, ``span_dismiss``).

An outlet corrects, softens or rewrites an article after publication; the
desk keeps every text it saw. The replaced text becomes an ArticleVersion
with what changed (words, the outlet's own note about it), and every span
follows the text (rules/reanchoring): exact or moved to where its words
are now, fuzzy where they were lightly edited (a person confirms the new
extent), orphaned where they are gone. An orphan keeps its offsets in the
text it was made on (``Annotation.article_version``), so its quote and
context are still right, and counts nowhere until a lead places or
dismisses it (the orphans queue, ``/orphans/``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from annotate.models import AnchorState, Annotation, Article, ArticleVersion
from annotate.rules.change_notes import new_change_note
from annotate.rules.reanchoring import Placement, SpanAnchor, reanchor_spans
from annotate.rules.word_diff import summarise_diff, word_diff

# What re-anchoring writes on a span (and its history row says why).
_PLACEMENT_FIELDS = ["start", "end", "quote", "article_version", "anchor_state", "version"]
# Article fields a new version may change besides its text.
_METADATA = ("title", "byline", "url", "published", "language", "original_filename")


class VersionProblem(Exception):
    """A new text that cannot be recorded; the message says why."""


@transaction.atomic
def article_new_text(article: Article, values: dict, *, source=None, user=None) -> ArticleVersion:
    """Make ``values["text"]`` (normalised, as ``io.articles_in.prepare_article``
    gives it) the article's current text, with ``values``' other fields as
    its details, and return the ArticleVersion that keeps the old text.

    Every span on the article follows: those on the current text and the
    orphans of earlier ones, which may find their words again. Two spans
    that would land on the same place (the same reviewer, label and layer)
    cannot both be there: the first (by id) takes it, the other is
    orphaned for a lead to look at. A text that another article already
    has is refused (VersionProblem), as an import of it would be."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    new_text = values["text"]
    if new_text == article.text:
        raise VersionProblem("the text is the article's current text")
    duplicate = Article.objects.filter(sha256=Article.fingerprint(new_text)).exclude(pk=article.pk).first()
    if duplicate is not None:
        raise VersionProblem(f"the new text is article {duplicate.pk}'s text")
    old_text, number = article.text, article.text_version
    summary = summarise_diff(word_diff(old_text, new_text))
    note = new_change_note(old_text, new_text)

    spans = list(Annotation.all_spans.select_for_update().filter(article=article).order_by("id"))
    on_this_text = [span for span in spans if span.anchor_state != AnchorState.ORPHANED]
    moved = _apply(spans, _placements(article, spans, new_text), number + 1)
    now = timezone.now()
    # Where the spans of the text being replaced went (orphans of earlier
    # texts found again are counted as moved in the history, not here).
    counts = dict.fromkeys(AnchorState.values, 0)
    for span in on_this_text:
        counts[span.anchor_state] += 1
    version = ArticleVersion.objects.create(
        article=article,
        number=number,
        title=article.title,
        text=old_text,
        sha256=article.sha256,
        word_count=article.word_count,
        recorded_at=article.text_recorded_at,
        replaced_at=now,
        words_deleted=summary.words_deleted,
        words_inserted=summary.words_inserted,
        characters_deleted=summary.characters_deleted,
        characters_inserted=summary.characters_inserted,
        change_note_kind=note.kind if note else "",
        change_note=note.text if note else "",
        spans_exact=counts[AnchorState.EXACT],
        spans_moved=counts[AnchorState.MOVED],
        spans_fuzzy=counts[AnchorState.FUZZY],
        spans_orphaned=counts[AnchorState.ORPHANED],
    )

    article.text = new_text
    article.text_version = number + 1
    article.text_recorded_at = now
    for name in _METADATA:
        if name in values and (values[name] or name not in ("original_filename", "url")):
            setattr(article, name, values[name])
    if source is not None:
        article.source = source
    try:
        article.full_clean(validate_unique=False)
    except ValidationError as error:
        raise VersionProblem("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
    article.save()

    # Orphan first, then place: the unique constraints hold placed spans
    # only, so no span passes through another's old place on the way.
    changed = [span for span in spans if span.pk in moved]
    if changed:
        Annotation.all_spans.filter(pk__in=[span.pk for span in changed]).update(anchor_state=AnchorState.ORPHANED)
        bulk_update_with_history(
            changed,
            Annotation,
            _PLACEMENT_FIELDS,
            batch_size=500,
            default_user=user,
            default_change_reason=f"article version {number + 1}",
            default_date=now,
            manager=Annotation.all_spans,
        )
    return version


def _placements(article: Article, spans: list[Annotation], new_text: str) -> dict[int, Placement]:
    """Each span's placement in ``new_text``, re-anchored from the text its
    offsets count in: the current one, or an orphan's earlier version."""
    by_version: dict[int, list[Annotation]] = {}
    for span in spans:
        by_version.setdefault(span.article_version, []).append(span)
    texts = {article.text_version: article.text}
    older = set(by_version) - set(texts)
    if older:
        texts |= dict(ArticleVersion.objects.filter(article=article, number__in=older).values_list("number", "text"))
    placements = {}
    for number, group in by_version.items():
        found = reanchor_spans(texts[number], new_text, [SpanAnchor(s.start, s.end, s.quote) for s in group])
        placements |= {span.pk: placement for span, placement in zip(group, found, strict=True)}
    return placements


def _apply(spans: list[Annotation], placements: dict[int, Placement], new_number: int) -> set[int]:
    """Set each span's new place (in memory); return the ids of those that
    changed. A placed span that finds nothing becomes an orphan where it
    was; an orphan that finds nothing stays as it is. A fuzzy span not yet
    confirmed stays fuzzy wherever it goes. Places are taken by id, so a
    span that would land where another already did is orphaned."""
    taken: set[tuple] = set()
    changed = set()
    for span in spans:
        placement = placements[span.pk]
        if placement.state == AnchorState.ORPHANED:
            if span.anchor_state != AnchorState.ORPHANED:
                span.anchor_state = AnchorState.ORPHANED
                span.version += 1
                changed.add(span.pk)
            continue
        place = _place_key(span, placement.start, placement.end)
        consensus_place = ("consensus", span.label_id, placement.start, placement.end)
        if place in taken or (span.layer == Annotation.Layer.CONSENSUS and consensus_place in taken):
            if span.anchor_state != AnchorState.ORPHANED:
                span.anchor_state = AnchorState.ORPHANED
                span.version += 1
                changed.add(span.pk)
            continue
        taken.add(place)
        if span.layer == Annotation.Layer.CONSENSUS:
            taken.add(consensus_place)
        state = placement.state
        if span.anchor_state == AnchorState.FUZZY and state != AnchorState.ORPHANED:
            state = AnchorState.FUZZY
        elif span.anchor_state == AnchorState.ORPHANED and state == AnchorState.EXACT:
            state = AnchorState.MOVED  # found again, in a text it was not made on
        span.start, span.end, span.quote = placement.start, placement.end, placement.quote
        span.article_version = new_number
        span.anchor_state = state
        span.version += 1
        changed.add(span.pk)
    return changed


def _place_key(span: Annotation, start: int, end: int) -> tuple:
    # annotation_unique_span's fields; annotation_unique_consensus_span's
    # (the consensus layer's, whoever the lead) are checked beside them.
    return (span.layer, span.reviewer_id, span.label_id, start, end)


# ---- settling where a span went ------------------------------------------------------


@transaction.atomic
def span_confirm_placement(span: Annotation, *, user=None) -> Annotation:
    """A person checked a fuzzy span's new extent: it stands (state moved)."""
    span = Annotation.all_spans.select_for_update().get(pk=span.pk)
    if span.anchor_state != AnchorState.FUZZY:
        raise ValidationError({"anchor_state": "Only a fuzzy placement needs confirming."})
    return _save_place(span, span.start, span.end, user=user, reason="placement confirmed")


@transaction.atomic
def span_replace(span: Annotation, *, start: int, end: int, user=None) -> Annotation:
    """Put an orphaned or fuzzy span at ``[start, end)`` of its article's
    current text (its quote becomes the text there); refused like a new
    span when the extent is not a span of that text or the place is taken."""
    span = Annotation.all_spans.select_for_update().select_related("article").get(pk=span.pk)
    if span.anchor_state not in (AnchorState.FUZZY, AnchorState.ORPHANED):
        raise ValidationError({"anchor_state": "This span is in place; change it in the workspace."})
    return _save_place(span, start, end, user=user, reason="placed by hand")


def _save_place(span: Annotation, start: int, end: int, *, user, reason: str) -> Annotation:
    text = span.article.text
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise ValidationError({"start": f"Give 0 ≤ start < end ≤ {len(text)}."})
    span.start, span.end, span.quote = start, end, text[start:end]
    span.article_version = span.article.text_version
    span.anchor_state = AnchorState.MOVED
    span.version += 1
    span._change_reason = reason
    if user is not None:
        span._history_user = user
    # The new extent is checked as a new span's would be: whole graphemes.
    span._stored_position = None
    span.full_clean()
    span.save()
    return span


@transaction.atomic
def span_reject_placement(span: Annotation, *, user=None) -> Annotation:
    """A person found a fuzzy span's new extent wrong: the span goes back to
    where it was in the text it was on before (its history has it), as an
    orphan for a lead to place or dismiss."""
    span = Annotation.all_spans.select_for_update().get(pk=span.pk)
    if span.anchor_state != AnchorState.FUZZY:
        raise ValidationError({"anchor_state": "Only a fuzzy placement can be turned down."})
    before = (
        Annotation.history.filter(id=span.pk, article_version__lt=span.article_version).order_by("-history_id").first()
    )
    if before is None:
        raise ValidationError({"anchor_state": "The span's history does not say where it was before."})
    span.start, span.end, span.quote = before.start, before.end, before.quote
    span.article_version = before.article_version
    span.anchor_state = AnchorState.ORPHANED
    span.version += 1
    span._change_reason = "fuzzy placement turned down"
    if user is not None:
        span._history_user = user
    span.save()
    return span


@transaction.atomic
def span_dismiss(span: Annotation, *, user=None) -> None:
    """A lead decided an orphaned span has no place in the new text: it is
    deleted (its history keeps it, with who dismissed it)."""
    span = Annotation.all_spans.select_for_update().get(pk=span.pk)
    if span.anchor_state != AnchorState.ORPHANED:
        raise ValidationError({"anchor_state": "Only an orphaned span can be dismissed."})
    span._change_reason = "orphan dismissed"
    if user is not None:
        span._history_user = user
    span.delete()
