"""Agreement across the team, for the leads' team page and its downloads.

The ORM side only: which reviews count and which spans they hold. Every
figure is computed by ``annotate.rules.agreement``; this module groups its results
by reviewer pair, label and source.

A review counts once its assignment is submitted, and only reviewer-layer
spans count (the consensus layer is the leads' own answer, not a review). An
article needs two submitted reviews to say anything about agreement, so
articles with fewer are left out.
"""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.db.models.functions import Length

from annotate.io.spreadsheets import escape_formula
from annotate.models import Annotation, Article, Assignment, Label
from annotate.rules import agreement
from annotate.rules.agreement import ArticleAgreement, SpanCounts

ALL_LABELS = "all"
DOWNLOAD_COLUMNS = (
    "reviewer_a",
    "reviewer_b",
    "label",
    "spans_a",
    "spans_b",
    "exact_f1",
    "overlap_f1",
    "exact",
    "boundary",
    "label_disagreement",
    "unmatched",
    "warning",
)


@dataclass(frozen=True)
class PairSummary:
    """One reviewer pair over every article both submitted: ``total`` and
    ``by_label`` (in label order) are summed ``SpanCounts``."""

    reviewer_a: str
    reviewer_b: str
    articles: int
    total: SpanCounts
    by_label: Mapping[str, SpanCounts]


@dataclass(frozen=True)
class SourceSummary:
    """One source: span counts summed over every pair of its articles, and
    the mean of its articles' overall alphas. ``mean_alpha`` is None when no
    article has a defined alpha; ``alpha_articles`` counts the articles
    behind it and ``alpha_characters`` their characters."""

    source_id: int
    name: str
    articles: int
    counts: SpanCounts
    mean_alpha: float | None
    alpha_articles: int
    alpha_characters: int


@dataclass(frozen=True)
class TeamAgreement:
    """Everything the team page shows; ``articles`` counts the articles with
    at least two submitted reviews, the only ones behind any figure."""

    labels: tuple[str, ...]
    articles: int
    pairs: tuple[PairSummary, ...]
    by_label: Mapping[str, SpanCounts]
    sources: tuple[SourceSummary, ...]


@dataclass(frozen=True)
class _Reviewed:
    """An article with its submitted reviewers, as read from the database."""

    article_id: int
    source_id: int
    source_name: str
    text_length: int
    reviewers: tuple[str, ...]


def article_agreement_for(article: Article) -> ArticleAgreement | None:
    """Agreement among the reviewers who submitted ``article``, over their
    reviewer-layer spans; None when fewer than two have submitted."""
    reviewers = tuple(
        sorted(
            Assignment.objects.filter(article=article, status=Assignment.Status.SUBMITTED).values_list(
                "reviewer__username", flat=True
            )
        )
    )
    if len(reviewers) < 2:
        return None
    spans = _submitted_spans().filter(article=article)
    return agreement.article_agreement(
        text_length=len(article.text),
        spans=[agreement.ReviewerSpan(reviewer, label, start, end) for _, reviewer, label, start, end in spans],
        reviewers=reviewers,
        labels=_label_slugs(),
    )


def team_agreement(*, source: int | None = None) -> TeamAgreement:
    """Agreement over every article with at least two submitted reviews,
    optionally of one source (its id). Three queries however many articles:
    the submitted assignments, the labels and the spans."""
    reviewed = _reviewed_articles(source=source)
    labels = _label_slugs()
    spans_by_article: dict[int, list[agreement.ReviewerSpan]] = defaultdict(list)
    if reviewed:
        spans = _submitted_spans()
        if source is not None:
            spans = spans.filter(article__source_id=source)
        for article_id, reviewer, label, start, end in spans:
            # Articles with one submitted review have spans here too; skipping
            # them is cheaper than sending every article id to the database.
            if article_id in reviewed:
                spans_by_article[article_id].append(agreement.ReviewerSpan(reviewer, label, start, end))
    results = {
        article_id: agreement.article_agreement(
            text_length=item.text_length,
            spans=spans_by_article[article_id],
            reviewers=item.reviewers,
            labels=labels,
        )
        for article_id, item in reviewed.items()
    }
    return TeamAgreement(
        labels=labels,
        articles=len(results),
        pairs=_pair_summaries(results.values(), labels=labels),
        by_label=_by_label(results.values(), labels=labels),
        sources=_source_summaries(reviewed.values(), results),
    )


def agreement_rows(team: TeamAgreement) -> list[dict]:
    """The download's rows: each reviewer pair's total (label "all"), then
    the pair per label. F1 values are None where undefined."""
    rows = []
    for pair in team.pairs:
        for label, counts in ((ALL_LABELS, pair.total), *pair.by_label.items()):
            exact_f1, overlap_f1 = counts.exact_f1, counts.overlap_f1
            rows.append(
                {
                    "reviewer_a": pair.reviewer_a,
                    "reviewer_b": pair.reviewer_b,
                    "label": label,
                    "spans_a": counts.spans_a,
                    "spans_b": counts.spans_b,
                    "exact_f1": exact_f1.value,
                    "overlap_f1": overlap_f1.value,
                    "exact": counts.exact_agreements,
                    "boundary": counts.boundary_disagreements,
                    "label_disagreement": counts.label_disagreements,
                    "unmatched": counts.unmatched,
                    # Both F1s rest on the same spans, so they share a warning.
                    "warning": exact_f1.warning or "",
                }
            )
    return rows


def rows_as_csv(rows: Iterable[Mapping]) -> str:
    """CSV with a header, every cell escaped for spreadsheets; None is empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(DOWNLOAD_COLUMNS)
    for row in rows:
        writer.writerow([escape_formula("" if row[column] is None else row[column]) for column in DOWNLOAD_COLUMNS])
    return out.getvalue()


def rows_as_json(rows: Iterable[Mapping]) -> str:
    return json.dumps([{column: row[column] for column in DOWNLOAD_COLUMNS} for row in rows], ensure_ascii=False)


def _submitted_spans():
    """(article id, username, label slug, start, end) of every reviewer-layer
    span whose author has submitted the article."""
    submitted = Assignment.objects.filter(
        article_id=OuterRef("article_id"), reviewer_id=OuterRef("reviewer_id"), status=Assignment.Status.SUBMITTED
    )
    return (
        Annotation.objects.filter(Exists(submitted), layer=Annotation.Layer.REVIEWER)
        .order_by()
        .values_list("article_id", "reviewer__username", "label__slug", "start", "end")
    )


def _label_slugs() -> tuple[str, ...]:
    return tuple(Label.objects.values_list("slug", flat=True))


def _reviewed_articles(*, source: int | None) -> dict[int, _Reviewed]:
    """Articles with at least two submitted reviews, by id, in one query.
    The text's length comes from the database (code points, as on the model's
    quote constraint), so the texts themselves are never loaded."""
    assignments = Assignment.objects.filter(status=Assignment.Status.SUBMITTED)
    if source is not None:
        assignments = assignments.filter(article__source_id=source)
    rows = assignments.order_by().values_list(
        "article_id", "article__source_id", "article__source__name", "reviewer__username", Length("article__text")
    )
    reviewers: dict[int, list[str]] = defaultdict(list)
    about: dict[int, tuple[int, str, int]] = {}
    for article_id, source_id, source_name, username, text_length in rows:
        reviewers[article_id].append(username)
        about[article_id] = (source_id, source_name, text_length)
    return {
        article_id: _Reviewed(article_id, *about[article_id], reviewers=tuple(sorted(names)))
        for article_id, names in sorted(reviewers.items())
        if len(names) >= 2
    }


def _pair_summaries(results: Iterable[ArticleAgreement], *, labels: Sequence[str]) -> tuple[PairSummary, ...]:
    results = list(results)
    totals = agreement.span_counts_by_pair(results)
    by_label: dict[tuple[str, str], dict[str, SpanCounts]] = {}
    articles: dict[tuple[str, str], int] = defaultdict(int)
    for result in results:
        for pair in result.pairs:
            key = (pair.reviewer_a, pair.reviewer_b)
            articles[key] += 1
            sums = by_label.setdefault(key, {slug: SpanCounts() for slug in labels})
            for slug, counts in pair.by_label.items():
                sums[slug] += counts
    return tuple(
        PairSummary(
            reviewer_a=a, reviewer_b=b, articles=articles[(a, b)], total=totals[(a, b)], by_label=by_label[(a, b)]
        )
        for a, b in sorted(totals)
    )


def _by_label(results: Iterable[ArticleAgreement], *, labels: Sequence[str]) -> dict[str, SpanCounts]:
    sums = agreement.span_counts_by_label(results)
    return {slug: sums.get(slug, SpanCounts()) for slug in labels}


def _source_summaries(
    reviewed: Iterable[_Reviewed], results: Mapping[int, ArticleAgreement]
) -> tuple[SourceSummary, ...]:
    by_source: dict[int, list[_Reviewed]] = defaultdict(list)
    for item in reviewed:
        by_source[item.source_id].append(item)
    summaries = []
    for source_id, items in by_source.items():
        alphas = [(results[item.article_id].alpha, item.text_length) for item in items]
        defined = [(figure.value, length) for figure, length in alphas if figure.value is not None]
        summaries.append(
            SourceSummary(
                source_id=source_id,
                name=items[0].source_name,
                articles=len(items),
                counts=agreement.span_counts_total(results[item.article_id] for item in items),
                mean_alpha=sum(value for value, _ in defined) / len(defined) if defined else None,
                alpha_articles=len(defined),
                alpha_characters=sum(length for _, length in defined),
            )
        )
    return tuple(sorted(summaries, key=lambda summary: (summary.name, summary.source_id)))
