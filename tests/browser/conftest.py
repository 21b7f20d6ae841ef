"""Real-browser fixtures: one Debian chromium per session, driven by
Playwright's sync API against pytest-django's live server.

Each test gets a fresh browser context (its own cookies) and a ``page`` that
records console errors and uncaught page errors; a page error fails the test.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import make_data_migration_rows

# Playwright's sync API keeps an asyncio loop running in this thread, which
# makes Django refuse ORM calls from the test ("You cannot call this from an
# async context"). The tests only touch the database between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

# Helpers the tests call through page.evaluate; installed before any page
# script runs. Offsets are UTF-16 units into #article-text's text content,
# which is the stored text whatever <mark>s the highlights add.
TEST_HELPERS = """
window.__sm = {
  box() { return document.getElementById("article-text"); },
  rangeAt(start, end) {
    const walker = document.createTreeWalker(this.box(), NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let seen = 0, started = false;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const length = node.data.length;
      if (!started && start <= seen + length) { range.setStart(node, start - seen); started = true; }
      if (end <= seen + length) { range.setEnd(node, end - seen); return range; }
      seen += length;
    }
    throw new Error(`offsets [${start}, ${end}) are outside the article text`);
  },
  find(phrase, from = 0) {
    const start = this.box().textContent.indexOf(phrase, from);
    if (start < 0) throw new Error(`${JSON.stringify(phrase)} is not in the article text`);
    return [start, start + phrase.length];
  },
  select(start, end) {
    this.box().focus({ preventScroll: true });
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(this.rangeAt(start, end));
    // Where the selection's range now is: Chromium keeps a range that cuts a
    // grapheme as given (only its painted selection and toString() snap).
    const range = selection.getRangeAt(0);
    const before = document.createRange();
    before.setStart(this.box(), 0);
    before.setEnd(range.startContainer, range.startOffset);
    const start16 = before.toString().length;
    return [start16, start16 + range.toString().length];
  },
  rects(start, end) {
    const range = this.rangeAt(start, end);
    const box = range.getBoundingClientRect();
    window.scrollBy(0, box.top + box.height / 2 - window.innerHeight / 2);
    return [...this.rangeAt(start, end).getClientRects()]
      .filter((r) => r.width > 0)
      .map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom }));
  },
};
"""


@pytest.fixture(autouse=True)
def default_labels(transactional_db):
    """The four labels and the two roles the data migrations make. A
    transactional test's flush deletes them, and ``serialized_rollback`` cannot bring them back here:
    while Playwright's loop runs, Django hands this thread a new connection
    object (asgiref's Local acts as a context variable in a thread with a
    running loop), not the one pytest-django serialized at set-up. So make
    them again, the way the migration does."""
    make_data_migration_rows()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: `make test` should have installed Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class BrowserErrors:
    def __init__(self):
        self.console: list[str] = []
        self.page: list[str] = []


@pytest.fixture
def page_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(browser, live_server, page_errors, request, artifacts):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(TEST_HELPERS)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and page_errors.console.append(message.text))
    page.on("pageerror", lambda error: page_errors.page.append(f"{error.name}: {error.message}"))
    request.node.browser_errors = page_errors
    failure_shot = artifacts / ("failed-" + re.sub(r"[^\w.-]+", "_", request.node.name) + ".png")
    failure_shot.unlink(missing_ok=True)  # from an earlier run
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=failure_shot, full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    errors = getattr(item, "browser_errors", None)
    if errors is not None and errors.page:
        pytest.fail("JavaScript error(s) on the page:\n" + "\n".join(errors.page) + _console(errors), pytrace=False)
    return result


def _console(errors: BrowserErrors) -> str:
    return "\nConsole errors:\n" + "\n".join(errors.console) if errors.console else ""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
        errors = getattr(item, "browser_errors", None)
        if errors is not None and errors.console and report.failed:
            report.sections.append(("browser console errors", "\n".join(errors.console)))
    return report


def sign_in_with_form(page, user, password: str):
    """Sign ``user`` in through the real login form and wait for the article list."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # the article list
    expect(page.locator(".topbar .who")).to_have_text(user.get_username())


@pytest.fixture
def sign_in():
    """``sign_in(page, user)``: sign in through the login form."""
    from tests.conftest import PASSWORD

    def sign_in(page, user):
        sign_in_with_form(page, user, PASSWORD)

    return sign_in
