"""The reports page in a real browser, over the seed articles with a few
spans marked: the charts and the table must show the same figures, a
figure shows on hover and on keyboard focus, and clicking an article's strip
opens the span in the text."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from annotate.actions.consensus import adjudication_close
from annotate.models import Assignment
from tests.conftest import HITLER_QUOTE, assign, make_annotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def marked(seed_articles, labels, alice, bob, lena):
    """003 reviewed by alice and bob; CNN's 002 adjudicated with a consensus."""
    seed_003 = seed_articles["003_c9aaef3b5bae2a7a.txt"]
    cnn = seed_articles["002_62f2d983f655606c.txt"]
    assign(seed_003, alice, bob)
    assign(cnn, alice)
    for reviewer in (alice, bob):
        make_annotation(seed_003, labels["unsupported_claim"], reviewer, quote=HITLER_QUOTE)
    make_annotation(seed_003, labels["opinion"], alice, quote="Belarus was a harder nut for the US/EU to crack")
    make_annotation(cnn, labels["quote"], alice, quote="“deep concern over the protracted armed conflict,”")
    Assignment.objects.update(status=Assignment.Status.SUBMITTED, submitted_at=timezone.now())
    consensus = make_annotation(
        cnn, labels["quote"], lena, quote="“deep concern over the protracted armed conflict,”",
        layer="consensus", speaker="Xi and Lukashenko",
    )  # fmt: skip
    make_annotation(cnn, labels["fact"], lena, quote="Hong Kong (CNN)", layer="consensus")
    adjudication_close(cnn, lead=lena)
    return {"seed_003": seed_003, "cnn": cnn, "consensus": consensus}


def test_chart_and_table_agree_and_the_strip_opens_the_span(page, sign_in, lena, marked, artifacts):
    sign_in(page, lena)
    page.goto("/reports/")
    expect(page.locator("h1")).to_have_text("Reliability reports")

    segments = page.locator('svg[data-chart="composition"] g.segment')
    checked = 0
    for index in range(segments.count()):
        segment = segments.nth(index)
        source, label, value = (segment.get_attribute(name) for name in ("data-source", "data-label", "data-value"))
        cell = page.locator(f'#source-table tr[data-source="{source}"] td[data-label="{label}"] .share')
        expect(cell).to_have_text(value)
        checked += 1
    assert checked >= 8  # at least two reviewed sources × four labels

    for segment in page.locator('svg[data-chart="density"] g.segment').all():
        source = segment.get_attribute("data-source")
        expect(page.locator(f'#source-table tr[data-source="{source}"] td[data-density]')).to_have_text(
            segment.get_attribute("data-value")
        )

    # The CNN article's consensus: one quote with a named speaker, one fact.
    cnn = page.locator('#source-table tr[data-source="CNN"]')
    expect(cnn.locator("td").nth(0)).to_have_text("1 / 1")
    expect(cnn.locator("td").nth(-3)).to_have_text("—")  # one review: no agreement
    expect(cnn.locator("td[data-changes]")).to_have_text("0 / 1")  # never changed after import

    # A figure shows on hover and on keyboard focus, not only in the table.
    first = page.locator('svg[data-chart="density"] g.segment:not([data-value="0.00"])').first
    tip = first.locator("text.tip")
    expect(tip).to_be_hidden()
    first.hover()
    expect(tip).to_be_visible()
    page.mouse.move(0, 0)
    first.focus()
    expect(tip).to_be_visible()
    page.screenshot(path=artifacts / "reports.png", full_page=True)

    # The article's strip links each mark to its span in the text.
    page.goto(f"/reports/articles/{marked['cnn'].pk}/")
    page.locator(f'a[href$="#span-{marked["consensus"].pk}"]').click()
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details [data-field=quote]")).to_have_text(marked["consensus"].quote)
