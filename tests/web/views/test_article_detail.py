"""The review workspace page: the article's text exactly as stored, the label
bar, and the spans handed to the browser through json_script."""

import html
import json
import re
from html.parser import HTMLParser
from itertools import cycle

import pytest
from django.test import Client
from django.urls import reverse

from annotate.models import Annotation, Label
from tests.conftest import assign, make_annotation, make_article, make_user

pytestmark = pytest.mark.django_db


def utf16_offset(text: str, offset: int) -> int:
    """The browser's (UTF-16) offset for a code point offset, from the encoding itself."""
    return len(text[:offset].encode("utf-16-le", "surrogatepass")) // 2


TEXT = (
    "Minsk 👍🏽 report.\n\n\n\n"
    "The flag 🇧🇾 flew; 北京 said q\u0303uite\u00a0firmly.\n\n"
    "Café <owners> & “friends” agreed. 𝔘"
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def article_text_in(page: str) -> str:
    """The ``#article-text`` div's content as the browser reads it."""
    match = re.search(r'<div id="article-text"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert match, "no #article-text div"
    assert "<" not in match.group(1), "markup inside the article text"
    return html.unescape(match.group(1))


def workspace_data_in(page: str) -> dict:
    match = re.search(r'<script id="workspace-data" type="application/json">(.*?)</script>', page, re.DOTALL)
    assert match, "no workspace-data script"
    return json.loads(match.group(1))


class LabelButtons(HTMLParser):
    """(data-label, visible text, aria-keyshortcuts) of every label button."""

    def __init__(self):
        super().__init__()
        self.buttons: list[tuple[str, str, str | None]] = []
        self._open: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "button" and "label-button" in (attrs.get("class") or "").split():
            self._open = (attrs, [])

    def handle_data(self, data):
        if self._open:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "button" and self._open:
            attrs, text = self._open
            self.buttons.append((attrs["data-label"], " ".join("".join(text).split()), attrs.get("aria-keyshortcuts")))
            self._open = None


def label_buttons_in(page: str) -> list[tuple[str, str, str | None]]:
    parser = LabelButtons()
    parser.feed(page)
    return parser.buttons


@pytest.fixture
def mixed(alice, bob):
    """The article alice and bob are assigned."""
    article = make_article(TEXT, title="Mixed scripts", source="Nasha Niva", byline="A. Writer", published="2023-03-05")
    assert article.text == TEXT
    assign(article, alice, bob)
    return article


def test_the_page_shows_the_stored_text_exactly(mixed, alice):
    response = client_for(alice).get(reverse("article-detail", args=[mixed.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert article_text_in(page) == TEXT
    assert "Café &lt;owners&gt; &amp; “friends”" in page
    assert "<h1>Mixed scripts</h1>" in page
    assert "<span>Nasha Niva</span>" in page
    assert "<span>A. Writer</span>" in page
    assert "<span>5 March 2023</span>" in page
    assert "<title>Mixed scripts · Sourcemark</title>" in page


def test_the_label_bar_has_every_label_with_its_name_and_shortcut(mixed, alice, labels):
    response = client_for(alice).get(reverse("article-detail", args=[mixed.pk]))

    assert label_buttons_in(response.content.decode()) == [
        ("fact", "Fact F", "F"),
        ("quote", "Quote Q", "Q"),
        ("opinion", "Opinion O", "O"),
        ("unsupported_claim", "Unsupported claim U", "U"),
    ]


def test_a_label_without_a_shortcut_has_no_key_hint(mixed, alice, labels):
    Label.objects.create(slug="satire", name="Satire", colour="#123456", order=9)

    response = client_for(alice).get(reverse("article-detail", args=[mixed.pk]))

    assert label_buttons_in(response.content.decode())[-1] == ("satire", "Satire", None)


def test_workspace_data_has_the_spans_with_utf16_offsets_and_who_may_change_them(mixed, alice, bob, labels, settings):
    # Written before independent judgement: every reviewer sees every span here.
    settings.INDEPENDENT_REVIEW = False
    flag = make_annotation(mixed, labels["fact"], bob, quote="🇧🇾")
    said = make_annotation(mixed, labels["quote"], alice, quote="北京 said q\u0303uite\u00a0firmly", speaker="Xi")
    last = make_annotation(mixed, labels["opinion"], alice, quote="agreed. 𝔘", note="odd")

    response = client_for(alice).get(reverse("article-detail", args=[mixed.pk]))

    data = workspace_data_in(response.content.decode())
    assert (data["article"], data["user"], data["can_annotate"]) == (mixed.pk, "alice", True)
    assert [label["slug"] for label in data["labels"]] == ["fact", "quote", "opinion", "unsupported_claim"]
    assert data["labels"][0] == {"slug": "fact", "name": "Fact", "colour": "#2a9d8f", "shortcut": "F"}
    items = data["annotations"]
    assert [(i["id"], i["reviewer"], i["label"], i["can_change"]) for i in items] == [
        (flag.pk, "bob", "fact", False),
        (said.pk, "alice", "quote", True),
        (last.pk, "alice", "opinion", True),
    ]
    for item, annotation in zip(items, [flag, said, last], strict=True):
        assert (item["start"], item["end"], item["quote"]) == (annotation.start, annotation.end, annotation.quote)
        assert item["start16"] == utf16_offset(TEXT, annotation.start)
        assert item["end16"] == utf16_offset(TEXT, annotation.end)
        # The browser slices its UTF-16 string with these; the quote is what it must find.
        as_utf16 = TEXT.encode("utf-16-le")[item["start16"] * 2 : item["end16"] * 2].decode("utf-16-le")
        assert as_utf16 == item["quote"]
    assert (items[1]["speaker"], items[2]["note"]) == ("Xi", "odd")
    assert items[2]["end16"] == len(TEXT.encode("utf-16-le")) // 2


def test_another_reviewer_sees_the_same_spans_but_may_change_only_their_own(mixed, alice, bob, labels, settings):
    # Written before independent judgement: every reviewer sees every span here.
    settings.INDEPENDENT_REVIEW = False
    make_annotation(mixed, labels["fact"], alice, quote="Minsk")
    make_annotation(mixed, labels["fact"], bob, quote="report")

    response = client_for(bob).get(reverse("article-detail", args=[mixed.pk]))

    data = workspace_data_in(response.content.decode())
    assert data["user"] == "bob"
    assert [(i["reviewer"], i["can_change"]) for i in data["annotations"]] == [("alice", False), ("bob", True)]


def test_anonymous_visitor_is_sent_to_sign_in(client, mixed):
    url = reverse("article-detail", args=[mixed.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_unknown_article_is_404(alice):
    response = client_for(alice).get(reverse("article-detail", args=[987_654]))

    assert response.status_code == 404


def test_post_is_not_allowed_on_the_page(mixed, alice):
    response = client_for(alice).post(reverse("article-detail", args=[mixed.pk]))

    assert response.status_code == 405


def test_markup_in_the_text_title_source_and_notes_is_escaped(alice, labels):
    text = 'Evil <script>alert("text")</script> & </div><img src=x onerror=alert(1)> end.'
    title = "<script>alert('title')</script>"
    article = make_article(text, title=title, source="<b>Bold news</b>")
    note = '</script><script>alert("note")</script>'
    make_annotation(article, labels["opinion"], alice, quote="<script>", note=note, speaker="<i>who</i>")
    assign(article, alice)
    Label.objects.create(slug="odd", name="<em>Odd</em>", description='"><script>alert(1)</script>', order=9)

    response = client_for(alice).get(reverse("article-detail", args=[article.pk]))

    page = response.content.decode()
    # Only the page's own two scripts: the module and the json_script data.
    assert page.count("<script") == 2
    assert "<img" not in page
    assert "<em>" not in page and "<b>" not in page and "<i>" not in page
    assert article_text_in(page) == text
    assert "<h1>&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;</h1>" in page
    assert "<title>&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; · Sourcemark</title>" in page
    assert "<span>&lt;b&gt;Bold news&lt;/b&gt;</span>" in page
    data = workspace_data_in(page)
    assert (data["annotations"][0]["note"], data["annotations"][0]["quote"]) == (note, "<script>")
    assert data["labels"][-1]["name"] == "<em>Odd</em>"


# Query count ----------------------------------------------------------------

WORDS = [f"w{index:03d}{'👍' if index % 3 == 0 else 'é'}" for index in range(500)]


def add_spans(article, reviewers, labels, count: int) -> None:
    """``count`` valid spans, one word each, from several reviewers and labels."""
    spans, position = [], 0
    reviewer_cycle, label_cycle = cycle(reviewers), cycle(labels.values())
    for word in WORDS[:count]:
        start = article.text.index(word, position)
        end = position = start + len(word)
        spans.append(
            Annotation(
                article=article,
                label=next(label_cycle),
                reviewer=next(reviewer_cycle),
                start=start,
                end=end,
                quote=article.text[start:end],
                note=f"note {start}",
            )
        )
    Annotation.objects.bulk_create(spans)


@pytest.mark.parametrize("count", [5, 500])
def test_the_page_takes_the_same_number_of_queries_however_many_spans(
    alice, bob, labels, count, django_assert_num_queries, settings
):
    # Written before independent judgement: every reviewer sees every span here.
    settings.INDEPENDENT_REVIEW = False
    article = make_article(" ".join(WORDS) + "\n", title="Long")
    add_spans(article, [alice, bob, make_user("carol")], labels, count)
    assign(article, alice)
    client = client_for(alice)
    url = reverse("article-detail", args=[article.pk])

    # session, user, is she a lead, article with source, her assignment, is it adjudicated,
    # spans with labels and reviewers, labels
    with django_assert_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
    items = workspace_data_in(response.content.decode())["annotations"]
    assert len(items) == count
    assert [i["reviewer"] for i in items[:4]] == ["alice", "bob", "carol", "alice"]
    assert sum(i["can_change"] for i in items) == len(range(0, count, 3))
    for item in items:
        assert item["start16"] == utf16_offset(article.text, item["start"])
        assert item["end16"] == utf16_offset(article.text, item["end"])
