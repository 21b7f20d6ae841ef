"""Reliability reports: per-article and per-source figures from the spans.

The figures are transparent indicators, not a score. How each is computed,
in one place (the reports page repeats it in plain words):

**Which spans count (the basis).** For each article, either the
*consensus* (the article is adjudicated: its consensus is closed) or the
*reviewers'* spans (every reviewer who has submitted the article). With
``layer="auto"`` an adjudicated article uses its consensus and any other
article its submitted reviews; ``"consensus"`` or ``"reviewer"`` forces one.
An article with nothing on the chosen basis is *not reviewed* and adds
nothing to its source's figures except to "articles (total)". Unsubmitted
work never counts.

**With several reviewers** each figure is the mean over them: a reviewer
who marked nothing of a label counts as 0 for it.

- *Spans* of a label: how many.
- *Share of text*: characters inside spans of that label ÷ characters of the
  article; overlapping spans of one label count once, while a passage marked
  with two labels counts under both (so shares can add up to more than 100%).
- *Unsupported claims per 1,000 words*: unsupported-claim spans ÷ words ×
  1,000. Words are runs of letters and digits (``rules.text.count_words``).
- *Quotes with a named speaker*: quote spans whose speaker field is filled ÷
  quote spans.
- *Agreement*: where two or more reviewers submitted, the mean over pairs of
  their exact-match span F1 (same label, start and end): 2 × shared ÷ (A's
  spans + B's spans). The team page has Krippendorff's alpha as well.

**Per source**, counts are sums over the reviewed articles, shares are
weighted by their characters (so a long article weighs more), unsupported
claims per 1,000 words divide the source's total by its total words, and
agreement is the mean over the articles that have it.

All figures for any number of articles come from four queries (labels,
articles with their adjudication, submitted reviews, and the spans' positions
read straight from the cursor); nothing loads an article's text.
"""

import datetime as dt
import hashlib
import itertools
import operator
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import BigIntegerField, Case, Count, Exists, F, IntegerField, Max, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Cast, Length

from annotate.models import Adjudication, Annotation, Article, ArticleVersion, Assignment, Label
from annotate.rules import agreement

LAYERS = {
    "auto": "Consensus where adjudicated, else submitted reviews",
    "consensus": "Consensus only (adjudicated articles)",
    "reviewer": "Submitted reviews only",
}
UNSUPPORTED = "unsupported_claim"
QUOTE = "quote"


class ReportError(ValueError):
    """A filter the report cannot take (a reversed date range, an unknown
    label or layer); the message is for the user."""


@dataclass(frozen=True)
class ReportFilter:
    layer: str = "auto"
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    labels: tuple[str, ...] = ()  # slugs; empty means every label
    source: int | None = None
    article: int | None = None


@dataclass
class LabelFigure:
    spans: float = 0.0
    share: float = 0.0  # of the text's characters, 0..1


class _Rates:
    """The two rates an article and a source compute alike, from their
    ``unsupported``, ``words``, ``reviewed``, ``quotes`` and ``quotes_with_speaker``."""

    @property
    def unsupported_per_1000(self) -> float | None:
        return per_1000(self.unsupported, self.words) if self.reviewed else None

    @property
    def speaker_share(self) -> float | None:
        return self.quotes_with_speaker / self.quotes if self.quotes else None


@dataclass
class ArticleFigures(_Rates):
    article_id: int
    title: str
    source_id: int
    source: str
    published: dt.date | None
    words: int
    characters: int
    basis: str  # "consensus", "reviewers" or "" (not reviewed)
    reviewers: int = 0
    by_label: dict[str, LabelFigure] = field(default_factory=dict)
    quotes: float = 0.0
    quotes_with_speaker: float = 0.0
    agreement: float | None = None
    # How the article changed after it was first imported (ArticleVersion):
    # new texts, how many the outlet said it changed, words deleted and
    # inserted, and the mean share of the text each change touched.
    changes: int = 0
    marked_changes: int = 0
    words_changed: int = 0
    share_changed: float | None = None

    @property
    def reviewed(self) -> bool:
        return bool(self.basis)

    @property
    def unsupported(self) -> float:
        return self.by_label[UNSUPPORTED].spans if UNSUPPORTED in self.by_label else 0.0


@dataclass
class SourceFigures(_Rates):
    source_id: int
    source: str
    articles: int = 0
    reviewed: int = 0
    words: int = 0
    characters: int = 0
    by_label: dict[str, LabelFigure] = field(default_factory=dict)
    unsupported: float = 0.0
    quotes: float = 0.0
    quotes_with_speaker: float = 0.0
    agreements: list[float] = field(default_factory=list)
    bases: set[str] = field(default_factory=set)
    # Of all its articles, reviewed or not: how many changed after first
    # import, their changes, how many of those the outlet marked (a
    # correction or update note), the words they changed, and each changed
    # article's mean share of text touched per change.
    changed_articles: int = 0
    changes: int = 0
    marked_changes: int = 0
    words_changed: int = 0
    change_shares: list[float] = field(default_factory=list)

    @property
    def agreement(self) -> float | None:
        return sum(self.agreements) / len(self.agreements) if self.agreements else None

    @property
    def mean_share_changed(self) -> float | None:
        return sum(self.change_shares) / len(self.change_shares) if self.change_shares else None

    @property
    def marked_share(self) -> float | None:
        """Of the changes, the share the outlet said it made."""
        return self.marked_changes / self.changes if self.changes else None


@dataclass(frozen=True)
class Report:
    criteria: ReportFilter
    labels: tuple[Label, ...]  # the labels shown, in order
    articles: tuple[ArticleFigures, ...]
    sources: tuple[SourceFigures, ...]


def per_1000(count: float, words: int) -> float | None:
    return count * 1000 / words if words else None


# ---- computing ---------------------------------------------------------------------


def build_report(criteria: ReportFilter) -> Report:
    if criteria.layer not in LAYERS:
        raise ReportError(f"unknown layer {criteria.layer!r}; use one of {', '.join(LAYERS)}")
    if criteria.published_from and criteria.published_to and criteria.published_from > criteria.published_to:
        raise ReportError("the start date is after the end date")
    all_labels = list(Label.objects.all())
    by_slug = {label.slug: label for label in all_labels}
    unknown = [slug for slug in criteria.labels if slug not in by_slug]
    if unknown:
        raise ReportError(f"unknown label(s): {', '.join(unknown)}")
    shown = tuple(label for label in all_labels if not criteria.labels or label.slug in criteria.labels)
    slug_of = {label.pk: label.slug for label in all_labels}

    articles = _articles(criteria)
    submitted = defaultdict(set)
    for article_id, reviewer_id in _submitted(criteria):
        submitted[article_id].add(reviewer_id)
    figures = _figures_cached(criteria, articles, submitted, slug_of)
    _add_changes(figures, criteria)
    figures.sort(key=lambda f: (f.source, f.published is None, f.published or dt.date.min, f.title, f.article_id))
    return Report(criteria, shown, tuple(figures), tuple(_sources(figures, slug_of.values())))


# ---- per-article figures, cached by what they are computed from -------------

CACHE_PREFIX = "sourcemark:report:v1"


def _figures_cached(criteria: ReportFilter, articles: list[dict], submitted: dict, slug_of: dict) -> list:
    """Every article's figures, computing only those whose inputs changed.

    An article's figures depend on its spans, its submitted reviewers, its
    adjudication, its length and the labels. The cache key holds all of
    them: the reviewers and adjudication as they are, the spans as a stamp
    (their count and sums over ids, labels, reviewers, layers, offsets and
    speakers, and the latest change), so any create, change or delete of a
    span, by any path, makes a new key and the old entry is never read
    again. One grouped query gives every article's stamp; the spans of the
    stale articles alone are then read."""
    stamps = _stamps(criteria)
    labels = tuple(sorted(slug_of.items()))
    keys = {}
    for row in articles:
        inputs = (
            row["id"], criteria.layer, row["adjudicated"], row["word_count"], row["characters"],
            tuple(sorted(submitted.get(row["id"], ()))), stamps.get(row["id"]), labels,
        )  # fmt: skip
        keys[row["id"]] = f"{CACHE_PREFIX}:{hashlib.sha256(repr(inputs).encode()).hexdigest()}"
    cached = caches[settings.REPORT_CACHE].get_many(list(keys.values()))
    stale = [row["id"] for row in articles if keys[row["id"]] not in cached]
    spans = _spans(criteria, only=stale if len(stale) < len(articles) else None) if stale else {}
    figures, fresh = [], {}
    for row in articles:
        key = keys[row["id"]]
        if key in cached:
            figures.append(_from_cache(row, cached[key]))
            continue
        computed = _article_figures(
            row, spans.get(row["id"], []), submitted.get(row["id"], set()), criteria.layer, slug_of
        )
        fresh[key] = _for_cache(computed)
        figures.append(computed)
    if fresh:
        caches[settings.REPORT_CACHE].set_many(fresh, timeout=settings.REPORT_CACHE_SECONDS)
    return figures


def _stamps(criteria: ReportFilter) -> dict[int, tuple]:
    """article id → (spans, sum of ids, checksum, latest change): any create,
    delete or change of one of its spans changes at least one of them."""
    # One weighted sum over the fields figures read, rather than a sum each:
    # the query scans every span, and each aggregate costs.
    checksum = (
        # 64-bit, so the products cannot overflow PostgreSQL's integers.
        Cast("label_id", BigIntegerField()) * 1_000_003 + Cast("reviewer_id", BigIntegerField()) * 10_007
        + Cast("start", BigIntegerField()) * 31 + F("end")
        + Case(When(speaker="", then=Value(0)), default=Value(7), output_field=IntegerField())
        + Case(When(layer="consensus", then=Value(13)), default=Value(0), output_field=IntegerField())
    )  # fmt: skip
    rows = (
        Annotation.objects.filter(_article_filter(criteria, "article__"))
        .values("article_id")
        .annotate(count=Count("id"), ids=Sum("id"), checksum=Sum(checksum), changed=Max("updated_at"))
        .values_list("article_id", "count", "ids", "checksum", "changed")
        .order_by()
    )
    return {article_id: tuple(stamp) for article_id, *stamp in rows}


def _add_changes(figures: list[ArticleFigures], criteria: ReportFilter) -> None:
    """Each article's changes after first import, in one query (not cached:
    a new version is a new row, and reading them is cheap)."""
    rows = (
        ArticleVersion.objects.filter(_article_filter(criteria, "article__"))
        .annotate(length=Length("text"))
        .values_list("article_id", "words_deleted", "words_inserted", "characters_deleted", "characters_inserted",
                     "change_note_kind", "length")
        .order_by()
    )  # fmt: skip
    shares: dict[int, list[float]] = defaultdict(list)
    by_id = {figure.article_id: figure for figure in figures}
    for article_id, words_deleted, words_inserted, deleted, inserted, note_kind, length in rows:
        figure = by_id.get(article_id)
        if figure is None:
            continue
        figure.changes += 1
        figure.marked_changes += bool(note_kind)
        figure.words_changed += words_deleted + words_inserted
        total = 2 * length - deleted + inserted
        shares[article_id].append((deleted + inserted) / total if total else 0.0)
    for article_id, values in shares.items():
        by_id[article_id].share_changed = sum(values) / len(values)


def _for_cache(figures: ArticleFigures) -> tuple:
    by_label = {slug: (f.spans, f.share) for slug, f in figures.by_label.items()}
    return (figures.basis, figures.reviewers, by_label, figures.quotes, figures.quotes_with_speaker, figures.agreement)


def _from_cache(row: dict, cached: tuple) -> ArticleFigures:
    basis, reviewers, by_label, quotes, with_speaker, agreement = cached
    return ArticleFigures(
        article_id=row["id"], title=row["title"], source_id=row["source_id"], source=row["source__name"],
        published=row["published"], words=row["word_count"], characters=row["characters"], basis=basis,
        reviewers=reviewers, by_label={slug: LabelFigure(*pair) for slug, pair in by_label.items()},
        quotes=quotes, quotes_with_speaker=with_speaker, agreement=agreement,
    )  # fmt: skip


def _article_filter(criteria: ReportFilter, prefix: str = "") -> Q:
    q = Q()
    if criteria.published_from:
        q &= Q(**{f"{prefix}published__gte": criteria.published_from})
    if criteria.published_to:
        q &= Q(**{f"{prefix}published__lte": criteria.published_to})
    if criteria.source:
        q &= Q(**{f"{prefix}source_id": criteria.source})
    if criteria.article:
        q &= Q(**{f"{prefix}pk": criteria.article})
    return q


def _articles(criteria: ReportFilter) -> list[dict]:
    return list(
        Article.objects.filter(_article_filter(criteria))
        .annotate(
            characters=Length("text"),
            adjudicated=Exists(Adjudication.objects.filter(article_id=OuterRef("pk"))),
        )
        .values("id", "title", "source_id", "source__name", "published", "word_count", "characters", "adjudicated")
        .order_by()
    )


def _submitted(criteria: ReportFilter):
    return (
        Assignment.objects.filter(_article_filter(criteria, "article__"), status=Assignment.Status.SUBMITTED)
        .values_list("article_id", "reviewer_id")
        .order_by()
    )


def _spans(criteria: ReportFilter, only: list[int] | None = None) -> dict[int, list[tuple]]:
    """article id → its spans as (article id, layer, reviewer id, label id,
    start, end, has speaker) rows, ordered by layer and reviewer."""
    has_speaker = Case(When(speaker="", then=Value(0)), default=Value(1), output_field=IntegerField())
    spans = Annotation.objects.filter(_article_filter(criteria, "article__"))
    if only is not None:
        spans = spans.filter(article_id__in=only)
    query = (
        spans.annotate(has_speaker=has_speaker)
        .values_list("article_id", "layer", "reviewer_id", "label_id", "start", "end", "has_speaker")
        .order_by()
    )
    # Straight from the cursor: every column is a plain integer or string,
    # and Django's per-value converters were a third of the report's time.
    # (Summing per label in SQL, with a window function for the union, was
    # tried and was three times slower on SQLite.)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Sorted here rather than by the database: an ORDER BY made SQLite walk
    # the (article, layer, reviewer) index and fetch each row apart, which
    # took longer than a plain scan and this sort together.
    rows.sort(key=operator.itemgetter(0, 1, 2))
    return {article_id: list(found) for article_id, found in itertools.groupby(rows, key=operator.itemgetter(0))}


def _basis(layer: str, adjudicated: bool, reviewers: set) -> str:
    if layer in ("auto", "consensus") and adjudicated:
        return "consensus"
    if layer in ("auto", "reviewer") and reviewers:
        return "reviewers"
    return ""


def _article_figures(row: dict, spans: list[tuple], submitted: set, layer: str, slug_of: dict) -> ArticleFigures:
    figures = ArticleFigures(
        article_id=row["id"], title=row["title"], source_id=row["source_id"], source=row["source__name"],
        published=row["published"], words=row["word_count"], characters=row["characters"],
        basis=_basis(layer, row["adjudicated"], submitted),
        by_label={slug: LabelFigure() for slug in slug_of.values()},
    )  # fmt: skip
    consensus = figures.basis == "consensus"
    # Who counts: the consensus (one layer, whoever decided each span) or
    # each submitted reviewer; label id → extents, and quotes with a speaker.
    extents: dict[int, dict[int, list]] = {}
    speakers: dict[int, int] = {}
    keys: dict[int, set] = {reviewer: set() for reviewer in submitted} if len(submitted) >= 2 else {}
    for _, span_layer, reviewer_id, label_id, start, end, has_speaker in spans:
        if span_layer == "consensus":
            if not consensus:
                continue
            author = 0
        else:
            if reviewer_id not in submitted:
                continue  # unsubmitted work never counts
            if keys:
                keys[reviewer_id].add((label_id, start, end))
            if consensus:
                continue
            author = reviewer_id
        mine = extents.get(author)
        if mine is None:
            mine = extents[author] = {}
        found = mine.get(label_id)
        if found is None:
            found = mine[label_id] = []
        found.append((start, end))
        if has_speaker and slug_of[label_id] == QUOTE:
            speakers[author] = speakers.get(author, 0) + 1
    if keys:
        figures.agreement = agreement.mean_exact_f1(list(keys.values()))
    if not figures.basis:
        return figures
    figures.reviewers = len(submitted)
    share = 1 / (1 if consensus else len(submitted))
    characters = figures.characters or 1
    for author, by_label in extents.items():
        figures.quotes_with_speaker += speakers.get(author, 0) * share
        for label_id, found in by_label.items():
            slug = slug_of[label_id]
            figure = figures.by_label[slug]
            figure.spans += len(found) * share
            figure.share += agreement.covered_characters(found) / characters * share
            if slug == QUOTE:
                figures.quotes += len(found) * share
    return figures


def _sources(figures: list[ArticleFigures], slugs) -> list[SourceFigures]:
    sources: dict[int, SourceFigures] = {}
    for article in figures:
        source = sources.get(article.source_id)
        if source is None:
            source = sources[article.source_id] = SourceFigures(
                article.source_id, article.source, by_label={slug: LabelFigure() for slug in slugs}
            )
        source.articles += 1
        if article.changes:
            source.changed_articles += 1
            source.changes += article.changes
            source.marked_changes += article.marked_changes
            source.words_changed += article.words_changed
            source.change_shares.append(article.share_changed)
        if not article.reviewed:
            continue
        source.reviewed += 1
        source.bases.add(article.basis)
        source.words += article.words
        source.characters += article.characters
        for slug, figure in article.by_label.items():
            source.by_label[slug].spans += figure.spans
            source.by_label[slug].share += figure.share * article.characters  # weighted; divided below
        source.unsupported += article.unsupported
        source.quotes += article.quotes
        source.quotes_with_speaker += article.quotes_with_speaker
        if article.agreement is not None:
            source.agreements.append(article.agreement)
    for source in sources.values():
        for figure in source.by_label.values():
            figure.share = figure.share / source.characters if source.characters else 0.0
    return sorted(sources.values(), key=lambda s: s.source.casefold())
