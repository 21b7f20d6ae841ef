"""Adjudication (annotate/read/curation_board.py): lanes and units, building the
consensus, closing, and each reviewer's feedback against the consensus."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from annotate import permissions
from annotate.actions.consensus import (
    REASON_LIMIT,
    ConsensusConflict,
    adjudication_close,
    adjudication_reopen,
    consensus_accept,
    consensus_accept_unanimous,
    consensus_change,
    consensus_create,
    consensus_remove,
)
from annotate.models import Adjudication, Annotation, Assignment
from annotate.read import curation_board, feedback
from tests.conftest import assign, make_annotation, make_article, make_reviewer, make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "Lukashenko met Xi in Beijing on Tuesday.\n"
    "\n"
    "Lukashenko, who has a great deal of respect for Adolf Hitler, signed the deal.\n"
    "Critics called it a disgrace."
)


def submit(article, *reviewers):
    Assignment.objects.filter(article=article, reviewer__in=reviewers).update(
        status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
    )


@pytest.fixture
def carol(db):
    return make_reviewer("carol")


@pytest.fixture
def reviewed(labels, alice, bob, carol):
    """alice and bob submitted, carol is still working. alice and bob agree on
    the meeting (fact) and the Hitler claim; they differ on the last sentence."""
    article = make_article(TEXT, title="Minsk and Beijing")
    assign(article, alice, bob, carol)
    for reviewer in (alice, bob):
        make_annotation(article, labels["fact"], reviewer, quote="Lukashenko met Xi in Beijing")
        make_annotation(
            article, labels["unsupported_claim"], reviewer, quote="who has a great deal of respect for Adolf Hitler"
        )
    make_annotation(article, labels["opinion"], alice, quote="Critics called it a disgrace.")
    make_annotation(article, labels["quote"], bob, quote="called it a disgrace")
    make_annotation(article, labels["fact"], carol, quote="signed the deal")
    submit(article, alice, bob)
    return article


def unit_summary(view):
    return [(u.label.slug, u.quote, sorted(u.spans), u.unanimous, u.disputed) for u in view.units]


def test_units_group_identical_spans_and_unanimous_means_every_submitted_reviewer(reviewed):
    view = curation_board.curation_for(reviewed)

    assert [(lane.reviewer, lane.status) for lane in view.lanes] == [
        ("alice", "submitted"),
        ("bob", "submitted"),
        ("carol", "assigned"),
    ]
    assert unit_summary(view) == [
        ("fact", "Lukashenko met Xi in Beijing", ["alice", "bob"], True, False),
        ("unsupported_claim", "who has a great deal of respect for Adolf Hitler", ["alice", "bob"], True, False),
        ("fact", "signed the deal", ["carol"], False, True),
        ("opinion", "Critics called it a disgrace.", ["alice"], False, True),
        ("quote", "called it a disgrace", ["bob"], False, True),
    ]
    assert [lane.reviewer for lane in view.waiting] == ["carol"]


def test_segments_draw_each_lane_under_each_paragraph_with_spans(reviewed):
    view = curation_board.curation_for(reviewed)

    # The blank line is no paragraph; the other three lines all have spans.
    assert [(s.start, s.end) for s in view.segments] == curation_board.paragraphs(TEXT)
    drawn = curation_board.draw(view, view.segments)
    first = drawn[0]
    assert [row.name for row in first.rows] == ["Consensus", "alice", "bob", "carol"]
    alice_row = first.rows[1]
    assert "".join(piece.text for piece in alice_row.pieces) == TEXT[first.start : first.end]
    marked = [piece.text for piece in alice_row.pieces if piece.units]
    assert marked == ["Lukashenko met Xi in Beijing"]
    assert not first.disputed
    last = drawn[-1]
    assert last.disputed
    bob_pieces = [(p.text, [u.label.slug for u in p.units]) for p in last.rows[2].pieces]
    assert bob_pieces == [("Critics ", []), ("called it a disgrace", ["quote"]), (".", [])]


def test_a_span_across_paragraphs_is_drawn_in_each_and_listed_once(labels, alice, bob):
    article = make_article("First line here.\nSecond line here.")
    assign(article, alice)
    make_annotation(article, labels["fact"], alice, quote="here.\nSecond")

    view = curation_board.curation_for(article)

    assert len(view.segments) == 2
    assert [len(s.units) for s in view.segments] == [1, 0]
    assert [p.text for p in curation_board.draw(view, view.segments)[1].rows[1].pieces if p.units] == ["Second"]


def test_accepting_one_span_copies_it_into_the_consensus_with_the_reason(reviewed, lena, bob):
    bobs_quote = reviewed.annotations.get(reviewer=bob, label__slug="quote")
    bobs_quote.speaker = "Critics"
    bobs_quote.save()

    accepted = consensus_accept(bobs_quote, lead=lena, reason="A quote, not the paper's opinion.")

    assert (accepted.layer, accepted.reviewer, accepted.based_on) == ("consensus", lena, bobs_quote)
    assert (accepted.start, accepted.end, accepted.quote, accepted.label.slug) == (
        bobs_quote.start,
        bobs_quote.end,
        bobs_quote.quote,
        "quote",
    )
    assert (accepted.speaker, accepted.decision_reason) == ("Critics", "A quote, not the paper's opinion.")
    assert accepted.history.count() == 1


def test_accepting_the_same_span_twice_is_refused_and_keeps_one(reviewed, lena, root, alice, bob):
    alices = reviewed.annotations.get(reviewer=alice, label__slug="fact", start=0)
    bobs = reviewed.annotations.get(reviewer=bob, label__slug="fact", start=0)
    consensus_accept(alices, lead=lena)

    with pytest.raises(ConsensusConflict):
        consensus_accept(bobs, lead=root)  # another lead, the same decision
    assert reviewed.annotations.filter(layer="consensus").count() == 1


def test_the_database_keeps_one_consensus_span_per_label_and_position(reviewed, lena, root, labels):
    from django.db import IntegrityError, transaction

    Annotation.objects.create(
        article=reviewed, label=labels["fact"], start=0, end=10, quote="Lukashenko", reviewer=lena, layer="consensus"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            article=reviewed,
            label=labels["fact"],
            start=0,
            end=10,
            quote="Lukashenko",
            reviewer=root,
            layer="consensus",
        )


def test_accept_unanimous_takes_exactly_the_spans_every_submitted_reviewer_made(reviewed, lena):
    made = consensus_accept_unanimous(reviewed, lead=lena)

    assert sorted(a.quote for a in made) == [
        "Lukashenko met Xi in Beijing",
        "who has a great deal of respect for Adolf Hitler",
    ]
    assert {a.decision_reason for a in made} == {"Unanimous: alice, bob."}
    # A second click has nothing left to do.
    assert consensus_accept_unanimous(reviewed, lead=lena) == []
    assert reviewed.annotations.filter(layer="consensus").count() == 2


def test_accept_unanimous_needs_two_submitted_reviews(labels, alice, lena):
    article = make_article(TEXT)
    assign(article, alice)
    make_annotation(article, labels["fact"], alice, quote="Lukashenko met Xi")
    submit(article, alice)

    with pytest.raises(ValidationError, match="two or more submitted reviews"):
        consensus_accept_unanimous(article, lead=lena)
    assert not article.annotations.filter(layer="consensus").exists()


def test_a_reviewer_cannot_build_the_consensus(reviewed, alice):
    span = reviewed.annotations.filter(reviewer=alice).first()
    with pytest.raises(PermissionDenied):
        consensus_accept(span, lead=alice)
    with pytest.raises(PermissionDenied):
        consensus_accept_unanimous(reviewed, lead=alice)
    with pytest.raises(PermissionDenied):
        adjudication_close(reviewed, lead=alice)
    assert not reviewed.annotations.filter(layer="consensus").exists()
    assert not Adjudication.objects.exists()


def test_a_lead_draws_edits_and_removes_a_consensus_span(reviewed, lena, labels):
    start = TEXT.index("signed the deal")
    span = consensus_create(
        article=reviewed, label=labels["fact"], start=start, end=start + 15, lead=lena, reason="Reported by Reuters."
    )
    span_id = span.pk
    changed = consensus_change(span, lead=lena, label=labels["opinion"], decision_reason="On reflection.")
    assert (changed.label.slug, changed.decision_reason) == ("opinion", "On reflection.")

    consensus_remove(changed, lead=lena)
    assert not reviewed.annotations.filter(layer="consensus").exists()
    assert [v.history_type for v in Annotation.history.filter(id=span_id).order_by("history_date")] == ["+", "~", "-"]


def test_closing_freezes_the_consensus_until_a_lead_reopens(reviewed, lena, alice):
    consensus_accept_unanimous(reviewed, lead=lena)
    adjudication = adjudication_close(reviewed, lead=lena, note="Settled in the Monday meeting.")
    assert (adjudication.closed_by, adjudication.note) == (lena, "Settled in the Monday meeting.")

    disputed = reviewed.annotations.get(reviewer=alice, label__slug="opinion")
    with pytest.raises(ValidationError, match="adjudicated"):
        consensus_accept(disputed, lead=lena)
    with pytest.raises(ValidationError, match="already adjudicated"):
        adjudication_close(reviewed, lead=lena)
    decided = reviewed.annotations.filter(layer="consensus").first()
    with pytest.raises(ValidationError, match="adjudicated"):
        consensus_remove(decided, lead=lena)

    adjudication_reopen(reviewed, lead=lena)
    assert consensus_accept(disputed, lead=lena).layer == "consensus"
    assert [v.history_type for v in Adjudication.history.all().order_by("history_date")] == ["+", "-"]


def test_a_reason_over_the_limit_is_refused(reviewed, lena, alice):
    span = reviewed.annotations.filter(reviewer=alice).first()
    with pytest.raises(ValidationError, match="longer than"):
        consensus_accept(span, lead=lena, reason="x" * (REASON_LIMIT + 1))
    assert not reviewed.annotations.filter(layer="consensus").exists()


# Feedback ---------------------------------------------------------------------


def test_feedback_classifies_each_span_against_the_consensus(reviewed, lena, alice, labels):
    consensus_accept_unanimous(reviewed, lead=lena)
    bobs_quote = reviewed.annotations.get(label__slug="quote")
    consensus_accept(bobs_quote, lead=lena)
    start = TEXT.index("signed the deal")
    consensus_create(article=reviewed, label=labels["fact"], start=start, end=start + 15, lead=lena)
    # alice marked the meeting a little wider as an opinion too: a label difference.
    make_annotation(reviewed, labels["opinion"], alice, quote="met Xi in Beijing on Tuesday")
    adjudication_close(reviewed, lead=lena)

    given = feedback.feedback_for(reviewed, alice)

    assert [(item.kind, item.span.quote) for item in given.items] == [
        ("exact", "Lukashenko met Xi in Beijing"),
        ("label", "met Xi in Beijing on Tuesday"),
        ("exact", "who has a great deal of respect for Adolf Hitler"),
        ("missed", "signed the deal"),
        ("label", "Critics called it a disgrace."),
    ]
    assert [c.quote for c in given.items[-1].counterparts] == ["called it a disgrace"]
    assert {kind: count for kind, _, count in given.summary} == {
        "exact": 2,
        "boundary": 0,
        "label": 2,
        "extra": 0,
        "missed": 1,
    }


def test_feedback_boundary_and_extra(labels, alice, bob, lena):
    article = make_article(TEXT)
    assign(article, alice, bob)
    make_annotation(article, labels["fact"], alice, quote="Lukashenko met Xi in Beijing on Tuesday")
    make_annotation(article, labels["opinion"], alice, quote="a disgrace")
    bobs = make_annotation(article, labels["fact"], bob, quote="Lukashenko met Xi in Beijing")
    submit(article, alice, bob)
    consensus_accept(bobs, lead=lena)
    adjudication_close(article, lead=lena)

    kinds = [(item.kind, item.span.quote) for item in feedback.feedback_for(article, alice).items]

    assert kinds == [("boundary", "Lukashenko met Xi in Beijing on Tuesday"), ("extra", "a disgrace")]


def test_no_feedback_before_adjudication_or_submission(reviewed, lena, alice, carol):
    assert feedback.feedback_for(reviewed, alice) is None
    adjudication_close(reviewed, lead=lena)
    assert feedback.feedback_for(reviewed, alice) is not None
    assert feedback.feedback_for(reviewed, carol) is None  # carol never submitted


# Pages ------------------------------------------------------------------------


def test_the_curation_page_shows_lanes_disputes_and_actions(reviewed, lena_client):
    response = lena_client.get(reverse("curate", args=[reviewed.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="lane-name"') == 3 * 4  # three paragraphs × (consensus + three reviewers)
    assert "Disagreement in this paragraph" in page
    assert "Accept all unanimous (2)" in page
    assert "Not submitted yet: carol" in page


def test_the_curation_page_takes_a_fixed_number_of_queries(reviewed, lena_client, django_assert_num_queries):
    # session, user, is she a lead, the article, assignments, labels, spans, adjudication
    with django_assert_num_queries(8):
        assert lena_client.get(reverse("curate", args=[reviewed.pk])).status_code == 200


def test_accept_unanimous_and_close_through_the_page(reviewed, lena_client, alice):
    response = lena_client.post(reverse("curate-accept-unanimous", args=[reviewed.pk]), {"reason": ""})
    assert response.status_code == 302
    assert reviewed.annotations.filter(layer="consensus").count() == 2

    disputed = reviewed.annotations.get(reviewer=alice, label__slug="opinion")
    lena_client.post(reverse("curate-accept", args=[reviewed.pk]), {"span": disputed.pk, "reason": "Clearly opinion."})
    accepted = reviewed.annotations.get(layer="consensus", label__slug="opinion")
    assert accepted.decision_reason == "Clearly opinion."

    lena_client.post(reverse("curate-close", args=[reviewed.pk]), {"note": "Done."})
    assert Adjudication.objects.get(article=reviewed).note == "Done."
    page = lena_client.get(reverse("curate", args=[reviewed.pk])).content.decode()
    assert "Adjudicated" in page and "Reopen adjudication" in page and "Accept all unanimous" not in page


def test_removing_a_consensus_span_another_lead_changed_since_keeps_it_and_says_so(reviewed, lena_client, labels):
    lead = make_user("marta")  # a second lead, in another tab
    lead.groups.add(Group.objects.get(name=permissions.LEAD_GROUP))
    consensus_accept_unanimous(reviewed, lead=lead)
    span = reviewed.annotations.filter(layer="consensus").first()
    page = lena_client.get(reverse("curate", args=[reviewed.pk])).content.decode()
    assert f'name="span" value="{span.pk}">\n              <input type="hidden" name="version" value="1">' in page
    consensus_change(span, lead=lead, version=1, note="checked against the readout")

    remove = reverse("curate-remove", args=[reviewed.pk])
    response = lena_client.post(remove, {"span": span.pk, "version": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("curate", args=[reviewed.pk])  # the top, where the message is
    assert Annotation.objects.get(pk=span.pk).note == "checked against the readout"
    assert "Another lead changed this consensus span after you opened the page" in response.content.decode()
    # From the page as it is now, the removal goes through.
    response = lena_client.post(remove, {"span": span.pk, "version": "2"}, follow=True)
    assert not Annotation.objects.filter(pk=span.pk).exists()
    assert "from the consensus" in response.content.decode()


def test_accepting_a_span_of_another_article_is_404(reviewed, lena_client, labels, alice):
    other = make_article("Another article entirely.")
    foreign = make_annotation(other, labels["fact"], alice, quote="Another")
    response = lena_client.post(reverse("curate-accept", args=[reviewed.pk]), {"span": foreign.pk})
    assert response.status_code == 404
    assert not Annotation.objects.filter(layer="consensus").exists()


def test_a_reviewer_gets_403_from_every_curation_action(reviewed, alice_client, alice):
    span = reviewed.annotations.filter(reviewer=alice).first()
    assert alice_client.get(reverse("curate", args=[reviewed.pk])).status_code == 403
    for name, data in [
        ("curate-accept", {"span": span.pk}),
        ("curate-accept-unanimous", {}),
        ("curate-close", {}),
        ("curate-reopen", {}),
        ("curate-remove", {"span": span.pk}),
    ]:
        assert alice_client.post(reverse(name, args=[reviewed.pk]), data).status_code == 403, name
    assert not Annotation.objects.filter(layer="consensus").exists()
    assert not Adjudication.objects.exists()


def test_reviewer_sees_feedback_on_the_article_page_after_adjudication(reviewed, lena, alice_client):
    url = reverse("article-detail", args=[reviewed.pk])
    assert "Your review against the consensus" not in alice_client.get(url).content.decode()
    consensus_accept_unanimous(reviewed, lead=lena)
    adjudication_close(reviewed, lead=lena)

    page = alice_client.get(url).content.decode()

    assert "Your review against the consensus" in page
    assert "not in the consensus" in page  # alice's opinion on the last sentence


def test_the_curation_page_pages_paragraphs_and_can_show_only_disputed_ones(labels, alice, bob, lena_client):
    text = "\n".join(f"Paragraph {n} says Minsk." for n in range(25))
    article = make_article(text)
    assign(article, alice, bob)
    for n in range(25):
        make_annotation(article, labels["fact"], alice, quote=f"Paragraph {n} says")
        make_annotation(article, labels["fact" if n % 5 else "opinion"], bob, quote=f"Paragraph {n} says")
    submit(article, alice, bob)
    url = reverse("curate", args=[article.pk])

    first = lena_client.get(url).content.decode()
    assert first.count('class="segment') == 10 and "Paragraphs 1–10 of 25" in first
    assert lena_client.get(url, {"page": 3}).content.decode().count('class="segment') == 5
    disputed = lena_client.get(url, {"show": "disputed"}).content.decode()
    assert disputed.count('class="segment has-dispute"') == 5
    assert "Only those with a disagreement" not in disputed and "Show every paragraph with spans (25)" in disputed
