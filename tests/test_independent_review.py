"""Independent judgement: a reviewer sees only their own spans until they
submit the article; leads see everyone's and can narrow to one reviewer."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotate.models import Assignment
from tests.conftest import assign, make_annotation
from tests.web.views.test_article_detail import workspace_data_in


@pytest.fixture
def two_reviews(article, labels, alice, bob):
    """alice and bob are assigned the article and have each marked a span."""
    assign(article, alice, bob)
    make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    make_annotation(article, labels["opinion"], bob, quote="Beijing")
    return article


def submit(article, *reviewers):
    Assignment.objects.filter(article=article, reviewer__in=reviewers).update(
        status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
    )


def seen_by(user, article, **params):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("article-detail", args=[article.pk]), params)
    assert response.status_code == 200
    items = workspace_data_in(response.content.decode())["annotations"]
    return sorted((item["reviewer"], item["quote"]) for item in items), response.content.decode()


def test_before_submitting_a_reviewer_sees_only_their_own_spans(two_reviews, bob):
    spans, page = seen_by(bob, two_reviews)
    assert spans == [("bob", "Beijing")]
    assert "You see only your own spans until you submit this article." in page


def test_asking_for_others_before_submitting_changes_nothing(two_reviews, bob):
    spans, _ = seen_by(bob, two_reviews, others="1")
    assert spans == [("bob", "Beijing")]


def test_the_json_list_follows_the_same_rule(two_reviews, bob, client):
    client.force_login(bob)
    response = client.get(reverse("article-annotations", args=[two_reviews.pk]), {"others": "1"})
    assert [item["reviewer"] for item in response.json()["annotations"]] == ["bob"]


def test_after_submitting_a_reviewer_can_switch_the_others_on(two_reviews, bob):
    submit(two_reviews, bob)
    spans, page = seen_by(bob, two_reviews)
    assert spans == [("bob", "Beijing")]
    assert "Show the other reviewers' spans" in page

    spans, page = seen_by(bob, two_reviews, others="1")
    assert spans == [("alice", "Lukashenko"), ("bob", "Beijing")]
    assert "Show only mine" in page


def test_a_lead_sees_everyone_and_can_narrow_to_one_reviewer(two_reviews, lena):
    spans, page = seen_by(lena, two_reviews)
    assert spans == [("alice", "Lukashenko"), ("bob", "Beijing")]
    assert 'id="reviewer-filter"' in page

    spans, _ = seen_by(lena, two_reviews, reviewer="alice")
    assert spans == [("alice", "Lukashenko")]


def test_with_the_setting_off_every_reviewer_sees_every_span(two_reviews, bob, settings):
    settings.INDEPENDENT_REVIEW = False
    spans, page = seen_by(bob, two_reviews)
    assert spans == [("alice", "Lukashenko"), ("bob", "Beijing")]
    assert "until you submit" not in page


def test_a_lead_sees_the_agreement_of_the_submitted_reviews_on_the_article_page(two_reviews, alice, bob, lena):
    from annotate.rules import agreement

    submit(two_reviews, alice, bob)
    expected = agreement.article_agreement(
        text_length=len(two_reviews.text),
        spans=[
            agreement.ReviewerSpan("alice", "fact", *span_of(two_reviews, "Lukashenko")),
            agreement.ReviewerSpan("bob", "opinion", *span_of(two_reviews, "Beijing")),
        ],
        reviewers=("alice", "bob"),
        labels=("fact", "quote", "opinion", "unsupported_claim"),
    )
    _, page = seen_by(lena, two_reviews)
    assert f"Krippendorff's alpha: <strong>{expected.alpha.value:.3f}</strong>" in page
    assert "alice · bob" in page
    assert f"over {len(two_reviews.text)} characters, 2 spans" in page


def test_a_reviewer_does_not_see_the_agreement_panel(two_reviews, alice, bob):
    submit(two_reviews, alice, bob)
    _, page = seen_by(bob, two_reviews)
    assert "Krippendorff" not in page


def span_of(article, phrase):
    start = article.text.index(phrase)
    return start, start + len(phrase)
