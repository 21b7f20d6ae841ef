"""Each reviewer's feedback once an article is adjudicated: their spans
against the consensus, classed as the agreement module classes them.

- *exact*: same label, start and end as a consensus span;
- *boundary*: an overlapping consensus span with the same label;
- *label*: overlapping consensus spans, all with other labels;
- *extra*: no consensus span overlaps it.

Consensus spans the reviewer has no overlapping span of any label for are
*missed*."""

from dataclasses import dataclass

from annotate import permissions
from annotate.models import Adjudication, Annotation, Article
from annotate.rules import agreement

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


def compare_with_consensus(
    mine: list[Annotation], consensus: list[Annotation], *, text_length: int
) -> list[FeedbackItem]:
    """Classify the reviewer's spans against the consensus as the agreement
    module classes one reviewer's spans against another's ("unmatched" is
    "extra" here), and add the consensus spans the reviewer has no
    overlapping span for as "missed"; in text order. Each item carries the
    consensus spans it is measured against, for the page to show."""
    classes = agreement.classify_spans(
        [(str(s.label_id), s.start, s.end) for s in mine],
        [(str(c.label_id), c.start, c.end) for c in consensus],
        text_length=text_length,
    )
    items = []
    for span, kind in zip(mine, classes, strict=True):
        overlapping = tuple(c for c in consensus if c.start < span.end and c.end > span.start)
        if kind == "boundary":
            counterparts = tuple(c for c in overlapping if c.label_id == span.label_id)
        else:
            counterparts = overlapping if kind == "label" else ()
        items.append(FeedbackItem("extra" if kind == "unmatched" else kind, span, counterparts))
    for span in consensus:
        if not any(m.start < span.end and m.end > span.start for m in mine):
            items.append(FeedbackItem("missed", span))
    return sorted(items, key=lambda item: (item.span.start, item.span.end, item.kind))


def feedback_for(article: Article, user, *, submitted: bool | None = None) -> Feedback | None:
    """The reviewer's spans against the consensus, once the article is
    adjudicated and the reviewer has submitted it; else None. Pass
    ``submitted`` when the caller already knows it."""
    if submitted is None:
        submitted = permissions.has_submitted(user, article.pk)
    if not submitted:
        return None
    adjudication = Adjudication.objects.filter(article=article).select_related("closed_by").first()
    if adjudication is None:
        return None
    spans = list(article.annotations.filter(layer=Annotation.Layer.REVIEWER, reviewer=user).select_related("label"))
    consensus = list(article.annotations.filter(layer=Annotation.Layer.CONSENSUS).select_related("label"))
    return Feedback(tuple(compare_with_consensus(spans, consensus, text_length=len(article.text))), adjudication)
