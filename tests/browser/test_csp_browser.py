"""Chromium enforcing our Content-Security-Policy on every page, as a lead and
admin and as a reviewer: no page may trip it (a refused inline script,
event handler or style attribute), and the pages still work under it."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import open_article
from tests.conftest import make_article
from tests.pages import lead_pages, reviewed_article, reviewer_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Installed before any page script: every violation the page reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} refused ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || location.pathname}:${event.lineNumber} ${event.sample || ""}`);
});
"""


@pytest.fixture
def reviewed(labels, alice, bob, root):
    article = make_article(
        "Lukashenko met Xi in Beijing.\n\nThey spoke for an hour about trade.", title="Met in Beijing"
    )
    return reviewed_article(
        article,
        [labels["fact"], labels["opinion"]],
        reviewers=[alice, bob],
        lead=root,
        quote="Xi",
        note="Checked against the readout.",
        evidence_url="https://example.org/readout",
    )


def violations_on(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    if page.locator("#article-text").count():
        expect(page.locator("#article-text")).to_have_attribute("data-ready", "true")
    # Violation events are queued as tasks: let them arrive.
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")
    return page.evaluate("window.__cspViolations")


def csp_console_errors(page_errors) -> list[str]:
    return [line for line in page_errors.console if "Content Security Policy" in line]


def test_no_lead_or_admin_page_trips_the_policy(page, page_errors, sign_in, root, reviewed):
    page.context.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, root)

    found = {name: violations_on(page, url) for name, url in lead_pages(reviewed).items()}

    assert {name: v for name, v in found.items() if v} == {}
    assert csp_console_errors(page_errors) == []


def test_no_reviewer_page_trips_the_policy(page, page_errors, sign_in, alice, reviewed):
    page.context.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, alice)

    found = {name: violations_on(page, url) for name, url in reviewer_pages(reviewed).items()}

    assert {name: v for name, v in found.items() if v} == {}
    assert csp_console_errors(page_errors) == []


def test_the_sign_in_page_does_not_trip_the_policy(page, page_errors):
    page.context.add_init_script(RECORD_VIOLATIONS)

    assert violations_on(page, "/accounts/login/") == []
    assert csp_console_errors(page_errors) == []


def test_label_colours_and_highlights_still_show_under_the_policy(page, page_errors, sign_in, root, reviewed):
    """The colours moved from style attributes to /labels.css and the CSSOM."""
    page.context.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, root)
    open_article(page, reviewed.article)

    fact_button = page.locator('.label-button[data-label="fact"]')
    assert fact_button.evaluate("b => getComputedStyle(b).getPropertyValue('--label').trim()") == "#2a9d8f"
    mark = page.locator("#article-text mark.hl").first
    assert mark.evaluate("m => getComputedStyle(m).getPropertyValue('--hl').trim()") == "#2a9d8f33"
    mark.click()
    chip = page.locator("#details [data-field=label]")
    expect(chip).to_have_text("Fact")
    entry_chip = page.locator("#annotation-list .chip").first
    assert entry_chip.evaluate("c => getComputedStyle(c).borderLeftColor") == "rgb(42, 157, 143)"

    page.goto(f"/articles/{reviewed.article.pk}/curate/")
    lane_mark = page.locator(".lane-mark").first
    assert lane_mark.evaluate("m => getComputedStyle(m).getPropertyValue('--label').trim()") in {"#2a9d8f", "#e09f3e"}

    assert page.evaluate("window.__cspViolations") == []
    assert csp_console_errors(page_errors) == []


def test_the_admin_exports_select_all_box_works_without_its_inline_handler(page, page_errors, sign_in, root, reviewed):
    page.context.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, root)
    page.goto("/admin/annotate/annotation/export/")
    boxes = page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
    expect(boxes.first).to_be_checked()

    page.locator(".select-toggle").uncheck()

    assert boxes.evaluate_all("boxes => boxes.filter((box) => box.checked).length") == 0
    page.locator(".select-toggle").check()
    assert boxes.evaluate_all("boxes => boxes.every((box) => box.checked)")
    assert page.evaluate("window.__cspViolations") == []
    assert csp_console_errors(page_errors) == []


def test_the_api_docs_run_under_the_policy(page, page_errors):
    """Swagger UI comes from drf-spectacular-sidecar, and its start-up script
    is a file (SpectacularSwaggerSplitView), so the policy lets it run."""
    page.context.add_init_script(RECORD_VIOLATIONS)
    response = page.goto("/api/docs/")
    assert response.status == 200
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/annotations/").first).to_be_visible()
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 200))")
    assert page.evaluate("window.__cspViolations") == []
    assert csp_console_errors(page_errors) == []
