"""Inter-annotator agreement for one article, and sums across articles.

Plain values in, plain values out: nothing here touches the ORM, so a caller
(a selector for the team page, a command, a test) turns annotations into
``ReviewerSpan`` values and passes them with the text length, the reviewers who
submitted a review and the label slugs.

The rules, in one place:

**Alpha.** Krippendorff's alpha, nominal, computed by the ``krippendorff``
library. The units are the characters (code points) of the text and every
reviewer codes every character, so a reviewer with no spans still counts: they
coded the whole text "unmarked".

- *Overall alpha*: a character's code is the label of the reviewer's span
  covering it, or "unmarked". Where one reviewer's spans of different labels
  overlap, the shortest span covering the character wins (the most specific
  mark, e.g. a quote inside a fact paragraph); spans of equal length go to the
  label listed first in ``labels``. A combined category ("fact+quote") was
  rejected: it treats "quote inside a fact" and "quote" as total disagreement,
  and four labels can make sixteen categories, where the library's time grows
  with the square of the number of categories. Nothing is lost, because the
  per-label alphas see every span.
- *Per-label alpha*: a character is coded 1 if the reviewer covered it with a
  span of that label (one or several), else 0.
- Alpha is undefined (``value`` None, with the reason in ``warning``) with
  fewer than two reviewers, and when every reviewer gave every character the
  same code: Krippendorff's formula is then 0/0, and calling it perfect
  agreement would praise two reviewers who both marked nothing.

**ReviewerSpan F1** for each pair of reviewers, per label and in total:
``F1 = 2 * matches / (spans of A + spans of B)``.

- *Exact match*: same label, start and end.
- *Overlap match*: same label and at least one character in common, matched
  one-to-one: candidate pairs are taken greedily by the largest overlap
  relative to the pair's extent (characters in both over characters in
  either, so an exact twin always comes first), then by position. Relative,
  not raw characters in common, because raw overlap would pair a sentence
  with a paragraph-long span around it rather than with the other reviewer's
  near-identical sentence. Greedy, not a maximum matching, on purpose: it
  pairs the spans a reader would pair, at the price of sometimes counting
  fewer matches than the most generous pairing could.

**Disagreement split.** Every span of A is compared with B's spans, and every
span of B with A's, and falls in exactly one class, checked in this order:

1. *exact*: the other reviewer has a span with the same label, start and end;
2. *boundary*: otherwise, the other reviewer has an overlapping span with the
   same label (the extent differs);
3. *label*: otherwise, the other reviewer has an overlapping span, all with
   other labels (with the same start and end or not: the label is the
   question to settle first);
4. *unmatched*: the other reviewer has no span overlapping it at all.

So the four classes add up to ``spans_a + spans_b``, and a span counts under
its own label. Unlike overlap F1 this is not one-to-one: when A marks one
sentence and B marks it as two halves, all three spans are boundary
disagreements (the halves are a boundary question), while overlap F1 pairs
only one half.

**Confidence.** Every figure carries ``units`` (characters for alpha, spans
for F1) and ``spans`` (the spans behind it), and a ``warning`` when it rests on
fewer than ``MIN_SPANS`` spans.

**Sums.** ``SpanCounts`` adds up across labels, pairs and articles (``+`` and
the ``span_counts_*`` helpers), and F1 of a sum is the pooled F1: matches over
spans across everything summed. Alpha is not additive and is per article only.
"""

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

import krippendorff
import numpy as np

MIN_SPANS = 10


@dataclass(frozen=True)
class ReviewerSpan:
    """One reviewer's mark: ``[start, end)`` in code points, and a label slug."""

    reviewer: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Figure:
    """An agreement figure and what it rests on.

    ``value`` is None when the figure is undefined; ``warning`` then says why.
    Otherwise ``warning`` is None unless too few spans are behind the value.
    ``units`` counts what the figure is computed over: characters for alpha,
    spans for F1.
    """

    value: float | None
    units: int
    spans: int
    warning: str | None


@dataclass(frozen=True)
class SpanCounts:
    """Two reviewers' spans compared, or a sum of such comparisons.

    ``exact_agreements``, ``boundary_disagreements``, ``label_disagreements``
    and ``unmatched`` count spans (of both reviewers), so they add up to
    ``spans``; ``exact_matches`` and ``overlap_matches`` count matched pairs.
    """

    spans_a: int = 0
    spans_b: int = 0
    exact_matches: int = 0
    overlap_matches: int = 0
    exact_agreements: int = 0
    boundary_disagreements: int = 0
    label_disagreements: int = 0
    unmatched: int = 0

    def __add__(self, other: "SpanCounts") -> "SpanCounts":
        return SpanCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def spans(self) -> int:
        return self.spans_a + self.spans_b

    @property
    def exact_f1(self) -> Figure:
        return self._f1(self.exact_matches)

    @property
    def overlap_f1(self) -> Figure:
        return self._f1(self.overlap_matches)

    def _f1(self, matches: int) -> Figure:
        if not self.spans:
            return Figure(None, 0, 0, "No spans to compare, so F1 is undefined.")
        return Figure(2 * matches / self.spans, self.spans, self.spans, _few_spans_warning(self.spans))


@dataclass(frozen=True)
class PairAgreement:
    """ReviewerSpan agreement of two reviewers on one article; ``reviewer_a`` sorts
    before ``reviewer_b``, so a pair has the same key on every article."""

    reviewer_a: str
    reviewer_b: str
    by_label: Mapping[str, SpanCounts]
    total: SpanCounts


@dataclass(frozen=True)
class ArticleAgreement:
    """Everything about one article: ``alpha`` over all labels,
    ``alpha_by_label`` in the order of ``labels``, and one ``PairAgreement``
    per pair of reviewers, in name order (none with fewer than two)."""

    alpha: Figure
    alpha_by_label: Mapping[str, Figure]
    pairs: tuple[PairAgreement, ...]


def article_agreement(
    *, text_length: int, spans: Sequence[ReviewerSpan], reviewers: Sequence[str], labels: Sequence[str]
) -> ArticleAgreement:
    """Alpha (overall and per label) and every pair's span comparison for one
    article. ``reviewers`` are everyone who submitted a review, including
    anyone who marked nothing; ``labels`` fixes the order of the per-label
    results and breaks ties in the overall coding (see the module docstring).

    Raises ValueError for a span that names an unknown reviewer or label, does
    not fit ``0 <= start < end <= text_length``, or repeats another span (the
    database forbids duplicates, so one means the caller built its input wrong).
    """
    _validate(text_length=text_length, spans=spans, reviewers=reviewers, labels=labels)
    reviewer_index = {name: index for index, name in enumerate(reviewers)}
    label_index = {slug: index for index, slug in enumerate(labels)}
    reviewer_of = np.array([reviewer_index[span.reviewer] for span in spans], dtype=np.int64)
    label_of = np.array([label_index[span.label] for span in spans], dtype=np.int64)
    starts = np.array([span.start for span in spans], dtype=np.int64)
    ends = np.array([span.end for span in spans], dtype=np.int64)

    coverage = _label_coverage(reviewer_of, label_of, starts, ends, len(reviewers), len(labels), text_length)
    spans_per_label = np.bincount(label_of, minlength=len(labels))
    alpha = _overall_alpha(
        _innermost_codes(reviewer_of, label_of, starts, ends, len(reviewers), text_length),
        labels=labels,
        spans=len(spans),
    )
    alpha_by_label = {
        slug: _label_alpha(
            coverage[:, index, :].sum(axis=0),
            reviewer_count=len(reviewers),
            label=slug,
            spans=int(spans_per_label[index]),
        )
        for index, slug in enumerate(labels)
    }

    # Prefix sums of coverage: a span [s, e) of one reviewer overlaps another
    # reviewer's spans of label l exactly when reach[other, l, e] > reach[other, l, s].
    reach = np.zeros((len(reviewers), len(labels), text_length + 1), dtype=np.int32)
    np.cumsum(coverage, axis=2, out=reach[:, :, 1:])
    keys = _span_keys(label_of, starts, ends, text_length)
    by_reviewer: dict[str, _ReviewerSpans] = {}
    for name, index in reviewer_index.items():
        own = reviewer_of == index
        by_reviewer[name] = _ReviewerSpans(index, label_of[own], starts[own], ends[own], keys[own])
    pairs = tuple(
        _compare_pair(a, b, by_reviewer[a], by_reviewer[b], reach=reach, labels=labels)
        for a, b in itertools.combinations(sorted(reviewers), 2)
    )
    return ArticleAgreement(alpha=alpha, alpha_by_label=alpha_by_label, pairs=pairs)


def span_counts_by_pair(agreements: Iterable[ArticleAgreement]) -> dict[tuple[str, str], SpanCounts]:
    """Each reviewer pair's totals summed over the articles they both reviewed."""
    sums: dict[tuple[str, str], SpanCounts] = {}
    for agreement in agreements:
        for pair in agreement.pairs:
            key = (pair.reviewer_a, pair.reviewer_b)
            sums[key] = sums.get(key, SpanCounts()) + pair.total
    return sums


def span_counts_by_label(agreements: Iterable[ArticleAgreement]) -> dict[str, SpanCounts]:
    """Each label's counts summed over every pair of every article."""
    sums: dict[str, SpanCounts] = {}
    for agreement in agreements:
        for pair in agreement.pairs:
            for slug, counts in pair.by_label.items():
                sums[slug] = sums.get(slug, SpanCounts()) + counts
    return sums


def span_counts_total(agreements: Iterable[ArticleAgreement]) -> SpanCounts:
    """Every pair of every article summed; call it once per source (or team,
    or month) with that group's articles for a per-source line."""
    total = SpanCounts()
    for agreement in agreements:
        for pair in agreement.pairs:
            total += pair.total
    return total


def mean_exact_f1(span_sets: Sequence[set]) -> float | None:
    """The mean over pairs of reviewers of their exact-match F1, each
    reviewer's spans given as a set of hashable (label, start, end) keys:
    the per-article agreement figure of the reports, which need no alpha.
    Pairs where neither reviewer marked anything have no F1 and are left
    out; None when no pair has one."""
    pairs = [
        SpanCounts(spans_a=len(a), spans_b=len(b), exact_matches=len(a & b))
        for a, b in itertools.combinations(span_sets, 2)
    ]
    scores = [counts.exact_f1.value for counts in pairs if counts.spans]
    return sum(scores) / len(scores) if scores else None


def covered_characters(extents: Iterable[tuple[int, int]]) -> int:
    """Characters inside the union of ``[start, end)`` extents: overlapping
    spans count each character once."""
    total, reach = 0, -1
    for start, end in sorted(extents):
        if start >= reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


# The disagreement classes by name, in the order they are checked.
CLASS_NAMES = ("exact", "boundary", "label", "unmatched")


def classify_spans(
    mine: Sequence[tuple[str, int, int]], theirs: Sequence[tuple[str, int, int]], *, text_length: int
) -> list[str]:
    """The disagreement class (``CLASS_NAMES``) of each of ``mine`` against
    ``theirs``, both given as (label, start, end), in ``mine``'s order: the
    split of the module docstring, for one side of one comparison (a
    reviewer's spans against the consensus, say)."""
    labels = sorted({label for label, _, _ in (*mine, *theirs)})
    spans = [ReviewerSpan("mine", *span) for span in mine] + [ReviewerSpan("theirs", *span) for span in theirs]
    _validate(text_length=text_length, spans=spans, reviewers=("mine", "theirs"), labels=labels)
    label_index = {slug: index for index, slug in enumerate(labels)}
    reviewer_of = np.array([0] * len(mine) + [1] * len(theirs), dtype=np.int64)
    label_of = np.array([label_index[span.label] for span in spans], dtype=np.int64)
    starts = np.array([span.start for span in spans], dtype=np.int64)
    ends = np.array([span.end for span in spans], dtype=np.int64)
    coverage = _label_coverage(reviewer_of, label_of, starts, ends, 2, len(labels), text_length)
    reach = np.zeros((2, len(labels), text_length + 1), dtype=np.int32)
    np.cumsum(coverage, axis=2, out=reach[:, :, 1:])
    keys = _span_keys(label_of, starts, ends, text_length)
    sides = [
        _ReviewerSpans(index, label_of[side], starts[side], ends[side], keys[side])
        for index, side in enumerate((reviewer_of == 0, reviewer_of == 1))
    ]
    return [CLASS_NAMES[index] for index in _classify(sides[0], sides[1], reach=reach).tolist()]


def _validate(
    *, text_length: int, spans: Sequence[ReviewerSpan], reviewers: Sequence[str], labels: Sequence[str]
) -> None:
    if len(set(reviewers)) != len(reviewers):
        raise ValueError(f"reviewers are listed more than once: {list(reviewers)!r}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels are listed more than once: {list(labels)!r}")
    known_reviewers, known_labels = set(reviewers), set(labels)
    seen: set[ReviewerSpan] = set()
    for span in spans:
        if span.reviewer not in known_reviewers:
            raise ValueError(f"{span!r}: reviewer {span.reviewer!r} is not among the reviewers")
        if span.label not in known_labels:
            raise ValueError(f"{span!r}: label {span.label!r} is not among the labels")
        if any(isinstance(value, bool) or not isinstance(value, int) for value in (span.start, span.end)):
            raise ValueError(f"{span!r}: start and end must be whole numbers")
        if not 0 <= span.start < span.end <= text_length:
            raise ValueError(f"{span!r} does not fit 0 <= start < end <= {text_length}")
        if span in seen:
            raise ValueError(f"{span!r} is listed twice")
        seen.add(span)


def _label_coverage(reviewer_of, label_of, starts, ends, reviewer_count, label_count, text_length) -> np.ndarray:
    """Boolean (reviewer, label, character): is the character inside one of the
    reviewer's spans of that label. One difference array for all of them."""
    width = text_length + 1
    row = (reviewer_of * label_count + label_of) * width
    size = reviewer_count * label_count * width
    steps = np.bincount(row + starts, minlength=size) - np.bincount(row + ends, minlength=size)
    depth = np.cumsum(steps.reshape(reviewer_count, label_count, width), axis=2)
    return depth[:, :, :text_length] > 0


def _innermost_codes(reviewer_of, label_of, starts, ends, reviewer_count, text_length) -> np.ndarray:
    """(reviewer, character) codes for the overall alpha: 0 for unmarked,
    1 + label index for the shortest covering span, ties to the first label."""
    codes = np.zeros((reviewer_count, text_length), dtype=np.int64)
    # Painted longest first and, within a length, last label first, so the
    # span that should win is painted last.
    for index in np.lexsort((-label_of, -(ends - starts))).tolist():
        codes[reviewer_of[index], starts[index] : ends[index]] = label_of[index] + 1
    return codes


def _overall_alpha(codes: np.ndarray, *, labels: Sequence[str], spans: int) -> Figure:
    reviewer_count, text_length = codes.shape
    if reviewer_count < 2 or not text_length:
        return _undefined_alpha(reviewer_count, text_length, spans)
    categories = len(labels) + 1
    cells = codes + categories * np.arange(text_length)
    value_counts = np.bincount(cells.ravel(), minlength=categories * text_length).reshape(text_length, categories)
    used = value_counts.any(axis=0)
    if used.sum() == 1:
        code = int(np.flatnonzero(used)[0])
        if code == 0:
            return _no_variation("Every reviewer left every character unmarked", units=text_length, spans=spans)
        return _no_variation(
            f"Every reviewer marked every character {labels[code - 1]}", units=text_length, spans=spans
        )
    return _alpha_figure(value_counts[:, used], reviewer_count=reviewer_count, spans=spans)


def _label_alpha(covered: np.ndarray, *, reviewer_count: int, label: str, spans: int) -> Figure:
    """``covered``: for each character, how many reviewers marked it ``label``."""
    text_length = len(covered)
    if reviewer_count < 2 or not text_length:
        return _undefined_alpha(reviewer_count, text_length, spans)
    if not covered.any():
        return _no_variation(f"No reviewer marked any {label}", units=text_length, spans=spans)
    if (covered == reviewer_count).all():
        return _no_variation(f"Every reviewer marked every character {label}", units=text_length, spans=spans)
    return _alpha_figure(
        np.column_stack([reviewer_count - covered, covered]), reviewer_count=reviewer_count, spans=spans
    )


def _alpha_figure(value_counts: np.ndarray, *, reviewer_count: int, spans: int) -> Figure:
    """Alpha from a (character, category) matrix of how many reviewers gave
    each character each code; every row sums to ``reviewer_count``."""
    # Speed, not a shortcut: the library builds a category × category matrix
    # per unit, and most characters are ones every reviewer coded alike. Such
    # a character with m codes of c adds m(m-1)/(m-1) = m to the coincidence
    # cell (c, c) and nothing else, so k of them are passed as one unit with
    # km codes of c, which adds km(km-1)/(km-1) = km: the same coincidence
    # matrix, hence the same alpha (tests compare with reliability data).
    unanimous = value_counts.max(axis=1) == reviewer_count
    merged = np.diag(value_counts[unanimous].sum(axis=0))
    units = np.vstack([value_counts[~unanimous], merged[merged.any(axis=1)]])
    value = krippendorff.alpha(value_counts=units, level_of_measurement="nominal")
    return Figure(float(value), len(value_counts), spans, _few_spans_warning(spans))


def _undefined_alpha(reviewer_count: int, text_length: int, spans: int) -> Figure:
    if reviewer_count < 2:
        reason = f"Alpha needs at least two reviewers; this article has {reviewer_count}."
    else:
        reason = "The text is empty, so there are no characters to agree on."
    return Figure(None, text_length, spans, reason)


def _no_variation(reason: str, *, units: int, spans: int) -> Figure:
    return Figure(None, units, spans, f"{reason}, so there is no variation and alpha is undefined.")


def _few_spans_warning(spans: int) -> str | None:
    if spans >= MIN_SPANS:
        return None
    counted = "1 span" if spans == 1 else f"{spans} spans"
    return f"Only {counted} behind this figure; fewer than {MIN_SPANS} is too few to mean much."


@dataclass(frozen=True)
class _ReviewerSpans:
    index: int
    label: np.ndarray
    start: np.ndarray
    end: np.ndarray
    key: np.ndarray


def _span_keys(label_of, starts, ends, text_length) -> np.ndarray:
    """One integer per (label, start, end), for exact-match lookups."""
    width = text_length + 1
    return (label_of * width + starts) * width + ends


_EXACT, _BOUNDARY, _LABEL, _UNMATCHED = range(4)  # disagreement classes, in the order they are checked


def _compare_pair(name_a, name_b, a: _ReviewerSpans, b: _ReviewerSpans, *, reach, labels) -> PairAgreement:
    classes_a = _classify(a, b, reach=reach)
    classes_b = _classify(b, a, reach=reach)
    label_count = len(labels)
    split = np.bincount(a.label * 4 + classes_a, minlength=label_count * 4) + np.bincount(
        b.label * 4 + classes_b, minlength=label_count * 4
    )
    split = split.reshape(label_count, 4)
    spans_a = np.bincount(a.label, minlength=label_count)
    spans_b = np.bincount(b.label, minlength=label_count)
    exact_matches = np.bincount(a.label[classes_a == _EXACT], minlength=label_count)
    by_label = {}
    for index, slug in enumerate(labels):
        in_a, in_b = a.label == index, b.label == index
        by_label[slug] = SpanCounts(
            spans_a=int(spans_a[index]),
            spans_b=int(spans_b[index]),
            exact_matches=int(exact_matches[index]),
            overlap_matches=_overlap_matches(a.start[in_a], a.end[in_a], b.start[in_b], b.end[in_b]),
            exact_agreements=int(split[index, _EXACT]),
            boundary_disagreements=int(split[index, _BOUNDARY]),
            label_disagreements=int(split[index, _LABEL]),
            unmatched=int(split[index, _UNMATCHED]),
        )
    total = SpanCounts()
    for counts in by_label.values():
        total += counts
    return PairAgreement(reviewer_a=name_a, reviewer_b=name_b, by_label=by_label, total=total)


def _classify(mine: _ReviewerSpans, theirs: _ReviewerSpans, *, reach) -> np.ndarray:
    """The disagreement class of each of ``mine``'s spans against ``theirs``."""
    their_reach = reach[theirs.index]
    overlapping = (their_reach[:, mine.end] - their_reach[:, mine.start]) > 0  # (label, span)
    same_label = overlapping[mine.label, np.arange(len(mine.label))]
    other_label = overlapping.sum(axis=0) > same_label
    exact = np.isin(mine.key, theirs.key)
    return np.select([exact, same_label, other_label], [_EXACT, _BOUNDARY, _LABEL], _UNMATCHED)


def _overlap_matches(a_start, a_end, b_start, b_end) -> int:
    """One-to-one overlap matches of two reviewers' spans of one label, taken
    greedily by largest relative overlap (see the module docstring)."""
    if not len(a_start) or not len(b_start):
        return 0
    common = np.minimum(a_end[:, None], b_end[None, :]) - np.maximum(a_start[:, None], b_start[None, :])
    rows, cols = np.nonzero(common > 0)
    # Overlapping spans' union is one stretch, from the first start to the last end.
    either = np.maximum(a_end[rows], b_end[cols]) - np.minimum(a_start[rows], b_start[cols])
    order = np.lexsort((b_start[cols], a_start[rows], -(common[rows, cols] / either)))
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    for row, col in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if row not in taken_a and col not in taken_b:
            taken_a.add(row)
            taken_b.add(col)
    return len(taken_a)
