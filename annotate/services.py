"""Writes to annotations. Every path that creates or changes a span (the
workspace, the admin, imports, tests, benches) calls these, so validation
(``full_clean`` → ``offsets.validate_span``) happens in one place."""

from django.db import transaction
from django.utils import timezone

from annotate.models import Annotation, Article, Label


@transaction.atomic
def annotation_create(
    *,
    article: Article,
    label: Label,
    start: int,
    end: int,
    reviewer,
    quote: str | None = None,
    note: str = "",
    speaker: str = "",
    evidence_url: str = "",
    layer: str = Annotation.Layer.REVIEWER,
    decision_reason: str = "",
    based_on: Annotation | None = None,
    created_at=None,
    updated_at=None,
) -> Annotation:
    """Create a span. With ``quote`` None, the quote is taken from the text;
    a given quote must match it. ``created_at``/``updated_at`` restore an
    imported span's times (default: now). Raises ValidationError for bad input."""
    annotation = Annotation(
        article=article,
        label=label,
        start=start,
        end=end,
        quote=article.text[start:end] if quote is None and isinstance(start, int) and isinstance(end, int) else quote,
        note=note,
        speaker=speaker,
        evidence_url=evidence_url,
        reviewer=reviewer,
        layer=layer,
        decision_reason=decision_reason,
        based_on=based_on,
    )
    now = timezone.now()
    annotation.created_at = created_at or now
    annotation.updated_at = updated_at or annotation.created_at
    annotation.full_clean()
    annotation.save()
    return annotation


@transaction.atomic
def annotation_update(annotation: Annotation, **changes) -> Annotation:
    """Change a span's label, note, speaker, evidence URL or (consensus
    spans) the decision's reason."""
    allowed = {"label", "note", "speaker", "evidence_url", "decision_reason"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(annotation, name, value)
    annotation.updated_at = timezone.now()
    annotation.full_clean()
    annotation.save()
    return annotation


@transaction.atomic
def annotation_delete(annotation: Annotation) -> None:
    annotation.delete()
