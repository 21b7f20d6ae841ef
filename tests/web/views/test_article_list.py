"""The article list: what each row shows, search, filters, sorting, paging,
and a query count that does not grow with the number of articles."""

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from annotate.models import Annotation, Source
from tests.conftest import assign, make_annotation, make_article

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<tr>\s*<td><a href="/articles/(?P<id>\d+)/">(?P<title>.*?)</a></td>\s*'
    r"<td>(?P<source>.*?)</td>\s*<td>(?P<published>.*?)</td>\s*"
    r'<td class="num">(?P<mine>\d+) / (?P<all>\d+)</td>\s*</tr>'
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(response) -> list[tuple[str, str, str, int, int]]:
    """(title, source, published, mine, all) for each row, in page order."""
    return [
        (html.unescape(m["title"]), html.unescape(m["source"]), m["published"], int(m["mine"]), int(m["all"]))
        for m in ROW.finditer(response.content.decode())
    ]


def titles(response) -> list[str]:
    return [row[0] for row in rows(response)]


def get_list(client, **params):
    response = client.get(reverse("article-list"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def shelf(alice, bob, lena, labels, settings):
    """Three articles from two outlets, with spans by alice, bob and lena.
    Independent judgement is off here, so "all" counts everyone's spans;
    test_all_counts_only_what_the_reviewer_may_see covers it on."""
    settings.INDEPENDENT_REVIEW = False
    belta = make_article(
        "Officials said the harvest was a record.", title="Harvest <record>", source="Belta", published="2023-03-05"
    )
    niva = make_article(
        "Farmers disputed the figures on the radio.", title="Farmers reply", source="Nasha Niva", published="2023-04-01"
    )
    quiet = make_article("Nothing much happened in Hrodna.", title="Quiet week", source="Belta")
    make_annotation(belta, labels["fact"], alice, quote="Officials said")
    make_annotation(belta, labels["opinion"], alice, quote="a record")
    make_annotation(belta, labels["fact"], bob, quote="Officials said")
    make_annotation(belta, labels["fact"], lena, quote="the harvest", layer=Annotation.Layer.CONSENSUS)
    make_annotation(niva, labels["unsupported_claim"], bob, quote="disputed the figures")
    for article in (belta, niva, quiet):
        assign(article, alice, bob)
    return {"belta": belta, "niva": niva, "quiet": quiet}


def test_each_row_shows_title_source_date_and_my_and_all_counts(shelf, alice):
    response = get_list(client_for(alice))

    assert rows(response) == [
        ("Farmers reply", "Nasha Niva", "2023-04-01", 0, 1),
        ("Harvest <record>", "Belta", "2023-03-05", 2, 4),
        ("Quiet week", "Belta", "Unknown", 0, 0),
    ]
    assert "Articles, 3 in all" in response.content.decode()


def test_my_counts_are_the_signed_in_reviewers_own(shelf, bob):
    response = get_list(client_for(bob))

    assert [(title, mine, total) for title, _, _, mine, total in rows(response)] == [
        ("Farmers reply", 1, 1),
        ("Harvest <record>", 1, 4),
        ("Quiet week", 0, 0),
    ]


def test_rows_link_to_each_article(shelf, alice):
    page = get_list(client_for(alice)).content.decode()

    assert [int(m["id"]) for m in ROW.finditer(page)] == [shelf["niva"].pk, shelf["belta"].pk, shelf["quiet"].pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("harvest", ["Harvest <record>"], id="in-the-title-and-text"),
        pytest.param("FARMERS", ["Farmers reply"], id="ignores-case"),
        pytest.param("radio", ["Farmers reply"], id="only-in-the-text"),
        pytest.param("<record>", ["Harvest <record>"], id="only-in-the-title"),
        pytest.param("  Hrodna  ", ["Quiet week"], id="trims-spaces"),
        pytest.param("Vitsebsk", [], id="no-match"),
    ],
)
def test_search_matches_title_or_text(shelf, alice, query, expected):
    response = get_list(client_for(alice), q=query)

    assert titles(response) == expected


def test_no_match_says_so(shelf, alice):
    response = get_list(client_for(alice), q="Vitsebsk")

    assert '<td colspan="4">No articles match.</td>' in response.content.decode()


def test_filter_by_source(shelf, alice):
    belta = Source.objects.get(name="Belta")

    response = get_list(client_for(alice), source=belta.pk)

    assert titles(response) == ["Harvest <record>", "Quiet week"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("opinion", ["Harvest <record>"]),
        ("fact", ["Harvest <record>"]),
        ("unsupported_claim", ["Farmers reply"]),
        ("quote", []),
    ],
)
def test_filter_by_label_keeps_articles_with_such_a_span_and_their_full_counts(shelf, alice, label, expected):
    response = get_list(client_for(alice), label=label)

    assert titles(response) == expected
    # The filter chooses articles; it does not narrow what they count.
    assert [row[3:] for row in rows(response)] == [
        {"Harvest <record>": (2, 4), "Farmers reply": (0, 1)}[t] for t in expected
    ]


def test_filters_combine(shelf, alice):
    belta = Source.objects.get(name="Belta")

    assert titles(get_list(client_for(alice), source=belta.pk, label="unsupported_claim")) == []
    assert titles(get_list(client_for(alice), source=belta.pk, q="hrodna")) == ["Quiet week"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Farmers reply", "Harvest <record>", "Quiet week"]),
        ("", ["Farmers reply", "Harvest <record>", "Quiet week"]),
        # Undated articles go last either way: "unknown" is neither old nor new.
        ("oldest", ["Harvest <record>", "Farmers reply", "Quiet week"]),
    ],
)
def test_sort_by_date(shelf, alice, sort, expected):
    assert titles(get_list(client_for(alice), sort=sort)) == expected


def test_same_day_articles_are_ordered_by_title(lena):
    for title in ["Beta", "alpha", "Gamma"]:
        make_article(f"Text of {title}.", title=title, published="2024-01-01")

    assert titles(get_list(client_for(lena), sort="oldest")) == ["Beta", "Gamma", "alpha"]


@pytest.mark.parametrize(
    "stale",
    [
        pytest.param({"source": "987654"}, id="a-deleted-source"),
        pytest.param({"label": "rumour"}, id="an-unknown-label"),
        pytest.param({"sort": "sideways"}, id="an-unknown-sort"),
    ],
)
def test_a_stale_filter_is_ignored_but_the_others_still_apply(shelf, alice, stale):
    response = get_list(client_for(alice), q="farmers", **stale)

    assert titles(response) == ["Farmers reply"]


@pytest.fixture
def thirty(alice):
    start = dt.date(2024, 1, 1)
    for day in range(30):
        published = start + dt.timedelta(days=day)
        make_article(f"Report number {day}.", title=f"Report {day:02d}", published=published.isoformat())


def test_the_list_shows_25_articles_a_page(thirty, lena):
    first = get_list(client_for(lena))
    second = get_list(client_for(lena), page=2)

    assert titles(first) == [f"Report {day:02d}" for day in range(29, 4, -1)]
    assert titles(second) == [f"Report {day:02d}" for day in range(4, -1, -1)]
    assert "<span>Page 1 of 2</span>" in first.content.decode()
    assert '<a href="?page=2">Next →</a>' in first.content.decode()
    assert '<a href="?page=1">← Previous</a>' in second.content.decode()


def test_paging_links_keep_the_search_and_sort(thirty, lena):
    make_article("Something else entirely.", title="Other")

    response = get_list(client_for(lena), q="report", sort="oldest", page=2)

    page = response.content.decode()
    assert titles(response) == [f"Report {day:02d}" for day in range(25, 30)]
    assert "<span>Page 2 of 2</span>" in page
    assert '<a href="?q=report&amp;sort=oldest&amp;page=1">← Previous</a>' in page
    assert "Next →" not in page


def test_a_page_past_the_end_shows_the_last_page(thirty, lena):
    response = get_list(client_for(lena), page=99)

    assert titles(response) == [f"Report {day:02d}" for day in range(4, -1, -1)]


def test_one_page_has_no_pager(shelf, alice):
    assert 'class="pager"' not in get_list(client_for(alice)).content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(client, shelf):
    response = client.get(reverse("article-list"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_the_form_keeps_the_chosen_values(shelf, alice):
    belta = Source.objects.get(name="Belta")

    page = get_list(client_for(alice), q="harvest", source=belta.pk, label="fact").content.decode()

    assert 'name="q" value="harvest"' in page
    assert f'<option value="{belta.pk}" selected>Belta</option>' in page
    assert '<option value="fact" selected>Fact</option>' in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_the_same_number_of_queries_however_many_articles(
    alice, bob, labels, count, django_assert_num_queries, settings
):
    settings.INDEPENDENT_REVIEW = False  # "all" counts bob's spans too
    for index in range(count):
        article = make_article(
            f"Story {index} about the harvest.", title=f"Story {index}", source=f"Outlet {index % 4}"
        )
        make_annotation(article, labels["fact"], alice, quote="harvest")
        make_annotation(article, labels["opinion"], bob, quote="Story")
        assign(article, alice)
    client = client_for(alice)

    # session, user, is the user a lead, count, the page's rows, the source and label options
    with django_assert_num_queries(7):
        response = get_list(client)

    assert len(rows(response)) == min(count, 25)
    assert {row[3:] for row in rows(response)} == {(1, 2)}


def test_filtering_adds_only_the_lookups_of_the_chosen_source_and_label(shelf, alice, django_assert_num_queries):
    belta = Source.objects.get(name="Belta")
    client = client_for(alice)

    # as above, plus looking up the chosen source and label
    with django_assert_num_queries(9):
        response = get_list(client, source=belta.pk, label="fact", q="harvest")

    assert titles(response) == ["Harvest <record>"]


def test_a_reviewer_lists_only_the_articles_assigned_to_them(shelf, alice, lena, db):
    elsewhere = make_article("Somebody else's story.", title="Not yours", source="Belta")

    assert "Not yours" not in titles(get_list(client_for(alice)))
    assert "Not yours" in titles(get_list(client_for(lena)))
    assert client_for(alice).get(reverse("article-detail", args=[elsewhere.pk])).status_code == 404
    assert client_for(lena).get(reverse("article-detail", args=[elsewhere.pk])).status_code == 200


def test_a_user_with_no_assignments_sees_an_empty_list(db):
    from tests.conftest import make_reviewer

    newcomer = make_reviewer("newcomer")
    make_article("A story nobody assigned.", title="Unassigned")

    assert titles(get_list(client_for(newcomer))) == []


def test_all_counts_only_what_the_reviewer_may_see(alice, bob, lena, labels):
    article = make_article("Officials said the harvest was a record.", title="Harvest", source="Belta")
    assign(article, alice, bob)
    make_annotation(article, labels["fact"], alice, quote="Officials said")
    make_annotation(article, labels["opinion"], bob, quote="a record")
    make_annotation(article, labels["fact"], lena, quote="the harvest", layer=Annotation.Layer.CONSENSUS)

    assert rows(get_list(client_for(alice)))[0][3:] == (1, 1)  # bob's span is not hinted at
    assert rows(get_list(client_for(lena)))[0][3:] == (1, 3)
    from annotate.models import Assignment

    Assignment.objects.filter(reviewer=alice).update(status="submitted", submitted_at=article.imported_at)
    assert rows(get_list(client_for(alice)))[0][3:] == (1, 2)  # submitted: the others' spans count
