"""Markup in what people type or import is stored as given and shown as text
on every page; links open only web pages. The browser's side of this (no
script runs, the payload reads as text, CSP bypassed on purpose) is
tests/browser/test_xss_browser.py."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotate.io import articles_in
from annotate.models import Annotation, Article, Label, Source
from annotate.templatetags.sourcemark import web_url
from tests.conftest import assign, make_annotation
from tests.pages import lead_pages, reviewed_article, reviewer_pages

pytestmark = pytest.mark.django_db

SCRIPT = "<script>window.__xss = 1</script>"
ATTRIBUTE = '"><img src=x onerror="window.__xss = 1">'
TEXT = f"Minsk said {SCRIPT} and then {ATTRIBUTE} to Beijing.\n\nA second paragraph."


@pytest.fixture
def hostile(tmp_path, alice, bob, root):
    """An article whose every field carries markup, imported through the real
    import path, with a label, notes, speaker, reasons and evidence URL to match."""
    path = tmp_path / "hostile.json"
    path.write_text(
        json.dumps(
            {
                "title": f"Talks {SCRIPT}",
                "source": f"Outlet {ATTRIBUTE}",
                "byline": f"By {SCRIPT}",
                "url": "https://example.org/story",
                "text": TEXT,
            }
        )
    )
    report = articles_in.import_paths([path])
    assert not report.failed, report.failed
    article = Article.objects.get()
    label = Label(name=f"Label {ATTRIBUTE}", slug="hostile", colour="#123456", order=9)
    label.full_clean()
    label.save()
    return reviewed_article(
        article,
        [label, Label.objects.get(slug="fact")],
        reviewers=[alice, bob],
        lead=root,
        quote="Minsk",
        note=f"Note {SCRIPT}",
        speaker=f"Speaker {ATTRIBUTE}",
        evidence_url='https://example.org/"><img/src=x/onerror=alert(1)>',
    )


def test_the_payloads_are_stored_as_given(hostile):
    article = Article.objects.get()
    assert (article.title, article.byline, article.text) == (f"Talks {SCRIPT}", f"By {SCRIPT}", TEXT)
    assert Source.objects.get().name == f"Outlet {ATTRIBUTE}"
    span = hostile.spans[0]
    assert (span.note, span.speaker) == (f"Note {SCRIPT}", f"Speaker {ATTRIBUTE}")
    assert hostile.consensus.decision_reason == f"Note {SCRIPT}"


def raw_markup(html: str) -> list[str]:
    """Payload markup that reached the page unescaped."""
    return [payload for payload in (SCRIPT, "<img src=x onerror", "<img/src=x") if payload in html]


def test_no_lead_or_admin_page_carries_the_markup_unescaped(client, root, hostile):
    client.force_login(root)

    pages = {name: client.get(url) for name, url in lead_pages(hostile).items()}

    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    assert {name: raw_markup(r.content.decode()) for name, r in pages.items()} == dict.fromkeys(pages, [])
    # It is there, escaped, where it belongs.
    assert "Talks &lt;script&gt;window.__xss = 1&lt;/script&gt;" in pages["article page"].content.decode()
    assert "Note &lt;script&gt;" in pages["curate"].content.decode()
    assert "Label &quot;&gt;&lt;img src=x" in pages["reports"].content.decode()


def test_no_reviewer_page_carries_the_markup_unescaped(client, alice, hostile):
    client.force_login(alice)

    pages = {name: client.get(url) for name, url in reviewer_pages(hostile).items()}

    assert {name: raw_markup(r.content.decode()) for name, r in pages.items()} == dict.fromkeys(pages, [])
    assert "Note &lt;script&gt;" in pages["article page with feedback"].content.decode()


def test_the_json_endpoints_return_the_payloads_as_data(client, root, hostile):
    client.force_login(root)

    data = client.get(reverse("article-annotations", args=[hostile.article.pk])).json()

    assert {a["note"] for a in data["annotations"]} == {f"Note {SCRIPT}"}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>x</script>"])
def test_a_script_url_is_refused_as_evidence_by_the_json_endpoint(client, lena, article, labels, url):
    client.force_login(lena)

    response = client.post(
        reverse("article-annotations", args=[article.pk]),
        data={"label": "fact", "start": 0, "end": 10, "quote": "Lukashenko", "evidence_url": url},
        content_type="application/json",
    )

    assert (response.status_code, response.json()["error"]["field"]) == (400, "evidence_url")
    assert not Annotation.objects.exists()


def test_a_script_url_is_refused_when_a_span_is_changed(client, alice, article, labels):
    span = make_annotation(article, labels["fact"], alice, quote="Xi")
    assign(article, alice)
    client.force_login(alice)

    response = client.patch(
        reverse("annotation-detail", args=[span.pk]),
        data={"evidence_url": "javascript:alert(1)"},
        content_type="application/json",
    )

    assert (response.status_code, response.json()["error"]["field"]) == (400, "evidence_url")
    span.refresh_from_db()
    assert span.evidence_url == ""


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("javascript:alert(1)", True),
        ("ftp://example.org/file", True),  # a URLField takes it; our links must be web pages
        ("https://example.org/a", False),
        ("http://example.org/a", False),
        ("", False),
    ],
)
def test_evidence_article_and_homepage_urls_must_be_web_addresses(article, labels, alice, url, refused):
    span = Annotation(article=article, label=labels["fact"], start=15, end=17, quote="Xi", reviewer=alice)
    candidates = [
        (span, "evidence_url"),
        (article, "url"),
        (article.source, "homepage"),
    ]
    for instance, field in candidates:
        setattr(instance, field, url)
        if refused:
            with pytest.raises(ValidationError) as error:
                instance.full_clean(validate_unique=False)
            assert field in error.value.message_dict
        else:
            instance.full_clean(validate_unique=False)


def test_an_article_with_a_script_url_is_refused_by_the_import(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"title": "T", "source": "S", "url": "javascript:alert(1)", "text": "Some text."}))

    report = articles_in.import_paths([path])

    assert len(report.failed) == 1
    assert "url" in report.failed[0][1]
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://example.org/", "https://example.org/"),
        ("HTTP://example.org/", "HTTP://example.org/"),
        ("javascript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("ftp://example.org/", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_web_url_filter_lets_only_http_links_through(value, shown):
    assert web_url(value) == shown
