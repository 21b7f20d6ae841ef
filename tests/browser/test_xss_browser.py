"""Markup in every field people type or import, through the real paths (the
article import, the workspace's details panel, the JSON endpoint, the
curation page), then every page opened in chromium with the
Content-Security-Policy bypassed: escaping alone must keep it inert. No
dialog opens, no payload script runs (each would set window.__xss), and the
payload reads as text where the field is shown."""

import json
import re

import pytest
from playwright.sync_api import expect

from annotate.io import articles_in
from annotate.models import Annotation, Article, Label
from tests.browser.conftest import TEST_HELPERS, TIMEOUT_MS, VIEWPORT, sign_in_with_form
from tests.browser.helpers import find16, open_article, select_range, status
from tests.conftest import PASSWORD, make_annotation, make_assignment
from tests.pages import ReviewedArticle, lead_pages, reviewer_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>window.__xss = 1; alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror="window.__xss = 1; alert(1)">'
TITLE = f"Talks {SCRIPT}"
TEXT = f"Minsk said {SCRIPT} and then {ATTRIBUTE} to Beijing.\n\nA second paragraph about trade."
NOTE = f"Note {ATTRIBUTE}"
SPEAKER = f"Speaker {SCRIPT}"
EVIDENCE = 'https://example.org/"><img/src=x/onerror=alert(1)>'
LABEL = f"Label {ATTRIBUTE}"
REASON = f"Reason {SCRIPT}"
CLOSING = f"Closed {ATTRIBUTE}"


@pytest.fixture
def hostile_article(tmp_path, labels, alice, bob):
    path = tmp_path / "hostile.json"
    path.write_text(
        json.dumps(
            {"title": TITLE, "source": f"Outlet {ATTRIBUTE}", "byline": f"By {SCRIPT}", "text": TEXT, "url": EVIDENCE}
        )
    )
    report = articles_in.import_paths([path])
    assert not report.failed, report.failed
    label = Label(name=LABEL, slug="hostile", colour="#123456", shortcut="H", order=9)
    label.full_clean()
    label.save()
    article = Article.objects.get()
    make_assignment(article, alice)
    make_assignment(article, bob, status="submitted")
    make_annotation(article, label, bob, quote="Minsk", note=NOTE, speaker=SPEAKER, evidence_url=EVIDENCE)
    return article


@pytest.fixture
def unprotected(browser, live_server, artifacts, request):
    """A page with the Content-Security-Policy switched off, recording dialogs."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(TEST_HELPERS)
    page = context.new_page()
    page.dialogs = []

    def dismiss(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=artifacts / "failed-xss.png", full_page=True)
    context.close()


def assert_inert(page, name: str, visible: tuple[str, ...] = ()):
    # Any image the payload made has had its load fail (and its handler run) by now.
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 100))")
    assert page.dialogs == [], f"{name}: a dialog opened"
    assert page.evaluate("typeof window.__xss") == "undefined", f"{name}: a payload ran"
    text = page.evaluate("document.body.innerText")
    for payload in visible:
        assert payload in text, f"{name}: {payload!r} is not shown as text"


def csrf_headers(page) -> dict:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"X-CSRFToken": token, "Content-Type": "application/json"}


def test_markup_everywhere_stays_text_on_every_page(unprotected, hostile_article, alice, root):
    page = unprotected
    article = hostile_article

    # alice marks "trade" in the workspace and types markup into the details panel.
    sign_in_with_form(page, alice, PASSWORD)
    open_article(page, article)
    assert_inert(page, "workspace", visible=(SCRIPT, ATTRIBUTE))
    select_range(page, *find16(page, "trade"))
    page.keyboard.press("h")
    expect(status(page)).to_contain_text("Marked")
    page.locator("#annotation-list .entry").click()
    page.fill("#detail-note", NOTE)
    page.fill("#detail-speaker", SPEAKER)
    page.fill("#detail-evidence", EVIDENCE)
    page.click("#details button[type=submit]")
    expect(status(page)).to_contain_text("Saved")
    expect(page.locator("#annotation-list .note")).to_have_text(NOTE)
    expect(page.locator("#annotation-list .chip")).to_have_text(LABEL)
    assert_inert(page, "workspace after saving")
    span = Annotation.objects.get(reviewer=alice)
    assert (span.note, span.speaker, span.evidence_url) == (NOTE, SPEAKER, EVIDENCE)

    # The JSON endpoint stores markup as given and refuses a script URL as evidence.
    created = page.request.post(
        f"/articles/{article.pk}/annotations/",
        data=json.dumps({"label": "fact", "start": 0, "end": 5, "quote": "Minsk", "note": SCRIPT}),
        headers=csrf_headers(page),
    )
    assert created.status == 201
    refused = page.request.patch(
        f"/annotations/{span.pk}/", data=json.dumps({"evidence_url": "javascript:alert(1)"}), headers=csrf_headers(page)
    )
    assert (refused.status, refused.json()["error"]["field"]) == (400, "evidence_url")
    page.goto("/queue/")
    page.get_by_role("button", name=re.compile("^Submit")).click()
    expect(page.locator(".messages")).to_contain_text("Submitted")
    page.click(".signout button[type=submit]")

    # The lead accepts alice's span into the consensus with a reason, and closes it.
    sign_in_with_form(page, root, PASSWORD)
    page.goto(f"/articles/{article.pk}/curate/")
    assert_inert(page, "curate", visible=(TITLE,))
    unit = page.locator("tr", has_text="trade")
    unit.locator("input[name=reason]").fill(REASON)
    unit.get_by_role("button", name="Accept").click()
    page.fill("#close-note", CLOSING)
    page.get_by_role("button", name="Close as adjudicated").click()
    expect(page.locator(".curation-status")).to_contain_text("Adjudicated")

    shown = {
        "article list": (TITLE,),
        "article page": (TITLE, SCRIPT, ATTRIBUTE),
        "curate": (TITLE, REASON, CLOSING),
        "reports": (TITLE, LABEL),
        "article report": (TITLE, LABEL),
        "queue": (),
        "assign": (TITLE,),
        "admin article list": (TITLE,),
        "admin annotation list": (),
        "admin label list": (LABEL,),
        "admin annotation change form": (),
        "admin annotation history": (),
    }
    reviewed = ReviewedArticle(
        article=article,
        spans=[span],
        consensus=Annotation.objects.get(layer="consensus"),
        assignment=article.assignments.get(reviewer=alice),
        adjudication=article.adjudication,
    )
    for name, url in lead_pages(reviewed).items():
        response = page.goto(url)
        assert response.status == 200, name
        assert_inert(page, name, visible=shown.get(name, ()))

    # The workspace's span details and history, which the page builds itself.
    open_article(page, article)
    page.locator("#annotation-list .entry", has_text="trade").first.click()
    expect(page.locator("#details blockquote")).to_have_text("trade")
    expect(page.locator("#detail-note")).to_have_value(NOTE)
    expect(page.locator("#detail-speaker")).to_have_value(SPEAKER)
    page.locator("#details summary", has_text="History").click()
    expect(page.locator(".history-list li").first).to_be_visible()
    assert_inert(page, "span details and history")
    page.click(".signout button[type=submit]")

    # alice reads her feedback against the consensus.
    sign_in_with_form(page, alice, PASSWORD)
    for name, url in reviewer_pages(reviewed).items():
        page.goto(url)
        # The export and account pages name no article.
        assert_inert(page, name, visible=(TITLE,) if name not in ("export", "account", "password change") else ())
    page.goto(f"/articles/{article.pk}/")
    assert_inert(page, "feedback", visible=(CLOSING,))
