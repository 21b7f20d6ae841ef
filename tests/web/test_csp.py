"""The Content-Security-Policy (django-csp, config/settings.py) on every page,
our templates free of what it would refuse, and /labels.css, which carries
the label colours that used to be inline style attributes.
tests/browser/test_csp_browser.py checks that chromium reports no violation."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from annotate.models import Label
from annotate.rules.label_styles import label_stylesheet
from tests.conftest import make_article
from tests.pages import lead_pages, reviewed_article, reviewer_pages

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy_of(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: values for name, *values in directives}


@pytest.fixture
def reviewed(labels, alice, bob, root):
    article = make_article("Lukashenko met Xi in Beijing.\n\nThey spoke for an hour.", title="Met in Beijing")
    return reviewed_article(
        article,
        [labels["fact"], labels["opinion"]],
        reviewers=[alice, bob],
        lead=root,
        quote="Xi",
        note="Checked.",
        evidence_url="https://example.org/readout",
    )


def test_every_lead_and_admin_page_sends_the_policy(client, root, reviewed):
    client.force_login(root)
    pages = lead_pages(reviewed)

    responses = {name: client.get(url) for name, url in pages.items()}

    assert {name: (r.status_code, policy_of(r)) for name, r in responses.items()} == dict.fromkeys(pages, (200, POLICY))


def test_every_reviewer_page_sends_the_policy(client, alice, reviewed):
    client.force_login(alice)
    pages = reviewer_pages(reviewed)

    responses = {name: client.get(url) for name, url in pages.items()}

    assert {name: (r.status_code, policy_of(r)) for name, r in responses.items()} == dict.fromkeys(pages, (200, POLICY))


def test_the_sign_in_page_and_error_pages_send_the_policy(client, alice):
    assert policy_of(client.get(reverse("login"))) == POLICY
    client.force_login(alice)
    assert policy_of(client.get("/no-such-page/")) == POLICY
    assert policy_of(client.get(reverse("assign"))) == POLICY  # a 403 for a reviewer


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_event_handlers_or_style_attributes(template):
    html = template.read_text()

    # <script> only with src=, or as data (json_script writes application/json).
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert "javascript:" not in html


def test_labels_css_gives_each_label_class_its_colour(client, labels):
    response = client.get(reverse("label-styles"))  # signed out: the sign-in page links it too

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css"
    assert response.content.decode() == (
        ".label-colour-fact { --label: #2a9d8f; }\n"
        ".label-colour-quote { --label: #3a6fd8; }\n"
        ".label-colour-opinion { --label: #e09f3e; }\n"
        ".label-colour-unsupported_claim { --label: #d62839; }\n"
    )
    assert "no-cache" in response["Cache-Control"]


def test_labels_css_answers_304_until_a_colour_changes(client, labels):
    etag = client.get(reverse("label-styles"))["ETag"]

    assert client.get(reverse("label-styles"), headers={"If-None-Match": etag}).status_code == 304

    Label.objects.filter(slug="fact").update(colour="#000000")
    changed = client.get(reverse("label-styles"), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert ".label-colour-fact { --label: #000000; }" in changed.content.decode()


def test_the_stylesheet_leaves_out_anything_that_is_not_a_plain_colour_and_slug():
    css = label_stylesheet(
        [
            ("fact", "#2a9d8f"),
            ("evil", "red; } body { display: none"),
            ("a b{", "#000000"),
        ]
    )

    assert css == ".label-colour-fact { --label: #2a9d8f; }\n"
