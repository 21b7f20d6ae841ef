"""Adjudication: the lead's view of every reviewer's spans, the consensus
layer built from them, closing an article as adjudicated, and each
reviewer's feedback against the consensus afterwards.

The rules, in one place:

- **Lanes.** Every reviewer with an assignment on the article, or with
  reviewer-layer spans on it, has a lane; a lane says whether its review is
  submitted.
- **Units.** Spans are grouped by what they claim: label, start and end. A
  unit is *unanimous* when every submitted reviewer (two or more) made it,
  and *disputed* otherwise (someone made it and someone else did not).
- **Consensus.** A consensus span is an annotation of the ``consensus`` layer
  whose ``reviewer`` is the lead who decided it, with the decision's reason
  and (when accepted) the reviewer's span it came from. The consensus holds
  one span per label and position, whoever decided it.
- **Adjudicated.** Closing the article freezes its consensus; a lead can
  reopen it. Reviewers then see their feedback.
- **Feedback.** Each of the reviewer's spans is compared with the consensus
  by the agreement module's classes, in the same order: *exact* (same label,
  start and end), *boundary* (an overlapping consensus span with the same
  label), *label* (overlapping consensus spans, all with other labels),
  *extra* (no consensus span overlaps it). Consensus spans the reviewer has
  no overlapping span of any label for are *missed*.
"""

import itertools
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotate import permissions, services
from annotate.models import Adjudication, Annotation, Article, Assignment, Label

REASON_LIMIT = 10_000


# ---- the lead's view ------------------------------------------------------------


@dataclass(frozen=True)
class Lane:
    reviewer: str
    status: str | None  # the assignment's status; None for spans without one

    @property
    def submitted(self) -> bool:
        return self.status == Assignment.Status.SUBMITTED

    @property
    def status_label(self) -> str:
        return Assignment.Status(self.status).label if self.status else "not assigned"


@dataclass
class Unit:
    """Every span with one label, start and end: which reviewers made it and
    whether the consensus has it."""

    label: Label
    start: int
    end: int
    quote: str
    spans: dict[str, Annotation] = field(default_factory=dict)  # by reviewer
    consensus: Annotation | None = None
    unanimous: bool = False

    @property
    def key(self) -> str:
        return f"{self.label.slug}-{self.start}-{self.end}"

    @property
    def disputed(self) -> bool:
        return bool(self.spans) and not self.unanimous

    @property
    def first_span(self) -> Annotation | None:
        return self.spans[min(self.spans)] if self.spans else None


@dataclass(frozen=True)
class Piece:
    """A run of a lane's text covered by the same spans."""

    text: str
    start: int
    units: tuple[Unit, ...]

    @property
    def innermost(self) -> Unit | None:
        return min(self.units, key=lambda u: (u.end - u.start, u.start)) if self.units else None

    @property
    def disputed(self) -> bool:
        return any(u.disputed for u in self.units)


@dataclass(frozen=True)
class LaneRow:
    name: str
    pieces: tuple[Piece, ...]
    lane: Lane | None = None  # None for the consensus row


@dataclass(frozen=True)
class Segment:
    """A paragraph with spans in it, drawn once per lane."""

    start: int
    end: int
    rows: tuple[LaneRow, ...]
    units: tuple[Unit, ...]

    @property
    def disputed(self) -> bool:
        return any(u.disputed for u in self.units)


@dataclass(frozen=True)
class Curation:
    article: Article
    lanes: tuple[Lane, ...]
    units: tuple[Unit, ...]
    segments: tuple[Segment, ...]
    adjudication: Adjudication | None

    @property
    def submitted(self) -> tuple[Lane, ...]:
        return tuple(lane for lane in self.lanes if lane.submitted)

    @property
    def waiting(self) -> tuple[Lane, ...]:
        return tuple(lane for lane in self.lanes if not lane.submitted)

    @property
    def unanimous_pending(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.unanimous and u.consensus is None)

    @property
    def disputed(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.disputed)

    @property
    def consensus_count(self) -> int:
        return sum(1 for u in self.units if u.consensus is not None)


def curation_for(article: Article) -> Curation:
    """Everything the curation page shows, in three queries: assignments,
    spans of both layers, and the adjudication."""
    statuses = dict(Assignment.objects.filter(article=article).values_list("reviewer__username", "status").order_by())
    spans = list(article.annotations.select_related("label", "reviewer").order_by("start", "end", "label__order", "id"))
    reviewer_spans = [s for s in spans if s.layer == Annotation.Layer.REVIEWER]
    names = sorted(set(statuses) | {s.reviewer.get_username() for s in reviewer_spans})
    lanes = tuple(Lane(name, statuses.get(name)) for name in names)
    units = _units(spans, lanes)
    adjudication = Adjudication.objects.filter(article=article).select_related("closed_by").first()
    return Curation(article, lanes, units, _segments(article.text, lanes, units), adjudication)


def _units(spans: list[Annotation], lanes: tuple[Lane, ...]) -> tuple[Unit, ...]:
    units: dict[tuple[int, int, int], Unit] = {}
    for span in spans:
        key = (span.start, span.end, span.label_id)
        unit = units.get(key)
        if unit is None:
            unit = units[key] = Unit(span.label, span.start, span.end, span.quote)
        if span.layer == Annotation.Layer.CONSENSUS:
            unit.consensus = span
        else:
            unit.spans[span.reviewer.get_username()] = span
    submitted = {lane.reviewer for lane in lanes if lane.submitted}
    for unit in units.values():
        unit.unanimous = len(submitted) >= 2 and submitted <= set(unit.spans)
    return tuple(sorted(units.values(), key=lambda u: (u.start, u.end, u.label.order, u.label.slug)))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each non-blank line of the text."""
    found, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            found.append((start, start + len(line)))
        start += len(line) + 1
    return found


def _segments(text: str, lanes: tuple[Lane, ...], units: tuple[Unit, ...]) -> tuple[Segment, ...]:
    segments, listed = [], set()
    for seg_start, seg_end in paragraphs(text):
        here = tuple(u for u in units if u.start < seg_end and u.end > seg_start)
        if not here:
            continue
        rows = [LaneRow("Consensus", _pieces(text, seg_start, seg_end, [u for u in here if u.consensus]))]
        for lane in lanes:
            mine = [u for u in here if lane.reviewer in u.spans]
            rows.append(LaneRow(lane.reviewer, _pieces(text, seg_start, seg_end, mine), lane))
        # A span across paragraphs is drawn in each, and listed in the first.
        new = tuple(u for u in here if id(u) not in listed)
        listed.update(id(u) for u in new)
        segments.append(Segment(seg_start, seg_end, tuple(rows), new))
    return tuple(segments)


def _pieces(text: str, seg_start: int, seg_end: int, units: list[Unit]) -> tuple[Piece, ...]:
    cuts = {seg_start, seg_end}
    for unit in units:
        cuts.update(c for c in (unit.start, unit.end) if seg_start < c < seg_end)
    ordered = sorted(cuts)
    return tuple(
        Piece(text[a:b], a, tuple(u for u in units if u.start < b and u.end > a))
        for a, b in itertools.pairwise(ordered)
    )


# ---- building the consensus ------------------------------------------------------


def _require_open(user, article: Article) -> None:
    if not permissions.can_curate(user):
        raise PermissionDenied("Only a lead can adjudicate.")
    if permissions.is_adjudicated(article.pk):
        raise ValidationError("This article is adjudicated; reopen it to change the consensus.")


def _clean_reason(reason: str) -> str:
    if not isinstance(reason, str):
        raise ValidationError("The reason must be text.")
    if len(reason) > REASON_LIMIT:
        raise ValidationError(f"The reason is longer than {REASON_LIMIT:,} characters.")
    return reason.strip()


def _consensus_exists(article: Article, label: Label, start: int, end: int) -> bool:
    return Annotation.objects.filter(
        article=article, layer=Annotation.Layer.CONSENSUS, label=label, start=start, end=end
    ).exists()


class ConsensusConflict(ValidationError):
    """The consensus already holds this span (a repeat, or another lead's
    decision that got there first)."""


@transaction.atomic
def consensus_create(
    *,
    article: Article,
    label: Label,
    start: int,
    end: int,
    lead,
    quote: str | None = None,
    reason: str = "",
    note: str = "",
    speaker: str = "",
    evidence_url: str = "",
    based_on: Annotation | None = None,
) -> Annotation:
    """Add a span to the article's consensus layer, decided by ``lead``."""
    _require_open(lead, article)
    reason = _clean_reason(reason)
    if _consensus_exists(article, label, start, end):
        raise ConsensusConflict(f"The consensus already has this span as {label.name}.")
    try:
        with transaction.atomic():
            annotation = services.annotation_create(
                article=article, label=label, start=start, end=end, quote=quote, reviewer=lead,
                note=note, speaker=speaker, evidence_url=evidence_url, layer=Annotation.Layer.CONSENSUS,
                decision_reason=reason, based_on=based_on,
            )  # fmt: skip
    except (IntegrityError, ValidationError) as error:
        # Another lead's identical decision raced past the check above.
        if isinstance(error, ValidationError) and "__all__" not in getattr(error, "message_dict", {}):
            raise
        raise ConsensusConflict(f"The consensus already has this span as {label.name}.") from None
    return annotation


def consensus_accept(span: Annotation, *, lead, reason: str = "") -> Annotation:
    """Accept one reviewer's span into the consensus, with its note, speaker
    and evidence."""
    if span.layer != Annotation.Layer.REVIEWER:
        raise ValidationError("Only a reviewer's span can be accepted into the consensus.")
    return consensus_create(
        article=span.article, label=span.label, start=span.start, end=span.end, quote=span.quote, lead=lead,
        reason=reason, note=span.note, speaker=span.speaker, evidence_url=span.evidence_url, based_on=span,
    )  # fmt: skip


@transaction.atomic
def consensus_accept_unanimous(article: Article, *, lead, reason: str = "") -> list[Annotation]:
    """Accept, in one step, every span that all submitted reviewers (two or
    more) made identically and the consensus does not hold yet."""
    _require_open(lead, article)
    curation = curation_for(article)
    if len(curation.submitted) < 2:
        raise ValidationError("Unanimous spans need two or more submitted reviews; accept spans one by one.")
    reason = _clean_reason(reason) or f"Unanimous: {', '.join(lane.reviewer for lane in curation.submitted)}."
    return [consensus_accept(unit.first_span, lead=lead, reason=reason) for unit in curation.unanimous_pending]


@transaction.atomic
def consensus_change(span: Annotation, *, lead, **changes) -> Annotation:
    """Change a consensus span's label, note, speaker, evidence or reason."""
    if span.layer != Annotation.Layer.CONSENSUS:
        raise ValidationError("This is not a consensus span.")
    _require_open(lead, span.article)
    if "decision_reason" in changes:
        changes["decision_reason"] = _clean_reason(changes["decision_reason"])
    label = changes.get("label")
    if label is not None and label != span.label and _consensus_exists(span.article, label, span.start, span.end):
        raise ConsensusConflict(f"The consensus already has this span as {label.name}.")
    return services.annotation_update(span, **changes)


@transaction.atomic
def consensus_remove(span: Annotation, *, lead) -> None:
    if span.layer != Annotation.Layer.CONSENSUS:
        raise ValidationError("This is not a consensus span.")
    _require_open(lead, span.article)
    services.annotation_delete(span)


# ---- closing ---------------------------------------------------------------------


@transaction.atomic
def adjudication_close(article: Article, *, lead, note: str = "") -> Adjudication:
    if not permissions.can_curate(lead):
        raise PermissionDenied("Only a lead can close an article as adjudicated.")
    # Lock the article so two leads closing at once get one adjudication.
    Article.objects.select_for_update().filter(pk=article.pk).first()
    if Adjudication.objects.filter(article=article).exists():
        raise ValidationError("This article is already adjudicated.")
    adjudication = Adjudication(article=article, closed_by=lead, closed_at=timezone.now(), note=_clean_reason(note))
    adjudication.full_clean()
    adjudication.save()
    return adjudication


@transaction.atomic
def adjudication_reopen(article: Article, *, lead) -> None:
    if not permissions.can_curate(lead):
        raise PermissionDenied("Only a lead can reopen an adjudicated article.")
    adjudication = Adjudication.objects.select_for_update().filter(article=article).first()
    if adjudication is None:
        raise ValidationError("This article is not adjudicated.")
    adjudication.delete()


# ---- the reviewer's feedback -----------------------------------------------------


@dataclass(frozen=True)
class FeedbackItem:
    kind: str  # exact, boundary, label, extra, missed
    span: Annotation  # the reviewer's span; the consensus span for "missed"
    counterparts: tuple[Annotation, ...] = ()  # overlapping consensus spans


FEEDBACK_KINDS = {
    "exact": "Matches the consensus",
    "boundary": "Same label, different extent",
    "label": "Different label",
    "extra": "Not in the consensus",
    "missed": "In the consensus, not marked by you",
}


@dataclass(frozen=True)
class Feedback:
    items: tuple[FeedbackItem, ...]
    adjudication: Adjudication

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        return [(kind, title, self.count(kind)) for kind, title in FEEDBACK_KINDS.items()]

    @property
    def differences(self) -> tuple[FeedbackItem, ...]:
        return tuple(item for item in self.items if item.kind != "exact")


def compare_with_consensus(mine: list[Annotation], consensus: list[Annotation]) -> list[FeedbackItem]:
    """Classify the reviewer's spans against the consensus (see the module's
    docstring), in text order."""
    items = []
    for span in mine:
        overlapping = tuple(c for c in consensus if c.start < span.end and c.end > span.start)
        same_label = tuple(c for c in overlapping if c.label_id == span.label_id)
        if any(c.start == span.start and c.end == span.end for c in same_label):
            kind, counterparts = "exact", ()
        elif same_label:
            kind, counterparts = "boundary", same_label
        elif overlapping:
            kind, counterparts = "label", overlapping
        else:
            kind, counterparts = "extra", ()
        items.append(FeedbackItem(kind, span, counterparts))
    for span in consensus:
        if not any(m.start < span.end and m.end > span.start for m in mine):
            items.append(FeedbackItem("missed", span))
    return sorted(items, key=lambda item: (item.span.start, item.span.end, item.kind))


def feedback_for(article: Article, user) -> Feedback | None:
    """The reviewer's spans against the consensus, once the article is
    adjudicated and the reviewer has submitted it; else None."""
    adjudication = Adjudication.objects.filter(article=article).first()
    if adjudication is None or not permissions.has_submitted(user, article.pk):
        return None
    spans = list(article.annotations.filter(layer=Annotation.Layer.REVIEWER, reviewer=user).select_related("label"))
    consensus = list(article.annotations.filter(layer=Annotation.Layer.CONSENSUS).select_related("label"))
    return Feedback(tuple(compare_with_consensus(spans, consensus)), adjudication)
