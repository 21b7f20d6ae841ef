"""annotate/api/filters.py: the lists' filters, the parameters they refuse,
and refusals that say nothing about what the caller may not see."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import assign, make_annotation, make_article

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def outlets(labels, alice, bob):
    cnn = make_article("CNN says the drill was large.", title="CNN piece", source="CNN", published="2024-03-01")
    belta = make_article("BelTA says the drill was small.", title="BelTA piece", source="BelTA", published="2023-03-01")
    assign(cnn, alice)
    assign(belta, bob)
    return {
        "cnn": make_annotation(cnn, labels["unsupported_claim"], alice, quote="the drill was large"),
        "belta": make_annotation(belta, labels["unsupported_claim"], bob, quote="the drill was small"),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_unsupported_claims_by_outlet_are_that_outlets_only(outlets, lena):
    response = api(lena).get("/api/annotations/", {"label": "unsupported_claim", "source": "CNN"})
    assert ids(response) == [outlets["cnn"].pk]


def test_an_unknown_parameter_is_a_400_naming_it_and_the_filters(outlets, lena):
    response = api(lena).get("/api/annotations/", {"label": "unsupported_claim", "outlet": "CNN"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "outlet"
    assert error["message"] == (
        "outlet: 'outlet' is not a filter here; the filters are: article, created_from, created_to, label, "
        "layer, published_from, published_to, reviewer, source"
    )


@pytest.mark.parametrize("path", ["/api/articles/", "/api/assignments/", "/api/sources/", "/api/labels/"])
def test_every_list_refuses_a_parameter_it_does_not_know(outlets, lena, path):
    response = api(lena).get(path, {"colour": "red"})
    assert (response.status_code, response.json()["error"]["field"]) == (400, "colour")


def test_paging_parameters_are_not_filters_and_pass(outlets, lena):
    assert len(ids(api(lena).get("/api/annotations/", {"page": 1, "page_size": 1}))) == 1


def test_spans_filter_by_publication_and_creation_dates(outlets, lena):
    assert ids(api(lena).get("/api/annotations/", {"published_from": "2024-01-01"})) == [outlets["cnn"].pk]
    assert ids(api(lena).get("/api/annotations/", {"published_to": "2023-12-31"})) == [outlets["belta"].pk]
    made = outlets["cnn"].created_at.date().isoformat()
    assert len(ids(api(lena).get("/api/annotations/", {"created_from": made, "created_to": made}))) == 2
    assert ids(api(lena).get("/api/annotations/", {"created_to": "2000-01-01"})) == []


@pytest.mark.parametrize(
    ("path", "parameter", "hidden", "missing"),
    [
        ("/api/annotations/", "reviewer", "bob", "nosuchuser"),
        ("/api/annotations/", "source", "BelTA", "No Such Outlet"),
        ("/api/articles/", "source", "BelTA", "No Such Outlet"),
        ("/api/assignments/", "reviewer", "bob", "nosuchuser"),
    ],
)
def test_a_reviewer_hears_the_same_of_a_hidden_name_as_of_a_missing_one(
    outlets, alice, path, parameter, hidden, missing
):
    seen = api(alice).get(path, {parameter: hidden})
    unseen = api(alice).get(path, {parameter: missing})
    assert seen.status_code == unseen.status_code == 400
    assert seen.json() == unseen.json()


def test_an_article_the_reviewer_may_not_open_filters_to_nothing_like_a_missing_one(outlets, alice):
    hidden = outlets["belta"].article_id
    assert ids(api(alice).get("/api/annotations/", {"article": hidden})) == []
    assert ids(api(alice).get("/api/annotations/", {"article": hidden + 1000})) == []


@pytest.mark.parametrize(
    ("query", "order"),
    [
        # Names all empty cleared the order (a warning, and pages that may overlap).
        ("ordering=,", ["Later", "Same", "Same"]),
        ("ordering=", ["Later", "Same", "Same"]),
        # Ties in the asked-for order are broken by id.
        ("ordering=title", ["Later", "Same", "Same"]),
        ("ordering=-published", ["Later", "Same", "Same"]),
    ],
)
def test_the_article_list_keeps_a_full_order_whatever_is_asked(lena, recwarn, query, order):
    first = make_article("One.", title="Same", published="2023-01-01")
    second = make_article("Two.", title="Same", published="2023-01-01")
    later = make_article("Three.", title="Later", published="2024-01-01")

    response = api(lena).get("/api/articles/?" + query)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["title"] for row in rows] == order
    assert [row["id"] for row in rows if row["title"] == "Same"] == [first.pk, second.pk]
    assert later.pk in [row["id"] for row in rows]
    assert not [w for w in recwarn if "unordered" in str(w.message)]
