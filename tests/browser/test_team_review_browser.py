"""Team review end to end in a real browser: a lead assigns, two reviewers
mark the same article without seeing each other's spans, the lead sees the
disagreement, builds the consensus and closes it, the consensus export holds
exactly the accepted spans, and a reviewer reads their feedback."""

import re

import pytest
from playwright.sync_api import expect

from annotate.models import Adjudication, Annotation, Assignment
from tests.browser.helpers import drag_select, find16, open_article, status
from tests.exports import read_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = "003_c9aaef3b5bae2a7a.txt"
CLAIM = "Lukashenko, who has a great deal of respect for Adolf Hitler"
NUT = "Belarus was a harder nut for the US/EU to crack"


def sign_out(page):
    page.click(".signout button[type=submit]")
    page.wait_for_url("**/accounts/login/**")


def mark(page, phrase: str, key: str, label_name: str):
    drag_select(page, *find16(page, phrase))
    page.keyboard.press(key)
    # The status line shortens long quotes to 50 characters.
    expect(status(page)).to_have_text(re.compile(rf"^Marked “{re.escape(phrase[:20])}.*” as {label_name}\.$"))


def review_and_submit(page, sign_in, reviewer, article, marks):
    """Sign in, open the article from the queue, check that nobody else's
    spans show, mark, and submit from the queue."""
    sign_in(page, reviewer)
    page.goto("/queue/")
    page.get_by_role("link", name=re.compile(r"^Next article: Washington and Brussels")).click()
    expect(page.locator("#article-text")).to_have_attribute("data-ready", "true")
    # Independent judgement: the other reviewer's spans are not on the page.
    expect(page.locator("#annotation-count")).to_have_text("0")
    expect(page.get_by_text("You see only your own spans until you submit this article.")).to_be_visible()
    for phrase, key, label_name in marks:
        mark(page, phrase, key, label_name)
    expect(page.locator("#annotation-count")).to_have_text(str(len(marks)))
    page.goto("/queue/")
    page.locator("tr", has_text=article.title).get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_contain_text("Submitted")


def test_two_reviewers_then_the_lead_adjudicates_and_exports_the_consensus(
    page, sign_in, alice, bob, lena, seed_articles, artifacts
):
    article = seed_articles[SEED]

    # The lead assigns the article to both reviewers on the assign page.
    sign_in(page, lena)
    page.goto("/assign/")
    page.select_option("#id_articles", [str(article.pk)])
    page.select_option("#id_reviewers", [str(alice.pk), str(bob.pk)])
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("Made 2 assignment(s)")
    sign_out(page)

    review_and_submit(page, sign_in, alice, article, [(CLAIM, "u", "Unsupported claim"), (NUT, "o", "Opinion")])
    sign_out(page)
    review_and_submit(page, sign_in, bob, article, [(CLAIM, "u", "Unsupported claim"), (NUT, "f", "Fact")])
    # Having submitted, bob may now switch the others' spans on.
    open_article(page, article)
    page.get_by_role("link", name="Show the other reviewers' spans").click()
    expect(page.locator("#annotation-count")).to_have_text("4")
    sign_out(page)
    assert set(Assignment.objects.values_list("status", flat=True)) == {Assignment.Status.SUBMITTED}

    # The lead's curation view: one lane per reviewer, the disagreement marked.
    sign_in(page, lena)
    page.goto(f"/articles/{article.pk}/curate/")
    disputed = page.locator(".segment.has-dispute")
    expect(disputed).to_have_count(1)
    expect(disputed.locator(".dispute-flag")).to_have_text("Disagreement in this paragraph")
    expect(disputed.locator(".lane-name")).to_have_text(["Consensus", "alice", "bob"])
    expect(disputed.locator("tr.disputed")).to_have_count(2)
    page.screenshot(path=artifacts / "curation.png", full_page=True)

    # Accept alice's opinion with a reason, then the unanimous claim in one click.
    opinion_row = page.locator("tr.disputed", has_text="Opinion")
    opinion_row.get_by_placeholder("reason (optional)").fill("The author's judgement, not a checkable fact.")
    opinion_row.get_by_role("button", name="Accept").click()
    expect(page.locator(".messages")).to_contain_text("Accepted alice's opinion span into the consensus.")
    page.get_by_role("button", name="Accept all unanimous (1)").click()
    expect(page.locator(".messages")).to_contain_text("Accepted 1 unanimous span(s) into the consensus.")
    page.get_by_role("button", name="Close as adjudicated").click()
    expect(page.locator(".curation-status")).to_contain_text("Adjudicated")
    assert Adjudication.objects.filter(article=article, closed_by=lena).exists()

    # The consensus export holds exactly those two spans, with their offsets.
    response = page.request.get("/export/annotations/?format=csv&layer=consensus")
    assert response.ok, response.status
    rows = read_export(response.body(), "csv")
    exported = sorted((row["label"], row["quote"], int(row["start"]), int(row["end"]), row["layer"]) for row in rows)
    expected = sorted(
        (label, phrase, article.text.index(phrase), article.text.index(phrase) + len(phrase), "consensus")
        for label, phrase in [("unsupported_claim", CLAIM), ("opinion", NUT)]
    )
    assert exported == expected
    accepted = Annotation.objects.get(layer="consensus", label__slug="opinion")
    assert (accepted.based_on.reviewer, accepted.decision_reason) == (
        alice,
        "The author's judgement, not a checkable fact.",
    )
    sign_out(page)

    # bob reads where he differed from the consensus.
    sign_in(page, bob)
    open_article(page, article)
    feedback = page.locator(".feedback-panel")
    expect(feedback.locator("tr.feedback-exact td")).to_have_text("1")
    expect(feedback.locator("tr.feedback-label td")).to_have_text("1")
    expect(feedback.locator("li.feedback-label")).to_contain_text(NUT)
    expect(feedback.locator("li.feedback-label")).to_contain_text("The author's judgement, not a checkable fact.")
    page.screenshot(path=artifacts / "feedback.png")
