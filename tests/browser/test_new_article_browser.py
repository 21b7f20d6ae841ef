"""The New article page in a real browser: a lead pastes a URL from the
loopback server, sees it queued, a real worker (`db_worker`, its own
process) fetches it, and the page, without a reload, shows it done with
a link to the new article. Screenshots at a phone's and a desktop's width."""

import pytest
from playwright.sync_api import expect

from annotate.models import Article
from tests.loopback_server import STORY_TITLE, LoopbackServer, Reply, story_page
from tests.workers import run_worker_batch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def news_site(settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    with LoopbackServer({"/story": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, story_page())}) as server:
        yield server


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_lead_queues_a_url_and_sees_it_done(page, sign_in, lena, news_site, artifacts, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, lena)
    page.get_by_role("link", name="New article").click()
    expect(page.get_by_role("heading", name="New article", level=1)).to_be_visible()
    expect(page.locator("#fetches")).to_contain_text("No fetches yet.")

    url = news_site.url("/story")
    page.get_by_label("Article URLs").fill(f"{url}\nftp://example.org/not-this-one")
    page.get_by_role("button", name="Fetch").click()
    expect(page.get_by_role("alert")).to_contain_text("ftp://example.org/not-this-one: only http:// and https://")
    expect(page.get_by_label("Article URLs")).to_have_value("ftp://example.org/not-this-one")
    row = page.locator("#fetches tr[data-fetch]")
    expect(row).to_have_count(1)
    expect(row.locator('[data-field="status"]')).to_have_text("Queued")
    expect(row).to_contain_text(url)
    page.evaluate("window.__sameDocument = true")
    name = "phone" if viewport is PHONE else "desktop"
    page.screenshot(path=artifacts / f"new-article-queued-{name}.png", full_page=True)

    run_worker_batch()

    expect(row.locator('[data-field="status"]')).to_have_text("Done", timeout=15_000)
    expect(row.locator('[data-field="outcome"]')).to_contain_text("Imported as a new article.")
    assert page.evaluate("window.__sameDocument") is True  # updated in place, not reloaded
    page.screenshot(path=artifacts / f"new-article-done-{name}.png", full_page=True)
    row.get_by_role("link", name="Open the article").click()
    article = Article.objects.get()
    expect(page).to_have_url(f"{page.url.split('/articles/')[0]}/articles/{article.pk}/")
    expect(page.locator("h1")).to_have_text(STORY_TITLE)


def test_a_lead_pastes_an_article_and_lands_on_it(page, sign_in, lena):
    sign_in(page, lena)
    page.goto("/articles/new/")
    page.get_by_label("Title").fill("Minsk and Beijing")
    page.get_by_label("Source").fill("BelTA")
    page.get_by_label("Text").fill("Lukashenko met Xi in Beijing.\n\nThey signed a pact.")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("h1")).to_have_text("Minsk and Beijing")
    expect(page.locator(".messages")).to_contain_text("Imported “Minsk and Beijing” as a new article.")
