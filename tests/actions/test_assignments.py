"""The assignment services: giving articles to reviewers (every chosen
reviewer, or k per article spread evenly), and moving an assignment through
assigned → in progress → submitted, and back when a lead reopens it."""

import json
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from annotate.actions import assignments
from annotate.models import Assignment
from tests.conftest import make_annotation, make_article, make_assignment, make_user

pytestmark = pytest.mark.django_db

Status = Assignment.Status


def articles(count: int) -> list:
    return [make_article(f"Article number {i} has some text.", title=f"Article {i}") for i in range(count)]


def pairs() -> set[tuple[str, str]]:
    return set(Assignment.objects.values_list("article__title", "reviewer__username"))


def workload() -> dict[str, int]:
    return dict(Counter(Assignment.objects.values_list("reviewer__username", flat=True)))


# Creating assignments


def test_without_per_article_every_chosen_reviewer_gets_every_article(alice, bob, lena):
    two = articles(2)
    made, skipped = assignments.assignments_create(articles=two, reviewers=[bob, alice], assigned_by=lena)
    assert len(made) == 4
    assert skipped == 0
    assert pairs() == {
        ("Article 0", "alice"),
        ("Article 0", "bob"),
        ("Article 1", "alice"),
        ("Article 1", "bob"),
    }
    assert set(Assignment.objects.values_list("status", "assigned_by__username", "submitted_at")) == {
        (Status.ASSIGNED, "lena", None)
    }


def test_each_article_goes_to_k_reviewers_spread_evenly(alice, bob, lena):
    carol = make_user("carol")
    six = articles(6)
    made, skipped = assignments.assignments_create(
        articles=six, reviewers=[alice, bob, carol], assigned_by=lena, per_article=2
    )
    assert (len(made), skipped) == (12, 0)
    assert workload() == {"alice": 4, "bob": 4, "carol": 4}
    per_article = Counter(Assignment.objects.values_list("article__title", flat=True))
    assert set(per_article.values()) == {2}


def test_ties_in_workload_are_broken_by_username(alice, bob, lena):
    carol = make_user("carol")
    one = articles(1)
    assignments.assignments_create(articles=one, reviewers=[carol, bob, alice], assigned_by=lena, per_article=2)
    assert pairs() == {("Article 0", "alice"), ("Article 0", "bob")}


def test_existing_open_work_counts_towards_the_workload_but_submitted_work_does_not(alice, bob, lena):
    carol = make_user("carol")
    old = articles(3)
    make_assignment(old[0], alice, status=Status.ASSIGNED)
    make_assignment(old[1], alice, status=Status.IN_PROGRESS)
    make_assignment(old[2], bob, status=Status.SUBMITTED)
    new = make_article("A brand new article.", title="New")
    assignments.assignments_create(articles=[new], reviewers=[alice, bob, carol], assigned_by=lena, per_article=2)
    # alice has two open assignments; bob's only one is submitted, so bob and carol (none open) get it.
    assert set(Assignment.objects.filter(article=new).values_list("reviewer__username", flat=True)) == {"bob", "carol"}


def test_existing_pairs_are_skipped_and_counted(alice, bob, lena):
    two = articles(2)
    make_assignment(two[0], alice, status=Status.SUBMITTED)
    made, skipped = assignments.assignments_create(articles=two, reviewers=[alice, bob], assigned_by=lena)
    assert (len(made), skipped) == (3, 1)
    assert Assignment.objects.get(article=two[0], reviewer=alice).status == Status.SUBMITTED
    assert Assignment.objects.count() == 4


def test_with_per_article_an_existing_pair_counts_towards_k(alice, bob, lena):
    carol = make_user("carol")
    one = articles(1)
    make_assignment(one[0], carol)
    made, skipped = assignments.assignments_create(
        articles=one, reviewers=[alice, bob, carol], assigned_by=lena, per_article=2
    )
    assert (len(made), skipped) == (1, 1)
    assert pairs() == {("Article 0", "carol"), ("Article 0", "alice")}


def test_assigning_the_same_again_makes_nothing_new(alice, bob, lena):
    two = articles(2)
    assignments.assignments_create(articles=two, reviewers=[alice, bob], assigned_by=lena)
    made, skipped = assignments.assignments_create(articles=two, reviewers=[alice, bob], assigned_by=lena)
    assert (made, skipped) == ([], 4)
    assert Assignment.objects.count() == 4


def test_k_larger_than_the_number_of_reviewers_is_refused(alice, bob, lena):
    with pytest.raises(ValidationError) as error:
        assignments.assignments_create(articles=articles(1), reviewers=[alice, bob], assigned_by=lena, per_article=3)
    assert error.value.messages == ["Each article can go to 1 to 2 of the chosen reviewers."]
    assert Assignment.objects.count() == 0


def test_k_of_zero_is_refused(alice, lena):
    with pytest.raises(ValidationError) as error:
        assignments.assignments_create(articles=articles(1), reviewers=[alice], assigned_by=lena, per_article=0)
    assert error.value.messages == ["Each article can go to 1 to 1 of the chosen reviewers."]
    assert Assignment.objects.count() == 0


def test_no_reviewers_is_refused(lena):
    with pytest.raises(ValidationError) as error:
        assignments.assignments_create(articles=articles(1), reviewers=[], assigned_by=lena)
    assert error.value.messages == ["Choose at least one reviewer."]
    assert Assignment.objects.count() == 0


# Starting: the first span through the workspace's JSON endpoint


def post_span(user, article, quote: str):
    client = Client()
    client.force_login(user)
    start = article.text.index(quote)
    body = {"label": "fact", "start": start, "end": start + len(quote), "quote": quote}
    return client.post(
        reverse("article-annotations", args=[article.pk]), data=json.dumps(body), content_type="application/json"
    )


def test_the_first_span_moves_the_assignment_to_in_progress(alice, labels):
    article = make_article("Lukashenko met Xi in Beijing.")
    assignment = make_assignment(article, alice)
    response = post_span(alice, article, "Lukashenko")
    assert response.status_code == 201
    assignment.refresh_from_db()
    assert assignment.status == Status.IN_PROGRESS
    assert assignment.submitted_at is None


def test_a_span_leaves_other_reviewers_assignments_alone(alice, bob, labels):
    article = make_article("Lukashenko met Xi in Beijing.")
    elsewhere = make_article("Another article entirely.")
    bobs = make_assignment(article, bob)
    alices = make_assignment(article, alice)
    alices_other = make_assignment(elsewhere, alice)
    assert post_span(alice, article, "Lukashenko").status_code == 201
    assert Assignment.objects.get(pk=alices.pk).status == Status.IN_PROGRESS
    assert Assignment.objects.get(pk=bobs.pk).status == Status.ASSIGNED
    assert Assignment.objects.get(pk=alices_other.pk).status == Status.ASSIGNED


def test_a_reviewer_cannot_mark_an_unassigned_article(alice, labels):
    article = make_article("Lukashenko met Xi in Beijing.")
    assert post_span(alice, article, "Lukashenko").status_code == 404
    assert not article.annotations.exists()


def test_a_leads_span_on_an_unassigned_article_creates_no_assignment(lena, labels):
    article = make_article("Lukashenko met Xi in Beijing.")
    assert post_span(lena, article, "Lukashenko").status_code == 201
    assert Assignment.objects.count() == 0


# Submitting


def test_the_assignee_submits_and_the_time_is_recorded(alice, article):
    assignment = make_assignment(article, alice, status=Status.IN_PROGRESS)
    assignments.assignment_submit(assignment, user=alice)
    assignment.refresh_from_db()
    assert assignment.status == Status.SUBMITTED
    assert assignment.submitted_at is not None


def test_someone_else_cannot_submit(alice, bob, lena, article):
    assignment = make_assignment(article, alice, status=Status.IN_PROGRESS)
    for user in (bob, lena):
        with pytest.raises(PermissionDenied):
            assignments.assignment_submit(assignment, user=user)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.submitted_at) == (Status.IN_PROGRESS, None)


def test_submitting_twice_is_refused_and_keeps_the_first_time(alice, article):
    assignment = make_assignment(article, alice)
    assignments.assignment_submit(assignment, user=alice)
    first = Assignment.objects.get(pk=assignment.pk).submitted_at
    with pytest.raises(ValidationError) as error:
        assignments.assignment_submit(Assignment.objects.get(pk=assignment.pk), user=alice)
    assert error.value.messages == ["This article is already submitted."]
    assert Assignment.objects.get(pk=assignment.pk).submitted_at == first


# Reopening


def test_a_lead_reopens_an_article_with_spans_as_in_progress(alice, lena, article, labels):
    make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    assignment = make_assignment(article, alice, status=Status.SUBMITTED)
    assignments.assignment_reopen(assignment, user=lena)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.submitted_at) == (Status.IN_PROGRESS, None)


def test_a_lead_reopens_an_article_without_spans_as_assigned(alice, bob, lena, article, labels):
    # Someone else's span and alice's consensus-layer span do not count as her work.
    make_annotation(article, labels["fact"], bob, quote="Lukashenko")
    make_annotation(article, labels["fact"], alice, quote="Beijing", layer="consensus")
    assignment = make_assignment(article, alice, status=Status.SUBMITTED)
    assignments.assignment_reopen(assignment, user=lena)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.submitted_at) == (Status.ASSIGNED, None)


def test_staff_count_as_leads_for_reopening(alice, root, article):
    assignment = make_assignment(article, alice, status=Status.SUBMITTED)
    assignments.assignment_reopen(assignment, user=root)
    assert Assignment.objects.get(pk=assignment.pk).status == Status.ASSIGNED


def test_a_reviewer_cannot_reopen_even_their_own(alice, bob, article):
    assignment = make_assignment(article, alice, status=Status.SUBMITTED)
    for user in (alice, bob):
        with pytest.raises(PermissionDenied):
            assignments.assignment_reopen(assignment, user=user)
    assert Assignment.objects.get(pk=assignment.pk).status == Status.SUBMITTED


def test_reopening_an_article_that_is_not_submitted_is_refused(alice, lena, article):
    assignment = make_assignment(article, alice, status=Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        assignments.assignment_reopen(assignment, user=lena)
    assert error.value.messages == ["Only a submitted article can be reopened."]
    assert Assignment.objects.get(pk=assignment.pk).status == Status.IN_PROGRESS


# History


def test_every_change_of_an_assignment_leaves_a_history_row(alice, lena, labels):
    article = make_article("Lukashenko met Xi in Beijing.")
    [assignment], _ = assignments.assignments_create(articles=[article], reviewers=[alice], assigned_by=lena)
    assert post_span(alice, article, "Lukashenko").status_code == 201
    assignments.assignment_submit(Assignment.objects.get(pk=assignment.pk), user=alice)
    assignments.assignment_reopen(Assignment.objects.get(pk=assignment.pk), user=lena)
    rows = assignment.history.order_by("history_date", "history_id")
    assert [(row.history_type, row.status, row.submitted_at is None) for row in rows] == [
        ("+", Status.ASSIGNED, True),
        ("~", Status.IN_PROGRESS, True),
        ("~", Status.SUBMITTED, False),
        ("~", Status.IN_PROGRESS, True),
    ]
    # The workspace request records who started it.
    assert rows[1].history_user == alice
