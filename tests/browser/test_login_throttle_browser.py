"""The lockout as a person meets it: five wrong passwords in the real sign-in
form, then the page says what happened and for how long."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_five_wrong_passwords_show_the_lockout_message(page, alice, artifacts):
    page.goto("/accounts/login/")
    for attempt in range(5):
        page.fill("#id_username", "alice")
        page.fill("#id_password", f"wrong-{attempt}")
        page.click("form button[type=submit]")
        page.wait_for_load_state()

    message = page.locator("p.locked-out")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Too many failed sign-ins for this username from your address.")
    expect(message).to_contain_text("blocked for 15 minutes")
    expect(page.locator("#id_username")).to_have_value("alice")
    page.screenshot(path=artifacts / "login-locked-out.png", full_page=True)

    # The right password changes nothing until the cool-off is over.
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator("p.locked-out")).to_be_visible()
    expect(page.locator(".topbar .who")).to_have_count(0)
