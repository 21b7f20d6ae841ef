"""The reviewer's queue and submit button, the lead's assign page and reopen
button, the admin's ways in, and the navigation link to the assign page."""

import html
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from annotate.actions.consensus import adjudication_close
from annotate.models import Annotation, Assignment
from tests.conftest import make_annotation, make_article, make_assignment, make_reviewer, make_user

pytestmark = pytest.mark.django_db

Status = Assignment.Status
SUBMITTED_MESSAGE = "you have submitted this article; a lead must reopen it before you can {} spans"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cells(row: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def queue_rows(page: str) -> list[dict]:
    """Each row of the queue as title, status, span count and whether it has a Submit button."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        title, _source, status, spans, *_ = cells(row)
        rows.append({"title": title, "status": status, "spans": spans, "submit": ">Submit</button>" in row})
    return rows


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def workspace_data_in(page: str) -> dict:
    match = re.search(r'<script id="workspace-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


@pytest.fixture
def desk(alice, bob, lena, labels):
    """alice's four assignments in every state, bob's one, and spans that must or must not count."""
    titles = ["Submitted first", "Assigned early", "In progress", "Assigned late", "Bob's"]
    made = {t: make_article(f"{t}: Lukashenko met Xi in Beijing.", title=t, source="BelTA") for t in titles}
    assignments = {
        "Submitted first": make_assignment(made["Submitted first"], alice, status=Status.SUBMITTED, assigned_by=lena),
        "Assigned early": make_assignment(made["Assigned early"], alice, assigned_by=lena),
        "In progress": make_assignment(made["In progress"], alice, status=Status.IN_PROGRESS, assigned_by=lena),
        "Assigned late": make_assignment(made["Assigned late"], alice, assigned_by=lena),
        "Bob's": make_assignment(made["Bob's"], bob, assigned_by=lena),
    }
    progress = made["In progress"]
    make_annotation(progress, labels["fact"], alice, quote="Lukashenko")
    make_annotation(progress, labels["opinion"], alice, quote="Beijing")
    make_annotation(progress, labels["fact"], bob, quote="Xi")  # bob's span: not alice's count
    make_annotation(progress, labels["quote"], alice, quote="met", layer=Annotation.Layer.CONSENSUS)  # not reviewer
    make_annotation(made["Submitted first"], labels["fact"], alice, quote="Lukashenko")
    return {"articles": made, "assignments": assignments}


# The queue


def test_the_queue_lists_only_my_assignments_open_first_with_my_span_counts(alice_client, desk):
    response = alice_client.get(reverse("queue"))
    assert response.status_code == 200
    assert queue_rows(response.content.decode()) == [
        {"title": "In progress", "status": "In progress", "spans": "2", "submit": True},
        {"title": "Assigned early", "status": "Assigned", "spans": "0", "submit": True},
        {"title": "Assigned late", "status": "Assigned", "spans": "0", "submit": True},
        {"title": "Submitted first", "status": "Submitted", "spans": "1", "submit": False},
    ]


def test_the_next_article_link_goes_to_the_first_open_assignment(alice_client, desk):
    page = alice_client.get(reverse("queue")).content.decode()
    href = reverse("article-detail", args=[desk["articles"]["In progress"].pk])
    assert re.findall(r'<a class="button primary" href="([^"]+)">Next article: ([^<]+)</a>', page) == [
        (href, "In progress")
    ]


def test_with_everything_submitted_there_is_no_next_article(alice, article):
    make_assignment(article, alice, status=Status.SUBMITTED)
    page = client_for(alice).get(reverse("queue")).content.decode()
    assert "Next article" not in page
    assert ">Submit</button>" not in page


def test_an_empty_queue_says_so(alice_client):
    page = alice_client.get(reverse("queue")).content.decode()
    assert "Nothing is assigned to you yet." in page
    assert "Next article" not in page


def test_the_queue_needs_sign_in(client):
    response = client.get(reverse("queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Submitting from the queue


def test_submitting_redirects_to_the_queue_with_a_message(alice_client, desk):
    assignment = desk["assignments"]["In progress"]
    response = alice_client.post(reverse("assignment-submit", args=[assignment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("queue")
    assert message_texts(response) == ["Submitted “In progress”. Its spans are now read-only."]
    assignment.refresh_from_db()
    assert assignment.status == Status.SUBMITTED
    assert assignment.submitted_at is not None


def test_after_submitting_my_spans_are_read_only(alice, desk):
    client = client_for(alice)
    article = desk["articles"]["In progress"]
    client.post(reverse("assignment-submit", args=[desk["assignments"]["In progress"].pk]))
    mine = Annotation.objects.filter(article=article, reviewer=alice, layer="reviewer").order_by("start").first()
    before = Annotation.objects.filter(article=article).count()

    patched = client.patch(
        reverse("annotation-detail", args=[mine.pk]), data=json.dumps({"note": "x"}), content_type="application/json"
    )
    assert patched.status_code == 403
    assert patched.json() == {"error": {"message": SUBMITTED_MESSAGE.format("change its")}}

    deleted = client.delete(reverse("annotation-detail", args=[mine.pk]))
    assert deleted.status_code == 403
    assert deleted.json() == {"error": {"message": SUBMITTED_MESSAGE.format("delete its")}}

    start = article.text.index("Xi")
    created = client.post(
        reverse("article-annotations", args=[article.pk]),
        data=json.dumps({"label": "fact", "start": start, "end": start + 2, "quote": "Xi"}),
        content_type="application/json",
    )
    assert created.status_code == 403
    assert created.json() == {"error": {"message": SUBMITTED_MESSAGE.format("add")}}

    mine.refresh_from_db()
    assert mine.note == ""
    assert Annotation.objects.filter(article=article).count() == before


def test_after_submitting_the_article_page_offers_no_changes(alice, desk, settings):
    # Written before independent judgement: every reviewer sees every span here.
    settings.INDEPENDENT_REVIEW = False
    client = client_for(alice)
    article = desk["articles"]["In progress"]
    client.post(reverse("assignment-submit", args=[desk["assignments"]["In progress"].pk]))
    data = workspace_data_in(client.get(reverse("article-detail", args=[article.pk])).content.decode())
    assert data["can_annotate"] is False
    # The consensus span lena made is not shown: reviewers see it as feedback once adjudicated.
    assert [(a["reviewer"], a["can_change"]) for a in data["annotations"]] == [
        ("alice", False),
        ("bob", False),
        ("alice", False),
    ]


def test_another_reviewer_can_still_work_on_an_article_alice_submitted(alice, bob, desk):
    article = desk["articles"]["In progress"]
    make_assignment(article, bob, status=Status.IN_PROGRESS)
    client_for(alice).post(reverse("assignment-submit", args=[desk["assignments"]["In progress"].pk]))
    data = workspace_data_in(client_for(bob).get(reverse("article-detail", args=[article.pk])).content.decode())
    assert data["can_annotate"] is True
    assert [a["can_change"] for a in data["annotations"] if a["reviewer"] == "bob"] == [True]


def test_submitting_someone_elses_assignment_is_404_and_changes_nothing(alice_client, desk):
    bobs = desk["assignments"]["Bob's"]
    response = alice_client.post(reverse("assignment-submit", args=[bobs.pk]))
    assert response.status_code == 404
    bobs.refresh_from_db()
    assert (bobs.status, bobs.submitted_at) == (Status.ASSIGNED, None)


def test_submitting_twice_shows_an_error_and_keeps_the_first_time(alice_client, desk):
    assignment = desk["assignments"]["Submitted first"]
    before = Assignment.objects.get(pk=assignment.pk).submitted_at
    response = alice_client.post(reverse("assignment-submit", args=[assignment.pk]))
    assert response.status_code == 302
    assert message_texts(response) == ["This article is already submitted."]
    assert Assignment.objects.get(pk=assignment.pk).submitted_at == before


def test_get_on_submit_is_not_allowed(alice_client, desk):
    assignment = desk["assignments"]["Assigned early"]
    response = alice_client.get(reverse("assignment-submit", args=[assignment.pk]))
    assert response.status_code == 405
    assert Assignment.objects.get(pk=assignment.pk).status == Status.ASSIGNED


# The lead's assign page


@pytest.fixture
def lena_client(lena):
    return client_for(lena)


@pytest.fixture
def shelf(db):
    """Two BelTA articles and one CNN article."""
    return [
        make_article("BelTA one.", title="BelTA one", source="BelTA"),
        make_article("BelTA two.", title="BelTA two", source="BelTA"),
        make_article("CNN one.", title="CNN one", source="CNN"),
    ]


def pairs() -> set[tuple[str, str]]:
    return set(Assignment.objects.values_list("article__title", "reviewer__username"))


def test_a_reviewer_cannot_open_the_assign_page(alice_client, bob, shelf):
    assert alice_client.get(reverse("assign")).status_code == 403
    response = alice_client.post(reverse("assign"), {"articles": [shelf[0].pk], "reviewers": [bob.pk]})
    assert response.status_code == 403
    assert Assignment.objects.count() == 0


def test_a_lead_sees_the_form_and_the_overview(lena_client, alice, bob, shelf):
    make_assignment(shelf[2], bob, status=Status.SUBMITTED)
    response = lena_client.get(reverse("assign"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<select name="reviewers"' in page
    assert '<input type="number" name="per_article"' in page
    rows = [cells(row)[:3] for row in re.findall(r"<tr>(.*?)</tr>", page.split("<h2>Assignments</h2>")[1], re.S)[1:]]
    assert rows == [["CNN one CNN", "bob", "Submitted"]]
    assert f'action="{reverse("assignment-reopen", args=[Assignment.objects.get().pk])}"' in page


def test_the_admins_article_ids_are_preselected(lena_client, shelf):
    page = lena_client.get(reverse("assign"), {"articles": f"{shelf[0].pk},{shelf[2].pk},junk"}).content.decode()
    assert sorted(re.findall(r'<option value="(\d+)" selected>', page)) == sorted([str(shelf[0].pk), str(shelf[2].pk)])


def test_a_lead_assigns_chosen_articles_to_chosen_reviewers(lena_client, lena, alice, bob, shelf):
    existing = make_assignment(shelf[0], alice)
    response = lena_client.post(
        reverse("assign"), {"articles": [shelf[0].pk, shelf[1].pk], "reviewers": [alice.pk, bob.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assign")
    assert message_texts(response) == ["Made 3 assignment(s); 1 already existed."]
    assert pairs() == {("BelTA one", "alice"), ("BelTA one", "bob"), ("BelTA two", "alice"), ("BelTA two", "bob")}
    assert set(Assignment.objects.exclude(pk=existing.pk).values_list("assigned_by__username", flat=True)) == {"lena"}


def test_a_lead_assigns_by_source_only_unassigned_articles(lena_client, alice, bob, shelf):
    make_assignment(shelf[0], bob)
    response = lena_client.post(
        reverse("assign"), {"source": shelf[0].source_id, "only_unassigned": "on", "reviewers": [alice.pk]}
    )
    assert response.status_code == 302
    assert message_texts(response) == ["Made 1 assignment(s); 0 already existed."]
    assert pairs() == {("BelTA one", "bob"), ("BelTA two", "alice")}


def test_a_lead_assigns_k_reviewers_per_article(lena_client, alice, bob, shelf):
    carol = make_reviewer("carol")
    response = lena_client.post(reverse("assign"), {"reviewers": [alice.pk, bob.pk, carol.pk], "per_article": 1})
    assert response.status_code == 302
    assert message_texts(response) == ["Made 3 assignment(s); 0 already existed."]
    assert pairs() == {("BelTA one", "alice"), ("BelTA two", "bob"), ("CNN one", "carol")}


@pytest.mark.parametrize("field", ["articles", "reviewers"])
@pytest.mark.parametrize("value", ["9" * 19, "9" * 5_000, "²", "-1"])
def test_an_id_no_row_can_have_is_a_form_error_not_a_database_error(lena_client, alice, shelf, field, value):
    data = {"articles": [shelf[0].pk], "reviewers": [alice.pk], field: [value]}

    response = lena_client.post(reverse("assign"), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [f"“{value}” is not a valid value."]
    assert Assignment.objects.count() == 0


def test_assigning_without_reviewers_is_400_and_writes_nothing(lena_client, shelf):
    response = lena_client.post(reverse("assign"), {"articles": [shelf[0].pk]})
    assert response.status_code == 400
    assert response.context["form"].errors == {"reviewers": ["This field is required."]}
    assert "This field is required." in response.content.decode()
    assert Assignment.objects.count() == 0


def test_more_reviewers_per_article_than_chosen_is_400_and_writes_nothing(lena_client, alice, shelf):
    response = lena_client.post(
        reverse("assign"), {"articles": [shelf[0].pk], "reviewers": [alice.pk], "per_article": 2}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Each article can go to 1 to 1 of the chosen reviewers."]
    assert "Each article can go to 1 to 1 of the chosen reviewers." in response.content.decode()
    assert Assignment.objects.count() == 0


# Reopening from the assign page


def test_a_lead_reopens_a_submitted_assignment(lena_client, alice, article, labels):
    make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    assignment = make_assignment(article, alice, status=Status.SUBMITTED)
    response = lena_client.post(reverse("assignment-reopen", args=[assignment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assign")
    assert message_texts(response) == [f"Reopened “{article.title}” for alice."]
    assignment.refresh_from_db()
    assert (assignment.status, assignment.submitted_at) == (Status.IN_PROGRESS, None)


def test_reopening_an_open_assignment_shows_an_error(lena_client, alice, article):
    assignment = make_assignment(article, alice)
    response = lena_client.post(reverse("assignment-reopen", args=[assignment.pk]))
    assert response.status_code == 302
    assert message_texts(response) == ["Only a submitted article can be reopened."]
    assert Assignment.objects.get(pk=assignment.pk).status == Status.ASSIGNED


def test_a_reviewer_cannot_reopen(alice_client, alice, article):
    assignment = make_assignment(article, alice, status=Status.SUBMITTED)
    before = Assignment.objects.get(pk=assignment.pk).submitted_at
    response = alice_client.post(reverse("assignment-reopen", args=[assignment.pk]))
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert (assignment.status, assignment.submitted_at) == (Status.SUBMITTED, before)


# The admin


def test_the_article_admin_action_sends_the_selection_to_the_assign_page(admin_client_, shelf):
    ids = sorted(a.pk for a in shelf[:2])
    response = admin_client_.post(
        reverse("admin:annotate_article_changelist"),
        {"action": "assign_to_reviewers", "_selected_action": ids},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('assign')}?articles={ids[0]},{ids[1]}"


def test_the_assignment_changelist_opens_and_its_action_reopens_submitted_ones(admin_client_, alice, bob, shelf):
    done = make_assignment(shelf[0], alice, status=Status.SUBMITTED)
    open_ = make_assignment(shelf[1], bob, status=Status.IN_PROGRESS)
    changelist = reverse("admin:annotate_assignment_changelist")
    assert admin_client_.get(changelist).status_code == 200
    response = admin_client_.post(changelist, {"action": "reopen", "_selected_action": [done.pk, open_.pk]})
    assert response.status_code == 302
    assert message_texts(response) == ["Reopened 1 assignment(s)."]
    done.refresh_from_db()
    assert (done.status, done.submitted_at) == (Status.ASSIGNED, None)
    assert Assignment.objects.get(pk=open_.pk).status == Status.IN_PROGRESS


# Query count


def fill_queue(reviewer, labels, count: int) -> None:
    for i in range(count):
        article = make_article(f"Queue article {i}: Lukashenko met Xi.", title=f"Queue {i}", source=f"Outlet {i % 4}")
        status = [Status.ASSIGNED, Status.IN_PROGRESS, Status.SUBMITTED][i % 3]
        make_assignment(article, reviewer, status=status)
        if status != Status.ASSIGNED:
            make_annotation(article, labels["fact"], reviewer, quote="Lukashenko")


QUEUE_QUERIES = 4  # session, user, the user's groups (navigation), the queue itself


@pytest.mark.parametrize("count", [3, 30])
def test_the_queue_takes_the_same_number_of_queries_however_long(alice, labels, count, django_assert_num_queries):
    fill_queue(alice, labels, count)
    client = client_for(alice)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("queue"))
    assert len(queue_rows(response.content.decode())) == count


# Navigation


@pytest.mark.parametrize(("who", "sees_assign"), [("alice", False), ("lena", True), ("root", True)])
def test_only_leads_and_staff_see_the_assign_link(request, who, sees_assign, article):
    page = client_for(request.getfixturevalue(who)).get(reverse("queue")).content.decode()
    assert (f'<a href="{reverse("assign")}">Assign</a>' in page) is sees_assign


def test_only_active_members_of_the_reviewer_group_can_be_assigned(lena_client, alice, shelf):
    outsider = make_user("outsider")  # in no group
    gone = make_reviewer("gone", is_active=False)
    for user in (outsider, gone):
        response = lena_client.post(reverse("assign"), {"articles": [shelf[0].pk], "reviewers": [user.pk]})
        assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_an_adjudicated_submission_links_to_the_feedback(alice_client, desk, lena):

    adjudication_close(desk["articles"]["Submitted first"], lead=lena)
    page = alice_client.get(reverse("queue")).content.decode()
    href = reverse("article-detail", args=[desk["articles"]["Submitted first"].pk])
    assert f'href="{href}#feedback-title">Adjudicated: see your feedback</a>' in page
    assert page.count("Adjudicated: see your feedback") == 1
