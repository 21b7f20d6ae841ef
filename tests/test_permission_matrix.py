"""Every role against every action, over HTTP: what each may do, and that a
refusal (401/403/404, or a redirect to sign in) changes nothing.

The cast: anonymous; reviewer A (alice, assigned, author of the span);
reviewer B (bob, assigned, has not submitted, so may not see alice's span);
an outsider reviewer (carol, not assigned); the lead (lena); the admin (root).
"""

import csv
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from annotate.models import Adjudication, Annotation, Assignment
from tests.conftest import assign, make_annotation, make_article, make_assignment, make_reviewer

pytestmark = pytest.mark.django_db

OK, CREATED, REDIRECT, BAD_REQUEST, UNAUTHORISED, FORBIDDEN, NOT_FOUND = 200, 201, 302, 400, 401, 403, 404
# A form POST that succeeded answers with a redirect back to its page; a
# refused one from a signed-out visitor redirects to sign in. The test tells
# them apart by the data, not the status.
SIGN_IN = "sign-in"


@pytest.fixture
def scene(alice, bob, lena, root, labels):
    article = make_article("Lukashenko met Xi in Beijing on Tuesday.", title="Minsk and Beijing")
    alices_assignment, _ = assign(article, alice, bob)
    span = make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    # A second article alice has submitted, for the lead to reopen.
    done = make_article("Xi praised the partnership.", title="Partnership")
    submitted = make_assignment(done, alice, status=Assignment.Status.SUBMITTED)
    return {
        "article": article,
        "span": span,
        "assignment": alices_assignment,
        "submitted": submitted,
        "users": {
            "anonymous": AnonymousUser(),
            "reviewer A": alice,
            "reviewer B": bob,
            "outsider": make_reviewer("carol"),
            "lead": lena,
            "admin": root,
        },
    }


def client_for(user) -> Client:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def snapshot():
    """Everything an action could change."""
    return (
        sorted(Annotation.objects.values_list("id", "label_id", "note", "layer", "reviewer_id", "start", "end")),
        sorted(Assignment.objects.values_list("id", "status", "submitted_at")),
        sorted(Adjudication.objects.values_list("article_id", "closed_by_id")),
    )


def as_json(body: dict) -> dict:
    return {"data": json.dumps(body), "content_type": "application/json"}


# Each action: how to perform it, given the client and the scene.
ACTIONS = {
    "view article": lambda c, s: c.get(reverse("article-detail", args=[s["article"].pk])),
    "list spans": lambda c, s: c.get(reverse("article-annotations", args=[s["article"].pk])),
    "create span": lambda c, s: c.post(
        reverse("article-annotations", args=[s["article"].pk]),
        **as_json({"label": "opinion", "start": 15, "end": 17, "quote": "Xi"}),
    ),
    "change A's span": lambda c, s: c.patch(
        reverse("annotation-detail", args=[s["span"].pk]), **as_json({"note": "changed"})
    ),
    "delete A's span": lambda c, s: c.delete(reverse("annotation-detail", args=[s["span"].pk])),
    "span history": lambda c, s: c.get(reverse("annotation-history", args=[s["span"].pk])),
    "span history (API)": lambda c, s: c.get(f"/api/annotations/{s['span'].pk}/history/"),
    "submit A's assignment": lambda c, s: c.post(reverse("assignment-submit", args=[s["assignment"].pk])),
    "reopen A's submitted": lambda c, s: c.post(reverse("assignment-reopen", args=[s["submitted"].pk])),
    "assign page": lambda c, s: c.get(reverse("assign")),
    "curation page": lambda c, s: c.get(reverse("curate", args=[s["article"].pk])),
    "accept into consensus": lambda c, s: c.post(
        reverse("curate-accept", args=[s["article"].pk]), {"span": s["span"].pk}
    ),
    "close adjudication": lambda c, s: c.post(reverse("curate-close", args=[s["article"].pk])),
    "create consensus span": lambda c, s: c.post(
        reverse("article-annotations", args=[s["article"].pk]),
        **as_json({"label": "fact", "start": 15, "end": 17, "quote": "Xi", "layer": "consensus"}),
    ),
    "export A's spans": lambda c, s: c.get(reverse("export-annotations"), {"format": "csv", "reviewer": "alice"}),
    "export own spans": lambda c, s: c.get(reverse("export-annotations"), {"format": "csv"}),
    "team page": lambda c, s: c.get(reverse("team")),
}

ROLES = ["anonymous", "reviewer A", "reviewer B", "outsider", "lead", "admin"]

# What each role gets. A changed state is expected exactly where the answer
# is a success that writes (2xx on a write, or a form's redirect back).
EXPECTED = {
    #                           anonymous     reviewer A  reviewer B  outsider   lead       admin
    "view article":           (SIGN_IN,      OK,         OK,         NOT_FOUND, OK,        OK),
    "list spans":             (UNAUTHORISED, OK,         OK,         NOT_FOUND, OK,        OK),
    "create span":            (UNAUTHORISED, CREATED,    CREATED,    NOT_FOUND, CREATED,   CREATED),
    "change A's span":        (UNAUTHORISED, OK,         NOT_FOUND,  NOT_FOUND, FORBIDDEN, FORBIDDEN),
    "delete A's span":        (UNAUTHORISED, OK,         NOT_FOUND,  NOT_FOUND, FORBIDDEN, FORBIDDEN),
    "span history":           (UNAUTHORISED, FORBIDDEN,  NOT_FOUND,  NOT_FOUND, OK,        OK),
    "span history (API)":     (UNAUTHORISED, FORBIDDEN,  NOT_FOUND,  NOT_FOUND, OK,        OK),
    "submit A's assignment":  (SIGN_IN,      REDIRECT,   NOT_FOUND,  NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "reopen A's submitted":   (SIGN_IN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN, REDIRECT,  REDIRECT),
    "assign page":            (SIGN_IN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN, OK,        OK),
    "curation page":          (SIGN_IN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN, OK,        OK),
    "accept into consensus":  (SIGN_IN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN, REDIRECT,  REDIRECT),
    "close adjudication":     (SIGN_IN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN, REDIRECT,  REDIRECT),
    "create consensus span":  (UNAUTHORISED, FORBIDDEN,  FORBIDDEN,  NOT_FOUND, CREATED,   CREATED),
    # Asking for a colleague's name is refused as a name that does not exist.
    "export A's spans":       (SIGN_IN,      OK,         BAD_REQUEST, BAD_REQUEST, OK,      OK),
    "export own spans":       (SIGN_IN,      OK,         OK,         OK,        OK,        OK),
    "team page":              (SIGN_IN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN, OK,        OK),
}  # fmt: skip

WRITES = {
    "create span", "change A's span", "delete A's span", "submit A's assignment", "reopen A's submitted",
    "accept into consensus", "close adjudication", "create consensus span",
}  # fmt: skip

CASES = [
    pytest.param(action, role, expected, id=f"{action}-{role}")
    for action, answers in EXPECTED.items()
    for role, expected in zip(ROLES, answers, strict=True)
]


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_role_against_action(scene, action, role, expected):
    before = snapshot()

    response = ACTIONS[action](client_for(scene["users"][role]), scene)

    if expected == SIGN_IN:
        assert response.status_code == REDIRECT
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, getattr(response, "content", b"")[:300]
    if expected == REDIRECT:
        assert not response["Location"].startswith(reverse("login"))
    succeeded = expected in (OK, CREATED, REDIRECT)
    if action in WRITES and succeeded:
        assert snapshot() != before, "a permitted write changed nothing"
    else:
        assert snapshot() == before, "a refused or read-only request changed something"


def test_the_matrix_covers_every_action_for_every_role():
    assert set(EXPECTED) == set(ACTIONS)
    assert set(ACTIONS) >= WRITES


def test_the_own_export_of_a_reviewer_holds_only_their_spans(scene, labels, bob):
    make_annotation(scene["article"], labels["opinion"], bob, quote="Beijing")
    body = client_for(bob).get(reverse("export-annotations"), {"format": "csv"}).getvalue().decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(row["reviewer"], row["quote"]) for row in rows] == [("bob", "Beijing")]


def test_after_adjudication_nobody_changes_the_consensus_until_reopened(scene, lena, root):
    lead = client_for(lena)
    lead.post(reverse("curate-accept", args=[scene["article"].pk]), {"span": scene["span"].pk})
    lead.post(reverse("curate-close", args=[scene["article"].pk]))
    consensus = Annotation.objects.get(layer=Annotation.Layer.CONSENSUS)
    before = snapshot()

    for user in (lena, root):
        client = client_for(user)
        assert (
            client.patch(reverse("annotation-detail", args=[consensus.pk]), **as_json({"note": "x"})).status_code == 403
        )
        assert client.delete(reverse("annotation-detail", args=[consensus.pk])).status_code == 403
        response = ACTIONS["create consensus span"](client, scene)
        assert response.status_code == 403
    assert snapshot() == before


# Every page only leads may use (permissions.lead_required), by method and
# address. The lead's answer is the page (200) or a form's redirect back.
LEAD_PAGES = {
    "assign page": ("get", lambda s: reverse("assign"), OK),
    "assign": ("post", lambda s: reverse("assign"), OK),  # an empty POST binds no form: the page again
    "reopen": ("post", lambda s: reverse("assignment-reopen", args=[s["submitted"].pk]), REDIRECT),
    "curation page": ("get", lambda s: reverse("curate", args=[s["article"].pk]), OK),
    "accept": ("post", lambda s: reverse("curate-accept", args=[s["article"].pk]), REDIRECT),
    "accept unanimous": ("post", lambda s: reverse("curate-accept-unanimous", args=[s["article"].pk]), REDIRECT),
    "remove": ("post", lambda s: reverse("curate-remove", args=[s["article"].pk]), REDIRECT),
    "close": ("post", lambda s: reverse("curate-close", args=[s["article"].pk]), REDIRECT),
    "reopen adjudication": ("post", lambda s: reverse("curate-reopen", args=[s["article"].pk]), REDIRECT),
    "team page": ("get", lambda s: reverse("team"), OK),
    "feeds page": ("get", lambda s: reverse("feeds"), OK),
    "follow a feed": ("post", lambda s: reverse("feed-follow"), BAD_REQUEST),  # an empty form: the page again
    "team download": ("get", lambda s: reverse("team-download", args=["csv"]), OK),
    "reports page": ("get", lambda s: reverse("reports"), OK),
    "report download": ("get", lambda s: reverse("report-download", args=["sources", "csv"]), OK),
    "article report": ("get", lambda s: reverse("article-report", args=[s["article"].pk]), OK),
}

LEAD_PAGE_CASES = [
    pytest.param(page, role, id=f"{page}-{role}")
    for page in LEAD_PAGES
    for role in ("anonymous", "reviewer A", "outsider", "lead", "admin")
]


@pytest.mark.parametrize(("page", "role"), LEAD_PAGE_CASES)
def test_lead_pages_sign_in_the_anonymous_refuse_reviewers_and_serve_leads(scene, page, role):
    method, url, lead_answer = LEAD_PAGES[page]

    response = getattr(client_for(scene["users"][role]), method)(url(scene))

    if role == "anonymous":
        # LoginRequiredMiddleware, before lead_required is asked.
        assert response.status_code == REDIRECT
        assert response["Location"].startswith(reverse("login"))
    elif role in ("reviewer A", "outsider"):
        assert response.status_code == FORBIDDEN
        assert b"403 Forbidden" in response.content
    else:
        assert response.status_code == lead_answer
        if lead_answer == REDIRECT:
            assert not response["Location"].startswith(reverse("login"))


def test_the_method_is_checked_before_leadership(scene, alice):
    # A wrong method is a 405 for anyone, as before lead_required.
    client = client_for(alice)
    assert client.post(reverse("team")).status_code == 405
    assert client.get(reverse("curate-close", args=[scene["article"].pk])).status_code == 405
