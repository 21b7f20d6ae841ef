"""The rules in annotate/permissions.py, asked directly: who may annotate,
change a span, read its history, what an article list counts, and the
decorator leads-only views use."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotate import permissions
from annotate.models import Annotation, Article, Assignment, Source
from tests.conftest import assign, make_annotation, make_article, make_reviewer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(alice, bob, root):
    return {
        "anonymous": AnonymousUser(),
        "author": alice,
        "other reviewer": bob,
        "admin": root,
        "inactive author": alice,
        "inactive other": make_user("gone", is_active=False),
    }


@pytest.fixture
def span(alice, bob, labels):
    article = make_article()
    assign(article, alice, bob)
    return make_annotation(article, labels["fact"], alice, quote="Lukashenko")


@pytest.mark.parametrize(
    ("who", "may_annotate", "may_change"),
    [
        ("anonymous", False, False),
        ("author", True, True),
        ("other reviewer", True, False),
        # Staff rights are for the admin, not for rewriting a reviewer's judgement.
        ("admin", True, False),
        ("inactive author", False, False),
        ("inactive other", False, False),
    ],
)
def test_permission_matrix(cast, span, who, may_annotate, may_change):
    user = cast[who]
    if who == "inactive author":
        user.is_active = False
        user.save(update_fields=["is_active"])

    assert permissions.can_annotate(user, span.article) is may_annotate
    assert permissions.can_change_annotation(user, span) is may_change


@pytest.fixture
def marked(alice, bob, lena, labels):
    """alice and bob each marked a span on an article assigned to both, and
    lena put one into the consensus."""
    article = make_article()
    assign(article, alice, bob)
    make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    make_annotation(article, labels["opinion"], bob, quote="Xi")
    make_annotation(article, labels["fact"], lena, quote="Beijing", layer=Annotation.Layer.CONSENSUS)
    return article


def spans_counted(user, article) -> int:
    counted = Article.objects.filter(pk=article.pk).annotate(
        n=Count("annotations", filter=permissions.countable_spans(user))
    )
    return counted.get().n


@pytest.mark.parametrize(
    ("who", "submitted", "independent", "counted"),
    [
        ("lena", False, True, 3),  # a lead counts every span, both layers
        ("alice", False, True, 1),  # only her own until she submits
        ("alice", True, True, 2),  # then her colleagues' too, but not the consensus
        ("alice", False, False, 3),  # without independent judgement, everything
    ],
)
def test_countable_spans_counts_what_the_article_page_would_show(
    marked, settings, request, who, submitted, independent, counted
):
    settings.INDEPENDENT_REVIEW = independent
    user = request.getfixturevalue(who)
    if submitted:
        Assignment.objects.filter(article=marked, reviewer=user).update(
            status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
        )

    assert spans_counted(user, marked) == counted


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        ("anonymous", Http404),
        ("author", PermissionDenied),  # she sees her span, but its history is for leads
        ("other reviewer", Http404),  # bob has not submitted: alice's span is hidden from him
        ("outsider", Http404),
        ("lead", None),
        ("admin", None),
    ],
)
def test_only_leads_see_a_history_and_others_learn_no_more_than_the_span(cast, span, lena, who, answer):
    user = {**cast, "lead": lena, "outsider": make_user("carol")}[who]

    assert permissions.can_see_history(user, span) is (answer is None)
    if answer is None:
        permissions.require_history_visible(user, span)
    else:
        with pytest.raises(answer):
            permissions.require_history_visible(user, span)


@permissions.lead_required(message="Only a lead can read this.")
def lead_page(request):
    """A view that asks again, as views and templates do."""
    return HttpResponse(f"lead: {permissions.is_lead(request.user)}")


@permissions.lead_required
def bare_lead_page(request):
    return HttpResponse("")


def request_from(user):
    request = RequestFactory().get("/for-leads/")
    request.user = user
    return request


@pytest.mark.parametrize(
    ("who", "let_through"),
    [
        ("anonymous", False),  # on a login_not_required view; otherwise the middleware signs them in first
        ("author", False),
        ("other reviewer", False),
        ("inactive other", False),
        ("lead", True),
        ("admin", True),  # staff count as leads
    ],
)
def test_lead_required_lets_only_leads_through(cast, lena, who, let_through, django_assert_max_num_queries):
    request = request_from({**cast, "lead": lena}[who])

    if let_through:
        # One question to the database at most, however often the request asks.
        with django_assert_max_num_queries(1):
            assert lead_page(request).content == b"lead: True"
    else:
        with pytest.raises(PermissionDenied, match=r"^Only a lead can read this\.$"):
            lead_page(request)


def test_lead_required_used_bare_refuses_with_a_general_message(alice):
    with pytest.raises(PermissionDenied, match=r"^Only a lead can do that\.$"):
        bare_lead_page(request_from(alice))
    assert bare_lead_page.__name__ == "bare_lead_page"


@pytest.fixture
def desk(alice, bob):
    """alice has an article from Belta, bob one from Nasha Niva, and no one
    has anything from Zerkalo yet."""
    belta = make_article("Officials said the harvest was a record.", source="Belta")
    niva = make_article("Farmers disputed the figures.", source="Nasha Niva")
    Source.objects.create(name="Zerkalo")
    assign(belta, alice)
    assign(niva, bob)
    return {"belta": belta, "niva": niva}


@pytest.mark.parametrize(
    ("who", "sources", "assignments"),
    [
        ("lead", ["Belta", "Nasha Niva", "Zerkalo"], ["alice", "bob"]),
        ("author", ["Belta"], ["alice"]),
        ("outsider", [], []),
        ("anonymous", [], []),
    ],
)
def test_sources_and_assignments_listed_follow_what_the_user_may_open(cast, desk, lena, who, sources, assignments):
    user = {**cast, "lead": lena, "outsider": make_user("carol")}[who]

    listed = Source.objects.filter(permissions.sources_visible_to(user)).order_by("name")
    assert [source.name for source in listed] == sources
    mine = Assignment.objects.filter(permissions.assignments_visible_to(user)).order_by("reviewer__username")
    assert [assignment.reviewer.username for assignment in mine] == assignments


def test_assignment_statuses_answer_for_many_articles_in_one_query(desk, alice, lena, django_assert_num_queries):
    ids = [desk["belta"].pk, desk["niva"].pk]

    with django_assert_num_queries(1):
        assert permissions.assignment_statuses(alice, ids) == {desk["belta"].pk: Assignment.Status.ASSIGNED}
    with django_assert_num_queries(0):
        assert permissions.assignment_statuses(alice, []) == {}
        assert permissions.assignment_statuses(AnonymousUser(), ids) == {}
    assert permissions.assignment_statuses(lena, ids) == {}  # leads see every article, but have no assignment


@pytest.mark.parametrize(
    ("who", "owned"),
    [
        ("author", ["alice"]),
        ("other reviewer", ["bob"]),
        ("lead", []),  # a lead sees every assignment but submits only their own
        ("anonymous", []),
    ],
)
def test_a_user_owns_only_the_assignments_made_to_them(cast, span, lena, who, owned):
    user = {**cast, "lead": lena}[who]

    mine = Assignment.objects.filter(permissions.own_assignments(user))
    assert [assignment.reviewer.username for assignment in mine] == owned


def test_only_active_members_of_the_reviewer_group_may_be_assigned(alice, bob, lena, root):
    make_reviewer("gone", is_active=False)
    make_user("carol")  # signed up, but in no group yet

    assignable = get_user_model().objects.filter(permissions.assignable_reviewers()).order_by("username")
    assert [user.username for user in assignable] == ["alice", "bob"]


@pytest.mark.parametrize(
    ("who", "independent_setting", "expected"),
    [("alice", True, True), ("alice", False, False), ("lena", True, False), ("root", True, False)],
)
def test_only_reviewers_work_under_independent_judgement(request, settings, who, independent_setting, expected):
    settings.INDEPENDENT_REVIEW = independent_setting
    assert permissions.reviews_independently(request.getfixturevalue(who)) is expected


@pytest.mark.parametrize(
    ("who", "owned"),
    [
        ("author", ["alice"]),
        ("other reviewer", ["bob"]),
        ("lead", ["lena"]),
        ("admin", ["root"]),  # even an admin: their own, nobody else's
        ("anonymous", []),
    ],
)
def test_a_user_sees_and_revokes_only_their_own_api_token(cast, lena, who, owned):
    user = {**cast, "lead": lena}[who]
    for holder in (cast["author"], cast["other reviewer"], lena, cast["admin"]):
        Token.objects.create(user=holder)

    mine = Token.objects.filter(permissions.own_tokens(user))
    assert [token.user.username for token in mine] == owned
