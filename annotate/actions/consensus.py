"""Writes to the consensus layer and to adjudication: the lead's decisions
(see ``annotate.read.curation_board`` for the rules they follow).

A consensus span is an annotation of the ``consensus`` layer whose
``reviewer`` is the lead who decided it, with the decision's reason and
(when accepted) the reviewer's span it came from. Closing an article
freezes its consensus; a lead can reopen it."""

import uuid
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotate import permissions
from annotate.actions import annotations
from annotate.models import SPAN_TEXT_LIMITS, Adjudication, Annotation, Article, Assignment, Label
from annotate.rules.consensus import MIN_REVIEWS, is_unanimous

REASON_LIMIT = SPAN_TEXT_LIMITS["decision_reason"]


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
    client_id: uuid.UUID | None = None,
) -> Annotation:
    """Add a span to the article's consensus layer, decided by ``lead``."""
    _require_open(lead, article)
    reason = _clean_reason(reason)
    if _consensus_exists(article, label, start, end):
        raise ConsensusConflict(f"The consensus already has this span as {label.name}.")
    try:
        with transaction.atomic():
            annotation = annotations.annotation_create(
                article=article, label=label, start=start, end=end, quote=quote, reviewer=lead,
                note=note, speaker=speaker, evidence_url=evidence_url, layer=Annotation.Layer.CONSENSUS,
                decision_reason=reason, based_on=based_on, client_id=client_id,
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
    more) made identically and the consensus does not hold yet
    (``rules.consensus.is_unanimous``). Each unit's span is taken from the
    reviewer whose name sorts first, as the curation board shows it."""
    _require_open(lead, article)
    submitted = sorted(
        Assignment.objects.filter(article=article, status=Assignment.Status.SUBMITTED).values_list(
            "reviewer__username", flat=True
        )
    )
    if len(submitted) < MIN_REVIEWS:
        raise ValidationError("Unanimous spans need two or more submitted reviews; accept spans one by one.")
    reason = _clean_reason(reason) or f"Unanimous: {', '.join(submitted)}."
    decided = set(article.annotations.filter(layer=Annotation.Layer.CONSENSUS).values_list("label_id", "start", "end"))
    made_by: dict[tuple, dict[str, int]] = defaultdict(dict)
    rows = article.annotations.filter(layer=Annotation.Layer.REVIEWER, reviewer__username__in=submitted)
    for pk, label_id, start, end, reviewer in rows.values_list("pk", "label_id", "start", "end", "reviewer__username"):
        made_by[(label_id, start, end)][reviewer] = pk
    chosen = [
        spans[min(spans)] for key, spans in made_by.items() if key not in decided and is_unanimous(spans, submitted)
    ]
    spans = Annotation.objects.select_related("article", "label").filter(pk__in=chosen).order_by("start", "end", "id")
    return [consensus_accept(span, lead=lead, reason=reason) for span in spans]


@transaction.atomic
def consensus_change(span: Annotation, *, lead, version: int | None = None, **changes) -> Annotation:
    """Change a consensus span's label, note, speaker, evidence or reason
    (with ``version``, only if no one changed it since; see services)."""
    if span.layer != Annotation.Layer.CONSENSUS:
        raise ValidationError("This is not a consensus span.")
    _require_open(lead, span.article)
    if "decision_reason" in changes:
        changes["decision_reason"] = _clean_reason(changes["decision_reason"])
    label = changes.get("label")
    if label is not None and label != span.label and _consensus_exists(span.article, label, span.start, span.end):
        raise ConsensusConflict(f"The consensus already has this span as {label.name}.")
    return annotations.annotation_update(span, version=version, **changes)


@transaction.atomic
def consensus_remove(span: Annotation, *, lead, version: int | None = None) -> None:
    if span.layer != Annotation.Layer.CONSENSUS:
        raise ValidationError("This is not a consensus span.")
    _require_open(lead, span.article)
    annotations.annotation_delete(span, version=version)


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
