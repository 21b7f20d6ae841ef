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

import bisect
import dataclasses
import itertools
from dataclasses import dataclass, field

from django.utils.html import escape, format_html, format_html_join

from annotate.models import Adjudication, Annotation, Article, Assignment, Label
from annotate.rules.consensus import is_unanimous
from annotate.rules.label_styles import label_class

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


def unit_key(label_slug: str, start: int, end: int) -> str:
    """The unit's name on the curation page (its row's anchor is unit-<key>)."""
    return f"{label_slug}-{start}-{end}"


@dataclass(frozen=True)
class SpanView:
    """A span as the curation page shows it (read straight from the rows)."""

    FIELDS = (
        "pk", "label_id", "start", "end", "quote", "note", "layer", "decision_reason", "reviewer__username", "version",
    )  # fmt: skip

    pk: int
    label: Label
    start: int
    end: int
    quote: str
    note: str
    layer: str
    decision_reason: str
    reviewer: str  # username
    version: int  # sent back with a removal, so another lead's change since is not undone unseen


@dataclass
class Unit:
    """Every span with one label, start and end: which reviewers made it and
    whether the consensus has it."""

    label: Label
    start: int
    end: int
    quote: str
    spans: dict[str, SpanView] = field(default_factory=dict)  # by reviewer
    consensus: SpanView | None = None
    unanimous: bool = False
    cells: list = field(default_factory=list)  # each lane's span or None, in lane order

    @property
    def key(self) -> str:
        return unit_key(self.label.slug, self.start, self.end)

    @property
    def disputed(self) -> bool:
        return bool(self.spans) and not self.unanimous

    @property
    def first_span(self) -> SpanView | None:
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

    @property
    def title(self) -> str:
        return "; ".join(f"{u.label.name}{' (disputed)' if u.disputed else ''}" for u in self.units)


@dataclass(frozen=True)
class LaneRow:
    name: str
    pieces: tuple[Piece, ...]
    lane: Lane | None = None  # None for the consensus row

    @property
    def html(self) -> str:
        """The lane's text with its spans as links to their units. Built here
        rather than in the template: a long review has thousands of pieces,
        and the template language took most of the page's time on them."""
        parts = []
        for piece in self.pieces:
            unit = piece.innermost
            if unit is None:
                parts.append(escape(piece.text))
                continue
            disputed = " disputed" if piece.disputed and self.lane else ""
            parts.append(
                format_html(
                    '<a class="lane-mark {}{}" href="#unit-{}" title="{}">{}</a>',
                    label_class(unit.label.slug),
                    disputed,
                    unit.key,
                    piece.title,
                    piece.text,
                )  # fmt: skip
            )
        return format_html_join("", "{}", ((part,) for part in parts))


@dataclass(frozen=True)
class Paragraph:
    """A paragraph with spans in it. ``drawn`` are the units that touch it
    (drawn in its lanes), ``units`` those listed under it: a span across
    paragraphs is drawn in each and listed in the first. ``rows`` (a lane
    each) are filled in by ``draw`` for the paragraphs on show."""

    start: int
    end: int
    drawn: tuple[Unit, ...]
    units: tuple[Unit, ...]
    rows: tuple[LaneRow, ...] = ()

    @property
    def disputed(self) -> bool:
        return any(u.disputed for u in self.drawn)


@dataclass(frozen=True)
class Curation:
    article: Article
    lanes: tuple[Lane, ...]
    units: tuple[Unit, ...]
    segments: tuple[Paragraph, ...]
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
    def disputed_segments(self) -> tuple[Paragraph, ...]:
        return tuple(s for s in self.segments if s.disputed)

    @property
    def consensus_count(self) -> int:
        return sum(1 for u in self.units if u.consensus is not None)


def curation_for(article: Article) -> Curation:
    """Everything the curation page shows, in four queries: assignments,
    labels, spans of both layers, and the adjudication."""
    statuses = dict(Assignment.objects.filter(article=article).values_list("reviewer__username", "status").order_by())
    labels = {label.pk: label for label in Label.objects.all()}
    # Plain rows, not model instances: a long review has thousands of spans,
    # and building models for them took most of the page's time.
    rows = article.annotations.order_by("start", "end", "id").values_list(*SpanView.FIELDS)
    spans = [SpanView(pk, labels[label_id], *rest) for pk, label_id, *rest in rows]
    reviewer_spans = [s for s in spans if s.layer == Annotation.Layer.REVIEWER]
    names = sorted(set(statuses) | {s.reviewer for s in reviewer_spans})
    lanes = tuple(Lane(name, statuses.get(name)) for name in names)
    units = _units(spans, lanes)
    adjudication = Adjudication.objects.filter(article=article).select_related("closed_by").first()
    return Curation(article, lanes, units, _segments(article.text, units), adjudication)


def _units(spans: list["SpanView"], lanes: tuple[Lane, ...]) -> tuple[Unit, ...]:
    units: dict[tuple[int, int, int], Unit] = {}
    for span in spans:
        key = (span.start, span.end, span.label.pk)
        unit = units.get(key)
        if unit is None:
            unit = units[key] = Unit(span.label, span.start, span.end, span.quote)
        if span.layer == Annotation.Layer.CONSENSUS:
            unit.consensus = span
        else:
            unit.spans[span.reviewer] = span
    submitted = {lane.reviewer for lane in lanes if lane.submitted}
    for unit in units.values():
        unit.unanimous = is_unanimous(unit.spans, submitted)
        unit.cells = [(lane.reviewer, unit.spans.get(lane.reviewer)) for lane in lanes]
    return tuple(sorted(units.values(), key=lambda u: (u.start, u.end, u.label.order, u.label.slug)))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each non-blank line of the text."""
    found, start = [], 0
    for line in text.split("\n"):
        if line.strip():
            found.append((start, start + len(line)))
        start += len(line) + 1
    return found


def _segments(text: str, units: tuple[Unit, ...]) -> tuple[Paragraph, ...]:
    found = paragraphs(text)
    ends = [end for _, end in found]
    drawn: list[list[Unit]] = [[] for _ in found]
    listed: list[list[Unit]] = [[] for _ in found]
    for unit in units:  # in text order, so each paragraph's lists are too
        first = bisect.bisect_right(ends, unit.start)  # the first paragraph ending after the span starts
        index = first
        while index < len(found) and found[index][0] < unit.end:
            drawn[index].append(unit)
            index += 1
        if index > first:
            listed[first].append(unit)
    return tuple(
        Paragraph(start, end, tuple(drawn[i]), tuple(listed[i])) for i, (start, end) in enumerate(found) if drawn[i]
    )


def draw(curation: "Curation", segments) -> list[Paragraph]:
    """The given segments with their lanes' rows: the consensus first, then
    each reviewer's spans, cut into runs covered by the same spans."""
    text, drawn = curation.article.text, []
    for segment in segments:
        here = list(segment.drawn)
        rows = [LaneRow("Consensus", _pieces(text, segment.start, segment.end, [u for u in here if u.consensus]))]
        for lane in curation.lanes:
            mine = [u for u in here if lane.reviewer in u.spans]
            rows.append(LaneRow(lane.reviewer, _pieces(text, segment.start, segment.end, mine), lane))
        drawn.append(dataclasses.replace(segment, rows=tuple(rows)))
    return drawn


def _pieces(text: str, seg_start: int, seg_end: int, units: list[Unit]) -> tuple[Piece, ...]:
    cuts = {seg_start, seg_end}
    for unit in units:
        cuts.update(c for c in (unit.start, unit.end) if seg_start < c < seg_end)
    ordered = sorted(cuts)
    return tuple(
        Piece(text[a:b], a, tuple(u for u in units if u.start < b and u.end > a))
        for a, b in itertools.pairwise(ordered)
    )
