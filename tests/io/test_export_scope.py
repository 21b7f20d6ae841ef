"""What a user's export may hold and what its refusals give away
(annotate/io/exports.py): a reviewer exports only their own spans on the
articles they may open, names they may not see are refused in the words
unknown names are, and a parameter that is no filter is a 400 naming it.
Each case runs through the page's download and the API's."""

import html
import json

import pytest
from rest_framework.test import APIClient

from annotate.models import Assignment
from tests.conftest import assign, make_annotation, make_article

pytestmark = pytest.mark.django_db

PAGE, API = "/export/annotations/", "/api/exports/annotations/"


@pytest.fixture
def desk(labels, alice, bob):
    """alice's span on an article once assigned to her (the assignment is
    gone now), and bob's on an article of another outlet, assigned to bob."""
    once = make_article("Lukashenko met Xi in Beijing.", title="Once hers", source="BelTA")
    assign(once, alice)
    make_annotation(once, labels["fact"], alice, quote="Xi")
    Assignment.objects.filter(article=once, reviewer=alice).delete()
    bobs = make_article("A drill near Brest was announced.", title="Bob's", source="Reuters")
    assign(bobs, bob)
    make_annotation(bobs, labels["fact"], bob, quote="Brest")
    mine = make_article("Minsk and Beijing sign a pact.", title="Mine", source="Xinhua")
    assign(mine, alice)
    make_annotation(mine, labels["opinion"], alice, quote="pact")
    return {"once": once, "bobs": bobs, "mine": mine}


def get(via: str, user, **params):
    if via == "page":
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client.get(PAGE, {"format": "doccano", **params})
    client = APIClient()
    client.force_authenticate(user)
    return client.get(API, {"format": "doccano", **params})


def refusal(response) -> str:
    """What a refusal says: the form's errors on the page (its HTML also
    carries a CSRF token of its own), the body elsewhere."""
    context = getattr(response, "context", None)
    if context is not None and "form" in context:
        return json.dumps(context["form"].errors)
    return body_of(response)


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.mark.parametrize("via", ["page", "api"])
def test_an_article_no_longer_assigned_leaves_the_reviewers_export(via, desk, alice):
    everything = body_of(get(via, alice))
    assert [json.loads(line)["text"] for line in everything.splitlines()] == ["Minsk and Beijing sign a pact."]

    asked = get(via, alice, article=desk["once"].pk)
    assert asked.status_code == 400
    assert "Lukashenko" not in body_of(asked) and "Once hers" not in body_of(asked)


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize(
    ("parameter", "hidden", "missing"),
    [
        ("reviewer", lambda desk: "bob", lambda desk: "nosuchuser"),
        ("article", lambda desk: desk["bobs"].pk, lambda desk: desk["bobs"].pk + 1000),
        ("source", lambda desk: "Reuters", lambda desk: "No Such Outlet"),
    ],
)
def test_a_name_the_reviewer_may_not_see_is_refused_like_one_that_does_not_exist(
    via, desk, alice, parameter, hidden, missing
):
    seen = get(via, alice, **{parameter: hidden(desk)})
    unseen = get(via, alice, **{parameter: missing(desk)})
    assert seen.status_code == unseen.status_code == 400
    strip = str(hidden(desk)), str(missing(desk))
    assert refusal(seen).replace(strip[0], "X") == refusal(unseen).replace(strip[1], "X")


def test_a_lead_exports_every_article_and_still_hears_of_unknown_names(desk, lena):
    lines = body_of(get("api", lena)).splitlines()
    assert sorted(json.loads(line)["text"][:5] for line in lines) == ["A dri", "Lukas", "Minsk"]
    assert get("api", lena, reviewer="nosuchuser").json()["error"] == {
        "message": "unknown reviewer 'nosuchuser'",
        "field": "reviewer",
    }


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_parameter_that_is_no_filter_is_refused_by_name(via, desk, lena):
    response = get(via, lena, label="fact", sourc="Reuters")
    assert response.status_code == 400
    said = html.unescape(body_of(response))
    assert "'sourc'" in said
    assert "source, label, reviewer, article, layer" in said


@pytest.mark.parametrize("via", ["page", "api"])
def test_exports_filter_by_publication_and_creation_dates(via, labels, lena, alice):
    old = make_article("Old news from Minsk.", title="Old", published="2020-01-02")
    new = make_article("New news from Minsk.", title="New", published="2024-05-06")
    make_annotation(old, labels["fact"], alice, quote="Minsk")
    make_annotation(new, labels["fact"], alice, quote="Minsk")
    lines = body_of(get(via, lena, published_from="2024-01-01")).splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["New news from Minsk."]
    assert body_of(get(via, lena, created_to="2000-01-01")).strip() == ""
    assert get(via, lena, published_to="yesterday").status_code == 400
