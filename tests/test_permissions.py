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
from annotate.actions.consensus import adjudication_close
from annotate.models import Annotation, Article, ArticleFetch, Assignment, Source
from tests.conftest import assign, make_annotation, make_article, make_assignment, make_reviewer, make_user

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


# ---- each rule asked directly, the status known or looked up ------------------------
#
# alice has two articles: "open" (assigned) and "done" (submitted); bob has
# "open" too and has submitted it; carol has "done" and has not. The
# consensus of "done" is adjudicated. Rules that take ``status`` must give the same answer whether
# it is passed or looked up, and must look it up for the right article.


@pytest.fixture
def desk_of_two(alice, bob, lena, labels):
    open_, done = make_article("An open article."), make_article("A done article.")
    make_assignment(open_, alice)
    make_assignment(done, alice, status=Assignment.Status.SUBMITTED)
    make_assignment(open_, bob, status=Assignment.Status.SUBMITTED)
    carol = make_reviewer("carol")
    make_assignment(done, carol)
    spans = {
        "alice open": make_annotation(open_, labels["fact"], alice, quote="open"),
        "bob open": make_annotation(open_, labels["fact"], bob, quote="article"),
        "alice done": make_annotation(done, labels["fact"], alice, quote="done"),
        "consensus done": make_annotation(
            done, labels["fact"], lena, quote="article", layer=Annotation.Layer.CONSENSUS
        ),
        "consensus open": make_annotation(open_, labels["fact"], lena, quote="An", layer=Annotation.Layer.CONSENSUS),
    }
    adjudication_close(done, lead=lena)
    return {"open": open_, "done": done, "carol": carol, **spans}


def test_staff_or_superuser_alone_makes_a_lead(db):
    assert permissions.is_lead(make_user("staffer", is_staff=True)) is True
    assert permissions.is_lead(make_user("super", is_superuser=True)) is True
    assert permissions.is_lead(make_user("plain")) is False
    assert permissions.is_lead(make_user("gone", is_staff=True, is_active=False)) is False


def test_an_assignment_status_is_the_one_for_that_article(desk_of_two, alice, lena):
    assert permissions.assignment_status(alice, desk_of_two["open"].pk) == Assignment.Status.ASSIGNED
    assert permissions.assignment_status(alice, desk_of_two["done"].pk) == Assignment.Status.SUBMITTED
    assert permissions.assignment_status(lena, desk_of_two["done"].pk) is None
    assert permissions.assignment_statuses(alice, [desk_of_two["done"].pk]) == {
        desk_of_two["done"].pk: Assignment.Status.SUBMITTED
    }
    assert permissions.has_submitted(alice, desk_of_two["done"].pk) is True
    assert permissions.has_submitted(alice, desk_of_two["open"].pk) is False
    assert permissions.has_submitted(lena, desk_of_two["done"].pk) is False
    assert permissions.has_submitted(AnonymousUser(), desk_of_two["done"].pk) is False


def test_viewing_an_article_follows_the_status_given_or_looked_up(desk_of_two, alice, bob, lena):
    open_, done = desk_of_two["open"].pk, desk_of_two["done"].pk
    assert permissions.can_view_article(alice, open_) is True
    assert permissions.can_view_article(bob, done) is False
    assert permissions.can_view_article(lena, done) is True
    assert permissions.can_view_article(AnonymousUser(), open_) is False
    # A status the caller already read is trusted, either way.
    assert permissions.can_view_article(bob, done, status=Assignment.Status.ASSIGNED) is True
    assert permissions.can_view_article(alice, open_, status=None) is False


def test_annotating_stops_when_the_article_is_submitted(desk_of_two, alice, lena):
    assert permissions.can_annotate(alice, desk_of_two["open"]) is True
    assert permissions.can_annotate(alice, desk_of_two["done"]) is False
    assert permissions.can_annotate(alice, desk_of_two["open"], status=Assignment.Status.SUBMITTED) is False
    assert permissions.can_annotate(lena, desk_of_two["done"]) is True  # not assigned to her


def test_changing_a_span_follows_its_layer_author_status_and_adjudication(desk_of_two, alice, bob, lena):
    can_change = permissions.can_change_annotation
    assert can_change(alice, desk_of_two["alice open"]) is True
    assert can_change(alice, desk_of_two["alice done"]) is False  # she submitted it
    assert can_change(alice, desk_of_two["alice open"], status=Assignment.Status.SUBMITTED) is False
    assert can_change(alice, desk_of_two["alice done"], status=Assignment.Status.IN_PROGRESS) is True
    assert can_change(bob, desk_of_two["alice open"]) is False
    # Consensus spans: leads, until the article is adjudicated.
    assert can_change(lena, desk_of_two["consensus open"]) is True
    assert can_change(lena, desk_of_two["consensus done"]) is False
    assert can_change(lena, desk_of_two["consensus done"], adjudicated=False) is True
    assert can_change(lena, desk_of_two["consensus open"], adjudicated=True) is False
    assert can_change(alice, desk_of_two["consensus open"]) is False
    assert can_change(AnonymousUser(), desk_of_two["alice open"]) is False


def test_seeing_a_span_follows_layer_author_submission_and_adjudication(desk_of_two, alice, bob, lena, settings):
    can_see = permissions.can_see_annotation
    settings.INDEPENDENT_REVIEW = True
    assert can_see(alice, desk_of_two["alice open"]) is True
    assert can_see(alice, desk_of_two["bob open"]) is False  # she has not submitted "open"
    assert can_see(bob, desk_of_two["alice open"]) is True  # he has
    assert can_see(alice, desk_of_two["consensus done"]) is True  # adjudicated
    assert can_see(alice, desk_of_two["consensus open"]) is False  # not yet
    assert can_see(bob, desk_of_two["alice done"]) is False  # not his article
    assert can_see(lena, desk_of_two["alice done"]) is True
    # A status passed in is trusted; an inactive user sees nothing whatever it says.
    assert can_see(alice, desk_of_two["bob open"], status=Assignment.Status.SUBMITTED) is True
    alice.is_active = False
    assert can_see(alice, desk_of_two["bob open"], status=Assignment.Status.SUBMITTED) is False
    assert can_see(alice, desk_of_two["alice open"], status=Assignment.Status.ASSIGNED) is False


def test_seeing_ones_own_span_with_the_status_known_asks_the_database_nothing(
    desk_of_two, alice, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert permissions.can_see_annotation(alice, desk_of_two["alice open"], status=Assignment.Status.ASSIGNED)
    # Without an assignment the answer needs the database (is she a lead?).
    with django_assert_num_queries(1):
        assert not permissions.can_see_annotation(alice, desk_of_two["alice open"], status=None)


def test_a_refused_history_says_why_in_words(desk_of_two, alice, bob):
    with pytest.raises(PermissionDenied, match=r"^only a lead can see a span's history$"):
        permissions.require_history_visible(alice, desk_of_two["alice open"])
    with pytest.raises(Http404, match=r"^No such annotation\.$"):
        permissions.require_history_visible(bob, desk_of_two["alice done"])


@pytest.mark.parametrize(
    ("who", "independent", "visible"),
    [
        ("lena", True, ["alice open", "bob open", "alice done", "consensus done", "consensus open"]),
        # Her own, and the adjudicated consensus of her articles; bob's only
        # once she has submitted "open", which she has not.
        ("alice", True, ["alice open", "alice done", "consensus done"]),
        # bob submitted "open": alice's span there too; "done" is not his.
        ("bob", True, ["alice open", "bob open"]),
        # The adjudicated consensus, but not alice's span beside it.
        ("carol", True, ["consensus done"]),
        ("alice", False, ["alice open", "bob open", "alice done", "consensus done"]),
        ("anonymous", True, []),
    ],
)
def test_the_spans_listed_are_the_ones_each_user_may_see(desk_of_two, request, settings, who, independent, visible):
    settings.INDEPENDENT_REVIEW = independent
    user = {"anonymous": AnonymousUser(), "carol": desk_of_two["carol"]}.get(who) or request.getfixturevalue(who)
    listed = set(Annotation.objects.filter(permissions.annotations_visible_to(user)).values_list("pk", flat=True))
    assert listed == {desk_of_two[name].pk for name in visible}
    # The list and the one-span answer agree.
    for name in ("alice open", "bob open", "alice done", "consensus done", "consensus open"):
        assert permissions.can_see_annotation(user, desk_of_two[name]) is (name in visible), name


def test_a_count_for_a_reviewer_leaves_out_articles_only_others_submitted(desk_of_two, alice, settings):
    settings.INDEPENDENT_REVIEW = True
    # bob submitted "open", alice did not: she counts only her own span there.
    assert spans_counted(alice, desk_of_two["open"]) == 1


def test_the_workspace_shows_a_reviewer_only_her_own_spans_unless_she_asks(desk_of_two, alice, lena, settings):
    settings.INDEPENDENT_REVIEW = True

    def shown(user, **options):
        spans = Annotation.objects.filter(article=desk_of_two["open"]).filter(
            permissions.visible_spans(user, **options)
        )
        return {span.pk for span in spans}

    own = {desk_of_two["alice open"].pk}
    assert shown(alice, status=Assignment.Status.SUBMITTED) == own
    assert shown(alice, status=Assignment.Status.SUBMITTED, show_others=True) == own | {desk_of_two["bob open"].pk}
    assert shown(lena, status=None, layer=Annotation.Layer.CONSENSUS) == {desk_of_two["consensus open"].pk}


def test_lead_required_decorates_a_view_when_it_is_applied(alice, lena):
    # Applied here, not at import, so what is tested is the decorator itself.
    def view(request):
        return HttpResponse("done")

    bare = permissions.lead_required(view)
    worded = permissions.lead_required(message="Leads only.")(view)
    assert bare.__name__ == worded.__name__ == "view"
    assert bare(request_from(lena)).content == worded(request_from(lena)).content == b"done"
    with pytest.raises(PermissionDenied, match=r"^Only a lead can do that\.$"):
        bare(request_from(alice))
    with pytest.raises(PermissionDenied, match=r"^Leads only\.$"):
        worded(request_from(alice))


REVIEWER, CONSENSUS = Annotation.Layer.REVIEWER, Annotation.Layer.CONSENSUS


@pytest.mark.parametrize(
    ("importer", "article", "layer", "author", "existing", "refusal"),
    [
        ("alice", "open", CONSENSUS, "alice", None, "only a lead may write consensus spans"),
        ("lena", "done", CONSENSUS, "lena", "consensus done",
         "article {done} is adjudicated; a lead must reopen it before its consensus changes"),
        ("lena", "open", CONSENSUS, "bob", None, "a new consensus span is decided by whoever imports it, not by bob"),
        ("lena", "open", CONSENSUS, "lena", None, None),
        # An existing consensus span keeps the lead who decided it.
        ("lena", "open", CONSENSUS, "alice", "consensus open", None),
        ("alice", "open", REVIEWER, "bob", "bob open", "the span is bob's; only bob can write it"),
        ("lena", "open", REVIEWER, "alice", None, "the span is alice's; only alice can write it"),
        ("alice", "done", REVIEWER, "alice", "alice done",
         "you have submitted article {done}; a lead must reopen it before its spans change"),
        ("alice", "open", REVIEWER, "alice", "alice open", None),
        ("alice", "done", REVIEWER, "alice", None,
         "you have submitted article {done}; a lead must reopen it before you add spans"),
        ("bob", "done", REVIEWER, "bob", None, "article {done} is not assigned to you"),
        ("alice", "open", REVIEWER, "alice", None, None),
    ],
)  # fmt: skip
def test_an_import_row_is_refused_as_the_page_would_refuse_it(
    desk_of_two, alice, bob, lena, importer, article, layer, author, existing, refusal
):
    people = {"alice": alice, "bob": bob, "lena": lena}
    expected = refusal.format(done=desk_of_two["done"].pk) if refusal else None

    assert (
        permissions.span_import_refusal(
            people[importer],
            article=desk_of_two[article],
            layer=layer,
            author=people[author],
            existing=desk_of_two[existing] if existing else None,
        )  # fmt: skip
        == expected
    )


def test_an_import_row_trusts_the_status_the_caller_read(desk_of_two, alice):
    open_ = desk_of_two["open"]
    submitted = Assignment.Status.SUBMITTED

    assert permissions.span_import_refusal(
        alice, article=open_, layer=REVIEWER, author=alice, existing=None, status=submitted
    ) == (f"you have submitted article {open_.pk}; a lead must reopen it before you add spans")
    assert permissions.span_import_refusal(
        alice, article=open_, layer=REVIEWER, author=alice, existing=None, status=None
    ) == (f"article {open_.pk} is not assigned to you")
    assert permissions.span_import_refusal(
        alice, article=open_, layer=REVIEWER, author=alice, existing=desk_of_two["alice open"], status=submitted
    ) == (f"you have submitted article {open_.pk}; a lead must reopen it before its spans change")


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("staff", True),
        ("superuser", True),
        ("lead", False),
        ("reviewer", False),
        ("inactive staff", False),
        ("anonymous", False),
    ],
)
def test_only_active_staff_may_keep_a_files_authors_and_times(lena, alice, who, may):
    user = {
        "staff": lambda: make_user("staffer", is_staff=True),
        "superuser": lambda: make_user("super", is_superuser=True),
        "lead": lambda: lena,
        "reviewer": lambda: alice,
        "inactive staff": lambda: make_user("gone", is_staff=True, is_active=False),
        "anonymous": AnonymousUser,
    }[who]()

    assert permissions.may_keep_authors(user) is may


@pytest.mark.parametrize(
    ("who", "may_import", "follows"),
    [
        ("anonymous", False, []),
        ("author", False, ["alice's"]),  # a former lead still follows what she asked for
        ("other reviewer", False, []),
        ("lead", True, ["alice's", "lena's"]),
        ("admin", True, ["alice's", "lena's"]),
        ("inactive other", False, []),
    ],
)
def test_leads_import_articles_and_follow_every_fetch_others_their_own(cast, lena, who, may_import, follows):
    user = {**cast, "lead": lena}[who]
    ArticleFetch.objects.create(url="https://news.example/a", requested_by=cast["author"])
    ArticleFetch.objects.create(url="https://news.example/b", requested_by=lena)
    assert permissions.can_import_articles(user) is may_import
    visible = ArticleFetch.objects.filter(permissions.article_fetches_visible_to(user)).order_by("url")
    assert [f"{fetch.requested_by.username}'s" for fetch in visible] == follows
