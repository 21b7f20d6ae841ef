"""ClaimReview export (annotate/io/interop/claimreview.py)."""

import datetime as dt
import json

import pytest

from annotate.actions.consensus import adjudication_close
from annotate.io.exports import AnnotationFilter, annotations_for_export, stream_annotations
from tests.conftest import make_annotation, make_article


def export_reviews(**criteria) -> list[dict]:
    return json.loads(b"".join(stream_annotations(annotations_for_export(AnnotationFilter(**criteria)), "claimreview")))


@pytest.fixture
def judged(db, labels, alice, lena):
    article = make_article(
        "Lukashenko, who admires strongmen, bought drones.", title="Drones", source="Fringe Daily",
        url="https://fringe.example/drones", published="2023-03-05",
    )  # fmt: skip
    claim = "Lukashenko, who admires strongmen"
    make_annotation(article, labels["unsupported_claim"], alice, quote=claim, note="no source given")
    make_annotation(article, labels["unsupported_claim"], lena, quote=claim, layer="consensus", note="no source given")
    make_annotation(article, labels["fact"], lena, quote="bought drones", layer="consensus")
    return article


def test_only_closed_consensus_claims_are_published(judged, lena, settings):
    settings.CLAIMREVIEW_ORGANISATION = "Desk"
    assert export_reviews() == []  # open consensus: not a verdict yet
    adjudication_close(judged, lead=lena)
    (review,) = export_reviews()
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Lukashenko, who admires strongmen"
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "author": {"@type": "Organization", "name": "Fringe Daily"},
        "appearance": {
            "@type": "NewsArticle",
            "headline": "Drones",
            "author": {"@type": "Organization", "name": "Fringe Daily"},
            "url": "https://fringe.example/drones",
            "datePublished": "2023-03-05",
        },
    }
    assert review["author"] == {"@type": "Organization", "name": "Desk"}
    assert review["reviewRating"]["alternateName"] == "Unsupported"
    assert review["reviewBody"] == "no source given"
    assert review["datePublished"] == dt.date.today().isoformat()
    assert "url" not in review


def test_links_back_when_the_site_address_is_set(judged, lena, settings):
    settings.SOURCEMARK_SITE_URL = "https://review.example.org/"
    settings.CLAIMREVIEW_ORGANISATION_URL = "https://desk.example.org"
    adjudication_close(judged, lead=lena)
    (review,) = export_reviews()
    assert review["url"].startswith(f"https://review.example.org/reports/articles/{judged.pk}/#span-")
    assert review["author"]["url"] == "https://desk.example.org"


def test_filters_apply(judged, lena):
    adjudication_close(judged, lead=lena)
    assert export_reviews(source="Fringe Daily") != []
    assert export_reviews(label="fact") == []
