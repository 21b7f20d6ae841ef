"""The account page in a real browser, on a phone (390 px) and a desktop
(1280 px): the navigation leads there, a new token's key is shown whole
without widening the page, the key works in the API, and revoking ends it.
Screenshots: test-artifacts/account-390.png and account-1280.png."""

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/labels/").status_code


@pytest.mark.parametrize("width", [390, 1280])
def test_make_see_and_revoke_a_token_at_phone_and_desktop_width(page, sign_in, alice, artifacts, width):
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    sign_in(page, alice)

    page.locator(".topbar nav").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator(".token-none")).to_have_text("You have no API token.")

    page.get_by_role("button", name="Create a token").click()
    key_box = page.locator("#new-token")
    expect(key_box).to_be_visible()
    key = key_box.inner_text()
    assert len(key) == 40
    box = key_box.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    # Nothing sticks out sideways: no horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.locator(".token-facts")).to_contain_text("Expires")
    page.screenshot(path=artifacts / f"account-{width}.png", full_page=True)
    assert api_status(key) == 200

    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".messages")).to_contain_text("Your API token is revoked")
    expect(page.locator(".token-none")).to_be_visible()
    assert api_status(key) == 401
