"""Saving when the network or another page gets in the way, in a real
browser: a create whose answer is lost is resent with the same client id
and makes one span; of two pages on one span, the second to save from a
stale copy is told who changed it and when, instead of overwriting it, and
a Reload brings its page up to date."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from annotate import permissions
from annotate.models import Annotation
from tests.browser.helpers import drag_select, find16, marks_of, open_article, status
from tests.conftest import PASSWORD, assign, make_annotation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = "003_c9aaef3b5bae2a7a.txt"
CLAIM = "who has a great deal of respect for Adolf Hitler"
CHANGED = re.compile(r"^This span was changed by leo at \d{1,2}:\d{2}:\d{2}.* — reload to see the current version\.$")


def open_consensus(page, article):
    page.goto(f"/articles/{article.pk}/?layer=consensus")
    expect(page.locator("#article-text")).to_have_attribute("data-ready", "true")


def test_a_lead_saving_a_consensus_span_another_lead_changed_is_told_and_reloads(
    page, browser, live_server, sign_in, lena, labels, seed_articles
):
    article = seed_articles[SEED]
    leo = make_user("leo")
    leo.groups.add(Group.objects.get(name=permissions.LEAD_GROUP))
    span = make_annotation(article, labels["fact"], lena, quote=CLAIM, layer="consensus", decision_reason="first")

    # lena's page and leo's page, each signed in in its own browser context.
    sign_in(page, lena)
    open_consensus(page, article)
    other_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    leos_page = other_context.new_page()
    try:
        leos_page.goto("/accounts/login/")
        leos_page.fill("#id_username", "leo")
        leos_page.fill("#id_password", PASSWORD)
        leos_page.click("form button[type=submit]")
        leos_page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
        open_consensus(leos_page, article)

        # Both open the span; leo saves first.
        marks_of(page, span.pk).click()
        expect(page.locator("#detail-reason")).to_have_value("first")
        marks_of(leos_page, span.pk).click()
        leos_page.locator("#detail-reason").fill("leo: the source is a partisan blog")
        leos_page.locator("#details").get_by_role("button", name="Save").click()
        expect(status(leos_page)).to_have_text("Saved.")
    finally:
        other_context.close()

    # lena, still showing the first version, saves over it: refused.
    page.locator("#detail-reason").fill("lena: no source at all")
    page.locator("#detail-note").fill("lena's note")
    page.locator("#details").get_by_role("button", name="Save").click()

    expect(status(page)).to_have_text(CHANGED)
    expect(page.locator("#reload-spans")).to_be_visible()
    stored = Annotation.objects.get(pk=span.pk)
    assert (stored.decision_reason, stored.note, stored.version) == ("leo: the source is a partisan blog", "", 2)

    # Reload shows leo's version in the open details, and saving from it works.
    page.locator("#reload-spans").click()
    expect(status(page)).to_have_text("Reloaded: you see the current version of every span.")
    expect(page.locator("#reload-spans")).to_be_hidden()
    expect(page.locator("#detail-reason")).to_have_value("leo: the source is a partisan blog")
    expect(page.locator("#detail-note")).to_have_value("")
    page.locator("#detail-note").fill("agreed with leo")
    page.locator("#details").get_by_role("button", name="Save").click()
    expect(status(page)).to_have_text("Saved.")
    stored.refresh_from_db()
    assert (stored.decision_reason, stored.note, stored.version) == (
        "leo: the source is a partisan blog",
        "agreed with leo",
        3,
    )


def test_a_reviewer_deleting_in_one_tab_what_another_tab_changed_is_told_and_reloads(
    page, sign_in, alice, labels, seed_articles
):
    article = seed_articles[SEED]
    assign(article, alice)
    span = make_annotation(article, labels["opinion"], alice, quote=CLAIM)
    sign_in(page, alice)
    open_article(page, article)
    second_tab = page.context.new_page()
    open_article(second_tab, article)

    marks_of(second_tab, span.pk).click()
    second_tab.locator("#detail-note").fill("changed in the second tab")
    second_tab.locator("#details").get_by_role("button", name="Save").click()
    expect(status(second_tab)).to_have_text("Saved.")

    marks_of(page, span.pk).click()
    page.locator("#details").get_by_role("button", name="Delete").click()

    expect(status(page)).to_have_text(
        re.compile(r"^This span was changed by alice at .* — reload to see the current version\.$")
    )
    assert Annotation.objects.get(pk=span.pk).note == "changed in the second tab"
    page.locator("#reload-spans").click()
    expect(page.locator("#detail-note")).to_have_value("changed in the second tab")
    expect(page.locator("#annotation-list .entry .note")).to_have_text("changed in the second tab")


def test_a_create_whose_answer_is_lost_is_resent_and_makes_one_span(page, sign_in, alice, seed_articles):
    article = seed_articles[SEED]
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)
    sent = []

    def lose_the_first_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        sent.append(json.loads(route.request.post_data)["client_id"])
        if len(sent) == 1:
            route.fetch()  # the server makes the span...
            return route.abort("connectionreset")  # ...and its answer never arrives
        return route.continue_()

    page.route("**/articles/*/annotations/", lose_the_first_answer)
    drag_select(page, *find16(page, CLAIM))
    page.keyboard.press("u")

    expect(status(page)).to_have_text(f"Marked “{CLAIM}” as Unsupported claim.")
    expect(page.locator("#annotation-count")).to_have_text("1")
    assert len(sent) == 2 and sent[0] == sent[1], sent
    stored = Annotation.objects.get()
    assert (str(stored.client_id), stored.quote) == (sent[0], CLAIM)


def test_client_ids_are_version_4_uuids_with_or_without_crypto_random_uuid(page, sign_in, alice, seed_articles):
    # crypto.randomUUID exists only in secure contexts; a plain-http LAN
    # address is not one, and the page must still name its spans.
    article = seed_articles[SEED]
    assign(article, alice)
    sign_in(page, alice)
    open_article(page, article)

    made = page.evaluate(
        """async () => {
          const api = await import("/static/annotate/js/api.js");
          const secure = Array.from({ length: 200 }, () => api.newClientId());
          Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
          const fallback = Array.from({ length: 200 }, () => api.newClientId());
          return { secure, fallback };
        }"""
    )

    version_4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    for kind in ("secure", "fallback"):
        assert all(version_4.match(value) for value in made[kind]), made[kind][:3]
        assert len(set(made[kind])) == 200
