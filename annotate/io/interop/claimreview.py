"""schema.org ClaimReview (https://schema.org/ClaimReview) for the claims a
desk has judged unsupported: the consensus layer's "unsupported claim"
spans on adjudicated articles. Only a closed consensus is a published
verdict; reviewers' own spans and open consensus work are not.

Each review names the claim (the quote), where it appeared (the article,
with its outlet as author), who reviewed it (``CLAIMREVIEW_ORGANISATION``),
the rating "Unsupported" and the lead's note as the review body.
"""

import datetime as dt
import json
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet

from annotate.io.interop.rows import ArticleRow, SpanRow, spans_by_article
from annotate.models import Adjudication, Annotation

UNSUPPORTED_LABEL = "unsupported_claim"
RATING = {
    "@type": "Rating",
    "alternateName": "Unsupported",
    "ratingValue": 1,
    "worstRating": 1,
    "bestRating": 5,
    "ratingExplanation": "The article states this as fact without evidence or attribution.",
}


def reviewable(queryset: QuerySet[Annotation]) -> QuerySet[Annotation]:
    """The spans of ``queryset`` that are published verdicts."""
    return queryset.filter(
        layer=Annotation.Layer.CONSENSUS, label__slug=UNSUPPORTED_LABEL, article__adjudication__isnull=False
    )


def claim_review(article: ArticleRow, span: SpanRow, closed_at: dt.datetime) -> dict:
    appearance = {
        "@type": "NewsArticle",
        "headline": article.title,
        "author": {"@type": "Organization", "name": article.source},
    }
    if article.url:
        appearance["url"] = article.url
    if article.published:
        appearance["datePublished"] = article.published.isoformat()
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": span.quote,
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": article.source},
            "appearance": appearance,
        },
        "author": _organisation(),
        "datePublished": closed_at.date().isoformat(),
        "reviewRating": RATING,
        "reviewBody": span.note or span.decision_reason,
        "identifier": f"urn:sourcemark:annotation:{span.pk}",
    }
    site = settings.SOURCEMARK_SITE_URL
    if site:
        review["url"] = f"{site.rstrip('/')}/reports/articles/{article.pk}/#span-{span.pk}"
    return review


def _organisation() -> dict:
    organisation = {"@type": "Organization", "name": settings.CLAIMREVIEW_ORGANISATION}
    if settings.CLAIMREVIEW_ORGANISATION_URL:
        organisation["url"] = settings.CLAIMREVIEW_ORGANISATION_URL
    return organisation


def export_chunks(queryset: QuerySet[Annotation]) -> Iterator[bytes]:
    """A JSON array of ClaimReview objects (valid JSON-LD: each carries its @context)."""
    spans = reviewable(queryset)
    closed = dict(
        Adjudication.objects.filter(article_id__in=spans.values("article_id")).values_list("article_id", "closed_at")
    )
    first = True
    for article, group in spans_by_article(spans):
        items = [json.dumps(claim_review(article, span, closed[article.pk]), ensure_ascii=False) for span in group]
        yield (("[\n" if first else ",\n") + ",\n".join(items)).encode("utf-8")
        first = False
    yield b"[]\n" if first else b"\n]\n"
