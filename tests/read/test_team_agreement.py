"""annotate/team_agreement.py and the leads' team page with its downloads.

The hand-made desk: alice, bob and carol submitted three articles, dave marked
spans but never submitted, lena (a lead) added a consensus span, and a fourth
article has one submitted review, so it is left out. Offsets, per article
(F fact, Q quote, O opinion):

    Daily Planet, article A (40 characters)
      alice   fact [0,10)   opinion [20,30)
      bob     fact [0,10)   opinion [22,30)   quote [30,35)
      carol   fact [0,8)    quote [20,30)
      dave    fact [0,10)   opinion [10,20)   (not submitted: ignored)
      lena    fact [0,40) on the consensus layer (ignored)
    Gazette, article B (20 characters)
      alice   quote [0,5)
      bob     quote [0,5)
      carol   nothing
      dave    opinion [5,10)  (not submitted: ignored)
    Gazette, article D (20 characters): alice and bob submitted, nothing marked
    Daily Planet, article C: only alice submitted (bob is in progress): left out

Pairs, worked by hand (split = exact / boundary / label / unmatched):

    alice·bob    A: fact exact (2), opinion boundary (2), bob's quote unmatched (1)
                 B: quote exact (2)             → spans 3/4, exact matches 2,
                 overlap matches 3, split 4/2/0/1, exact F1 4/7, overlap F1 6/7
    alice·carol  A: fact boundary (2), alice's opinion vs carol's quote label (2)
                 B: alice's quote unmatched (1) → spans 3/2, exact 0, overlap 1,
                 split 0/2/2/1, exact F1 0, overlap F1 2/5
    bob·carol    A: fact boundary (2), bob's opinion and carol's quote label (2),
                 bob's quote [30,35) unmatched (1)
                 B: bob's quote unmatched (1)   → spans 4/2, exact 0, overlap 1,
                 split 0/2/2/2, exact F1 0, overlap F1 1/3
"""

import csv
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser

from annotate.models import Assignment
from annotate.read import team_agreement
from annotate.rules import agreement
from annotate.rules.agreement import ReviewerSpan, SpanCounts
from tests.conftest import make_annotation, make_article, make_assignment, make_user

pytestmark = pytest.mark.django_db

SUBMITTED = Assignment.Status.SUBMITTED
TEXT_A = "Minsk and Beijing signed a deal on Monday, said the paper."[:40]
TEXT_B = "Xi said: Good times."
TEXT_D = "Nothing to see here."
LABELS = ("fact", "quote", "opinion", "unsupported_claim")

SPANS_A = [
    ReviewerSpan("alice", "fact", 0, 10),
    ReviewerSpan("alice", "opinion", 20, 30),
    ReviewerSpan("bob", "fact", 0, 10),
    ReviewerSpan("bob", "opinion", 22, 30),
    ReviewerSpan("bob", "quote", 30, 35),
    ReviewerSpan("carol", "fact", 0, 8),
    ReviewerSpan("carol", "quote", 20, 30),
]
SPANS_B = [ReviewerSpan("alice", "quote", 0, 5), ReviewerSpan("bob", "quote", 0, 5)]
FEW = "Only {} spans behind this figure; fewer than 10 is too few to mean much."

ALICE_BOB = SpanCounts(
    spans_a=3,
    spans_b=4,
    exact_matches=2,
    overlap_matches=3,
    exact_agreements=4,
    boundary_disagreements=2,
    label_disagreements=0,
    unmatched=1,
)
ALICE_CAROL = SpanCounts(
    spans_a=3,
    spans_b=2,
    exact_matches=0,
    overlap_matches=1,
    exact_agreements=0,
    boundary_disagreements=2,
    label_disagreements=2,
    unmatched=1,
)
BOB_CAROL = SpanCounts(
    spans_a=4,
    spans_b=2,
    exact_matches=0,
    overlap_matches=1,
    exact_agreements=0,
    boundary_disagreements=2,
    label_disagreements=2,
    unmatched=2,
)
# Every pair of every article, per label (the pairs above split by label).
BY_LABEL = {
    "fact": SpanCounts(3, 3, 1, 3, 2, 4, 0, 0),
    "quote": SpanCounts(4, 4, 1, 1, 2, 0, 2, 4),
    "opinion": SpanCounts(3, 1, 0, 1, 0, 2, 2, 0),
    "unsupported_claim": SpanCounts(),
}


def alpha_of(text: str, spans, reviewers=("alice", "bob", "carol")) -> agreement.Figure:
    return agreement.article_agreement(text_length=len(text), spans=spans, reviewers=reviewers, labels=LABELS).alpha


@pytest.fixture
def desk(alice, bob, lena, labels):
    assert len(TEXT_A) == 40
    carol, dave = make_user("carol"), make_user("dave")
    a = make_article(TEXT_A, title="A", source="Daily Planet")
    b = make_article(TEXT_B, title="B", source="Gazette")
    c = make_article("Only alice submitted this one.", title="C", source="Daily Planet")
    d = make_article(TEXT_D, title="D", source="Gazette")
    users = {"alice": alice, "bob": bob, "carol": carol, "dave": dave}
    for article, spans in ((a, SPANS_A), (b, SPANS_B)):
        for span in spans:
            make_annotation(article, labels[span.label], users[span.reviewer], start=span.start, end=span.end)
    make_annotation(a, labels["fact"], dave, start=0, end=10)
    make_annotation(a, labels["opinion"], dave, start=10, end=20)
    make_annotation(b, labels["opinion"], dave, start=5, end=10)
    make_annotation(a, labels["fact"], lena, start=0, end=40, layer="consensus")
    make_annotation(c, labels["fact"], alice, start=0, end=4)
    make_annotation(c, labels["fact"], bob, start=0, end=4)
    for article in (a, b):
        for reviewer in (alice, bob, carol):
            make_assignment(article, reviewer, status=SUBMITTED)
        make_assignment(article, dave, status=Assignment.Status.IN_PROGRESS)
    make_assignment(d, alice, status=SUBMITTED)
    make_assignment(d, bob, status=SUBMITTED)
    make_assignment(c, alice, status=SUBMITTED)
    make_assignment(c, bob, status=Assignment.Status.IN_PROGRESS)
    return {"A": a, "B": b, "C": c, "D": d}


@pytest.fixture
def lena_client(client, lena):
    client.force_login(lena)
    return client


# --- annotate.read.team_agreement -----------------------------------------------------------


def test_article_agreement_uses_only_submitted_reviewers_and_their_reviewer_spans(desk):
    result = team_agreement.article_agreement_for(desk["A"])

    assert result == agreement.article_agreement(
        text_length=40, spans=SPANS_A, reviewers=("alice", "bob", "carol"), labels=LABELS
    )
    assert [(p.reviewer_a, p.reviewer_b) for p in result.pairs] == [
        ("alice", "bob"),
        ("alice", "carol"),
        ("bob", "carol"),
    ]


def test_article_agreement_is_none_with_fewer_than_two_submitted_reviews(desk):
    assert team_agreement.article_agreement_for(desk["C"]) is None


def test_team_agreement_sums_each_pair_over_the_articles_both_submitted(desk):
    result = team_agreement.team_agreement()

    assert result.labels == LABELS
    assert result.articles == 3
    assert [(p.reviewer_a, p.reviewer_b, p.articles, p.total) for p in result.pairs] == [
        ("alice", "bob", 3, ALICE_BOB),
        ("alice", "carol", 2, ALICE_CAROL),
        ("bob", "carol", 2, BOB_CAROL),
    ]
    assert ALICE_BOB.exact_f1 == agreement.Figure(4 / 7, 7, 7, FEW.format(7))
    assert ALICE_BOB.overlap_f1.value == 6 / 7
    assert BOB_CAROL.overlap_f1.value == 1 / 3
    assert result.pairs[0].by_label["quote"] == SpanCounts(1, 2, 1, 1, 2, 0, 0, 1)
    assert result.by_label == BY_LABEL
    assert list(result.by_label) == list(LABELS)


def test_team_agreement_per_source_averages_only_defined_alphas(desk):
    alpha_a = alpha_of(TEXT_A, SPANS_A)
    alpha_b = alpha_of(TEXT_B, SPANS_B)
    assert alpha_a.value is not None and alpha_b.value is not None
    # D: both reviewers left every character unmarked, so its alpha is undefined.
    assert alpha_of(TEXT_D, [], ("alice", "bob")).value is None

    planet, gazette = team_agreement.team_agreement().sources

    assert (planet.name, planet.articles, planet.alpha_articles, planet.alpha_characters) == ("Daily Planet", 1, 1, 40)
    assert planet.mean_alpha == alpha_a.value
    assert planet.counts == SpanCounts(7, 7, 1, 4, 2, 6, 4, 2)
    assert (gazette.name, gazette.articles, gazette.alpha_articles, gazette.alpha_characters) == ("Gazette", 2, 1, 20)
    assert gazette.mean_alpha == alpha_b.value
    assert gazette.counts == SpanCounts(3, 1, 1, 1, 2, 0, 0, 2)
    assert gazette.counts.exact_f1.value == 0.5


def test_the_mean_alpha_of_a_source_is_the_plain_mean_of_its_articles(alice, bob, labels):
    texts = ["First text of twenty", "Second one, also 20."]
    spans = [
        [ReviewerSpan("alice", "fact", 0, 5), ReviewerSpan("bob", "fact", 0, 6)],
        [ReviewerSpan("alice", "quote", 2, 9)],
    ]
    for text, article_spans in zip(texts, spans, strict=True):
        article = make_article(text, source="Herald")
        for span in article_spans:
            make_annotation(
                article, labels[span.label], {"alice": alice, "bob": bob}[span.reviewer], start=span.start, end=span.end
            )
        make_assignment(article, alice, status=SUBMITTED)
        make_assignment(article, bob, status=SUBMITTED)
    alphas = [alpha_of(text, s, ("alice", "bob")).value for text, s in zip(texts, spans, strict=True)]

    (herald,) = team_agreement.team_agreement().sources

    assert herald.mean_alpha == pytest.approx((alphas[0] + alphas[1]) / 2, abs=1e-12)
    assert (herald.alpha_articles, herald.alpha_characters) == (2, 40)


def test_team_agreement_for_one_source_leaves_the_others_out(desk):
    result = team_agreement.team_agreement(source=desk["B"].source_id)

    assert result.articles == 2
    assert [s.name for s in result.sources] == ["Gazette"]
    assert [(p.reviewer_a, p.reviewer_b, p.articles, p.total) for p in result.pairs] == [
        ("alice", "bob", 2, SpanCounts(1, 1, 1, 1, 2, 0, 0, 0)),
        ("alice", "carol", 1, SpanCounts(1, 0, 0, 0, 0, 0, 0, 1)),
        ("bob", "carol", 1, SpanCounts(1, 0, 0, 0, 0, 0, 0, 1)),
    ]


def test_team_agreement_with_nothing_submitted_is_empty(alice, labels):
    result = team_agreement.team_agreement()

    assert (result.articles, result.pairs, result.sources) == (0, (), ())
    assert result.by_label == dict.fromkeys(LABELS, SpanCounts())


@pytest.mark.parametrize("articles", [2, 6])
def test_team_agreement_asks_the_database_the_same_number_of_times_for_any_number_of_articles(
    articles, alice, bob, labels, django_assert_num_queries
):
    for number in range(articles):
        article = make_article(f"Article number {number} says something.", source=f"Source {number % 2}")
        make_annotation(article, labels["fact"], alice, start=0, end=7)
        make_annotation(article, labels["quote"], bob, start=3, end=10)
        make_assignment(article, alice, status=SUBMITTED)
        make_assignment(article, bob, status=SUBMITTED)

    # Submitted assignments with their articles, the labels, the spans.
    with django_assert_num_queries(3):
        result = team_agreement.team_agreement()

    assert result.articles == articles
    assert result.pairs[0].total.spans == 2 * articles


# --- the page and its downloads ----------------------------------------------


@pytest.mark.parametrize("path", ["/team/", "/team/agreement.csv", "/team/agreement.json"])
@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("alice", 403), ("lena", 200), ("root", 200)])
def test_only_leads_and_admins_see_the_team_figures(client, alice, lena, root, labels, who, path, status):
    user = {"anonymous": AnonymousUser(), "alice": alice, "lena": lena, "root": root}[who]
    if user.is_authenticated:
        client.force_login(user)

    response = client.get(path)

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={path}"


def test_the_page_shows_each_figure_with_what_it_rests_on(lena_client, desk):
    response = lena_client.get("/team/")

    assert response.status_code == 200
    result = response.context["team"]
    assert [p.total for p in result.pairs] == [ALICE_BOB, ALICE_CAROL, BOB_CAROL]
    assert result.by_label == BY_LABEL
    html = response.content.decode()
    assert "3 articles with at least two submitted reviews" in html
    assert '0.571 <small class="muted">(7 spans)</small>' in html  # alice·bob exact F1, 4/7
    assert '0.857 <small class="muted">(7 spans)</small>' in html  # alice·bob overlap F1, 6/7
    assert FEW.format(7) in html
    assert "No spans to compare, so F1 is undefined." in html  # unsupported_claim
    assert f'{alpha_of(TEXT_A, SPANS_A).value:.3f} <small class="muted">(1 article, 40 characters)</small>' in html
    assert "How these are computed" in html
    assert 'href="/team/agreement.csv"' in html and 'href="/team/agreement.json"' in html


def test_the_navigation_links_to_the_team_page_for_leads_only(client, alice, lena):
    client.force_login(lena)
    assert 'href="/team/"' in client.get("/queue/").content.decode()
    client.force_login(alice)
    assert 'href="/team/"' not in client.get("/queue/").content.decode()


def test_the_page_filters_by_source_and_keeps_the_filter_on_the_downloads(lena_client, desk):
    gazette = desk["B"].source_id

    response = lena_client.get(f"/team/?source={gazette}")

    assert response.context["team"].articles == 2
    assert response.context["source"].name == "Gazette"
    assert f'href="/team/agreement.csv?source={gazette}"' in response.content.decode()


@pytest.mark.parametrize(("query", "status"), [("source=999999", 404), ("source=abc", 400)])
def test_an_unknown_or_malformed_source_is_refused(lena_client, desk, query, status):
    assert lena_client.get(f"/team/?{query}").status_code == status
    assert lena_client.get(f"/team/agreement.csv?{query}").status_code == status


def test_an_unknown_download_format_is_404(lena_client, desk):
    assert lena_client.get("/team/agreement.xlsx").status_code == 404


def test_the_csv_has_one_row_per_pair_and_label_with_the_pairs_figures(lena_client, desk):
    response = lena_client.get("/team/agreement.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="team-agreement.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(team_agreement.DOWNLOAD_COLUMNS)
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (a, b, label) for a, b in (("alice", "bob"), ("alice", "carol"), ("bob", "carol")) for label in ("all", *LABELS)
    ]
    assert rows[1] == ["alice", "bob", "all", "3", "4", str(4 / 7), str(6 / 7), "4", "2", "0", "1", FEW.format(7)]
    # alice·bob never marked an unsupported claim: F1 is undefined, written empty.
    assert rows[5] == ["alice", "bob", "unsupported_claim", "0", "0", "", "", "0", "0", "0", "0",
                       "No spans to compare, so F1 is undefined."]  # fmt: skip
    assert rows[-2] == ["bob", "carol", "opinion", "1", "0", "0.0", "0.0", "0", "0", "1", "0",
                        "Only 1 span behind this figure; fewer than 10 is too few to mean much."]  # fmt: skip


def test_the_json_has_the_same_rows_with_numbers_and_nulls(lena_client, desk):
    response = lena_client.get("/team/agreement.json")

    assert response["Content-Type"] == "application/json"
    rows = json.loads(response.content)
    assert len(rows) == 15
    assert rows[0] == {
        "reviewer_a": "alice",
        "reviewer_b": "bob",
        "label": "all",
        "spans_a": 3,
        "spans_b": 4,
        "exact_f1": 4 / 7,
        "overlap_f1": 6 / 7,
        "exact": 4,
        "boundary": 2,
        "label_disagreement": 0,
        "unmatched": 1,
        "warning": FEW.format(7),
    }
    assert rows[9] == {
        "reviewer_a": "alice",
        "reviewer_b": "carol",
        "label": "unsupported_claim",
        "spans_a": 0,
        "spans_b": 0,
        "exact_f1": None,
        "overlap_f1": None,
        "exact": 0,
        "boundary": 0,
        "label_disagreement": 0,
        "unmatched": 0,
        "warning": "No spans to compare, so F1 is undefined.",
    }


def test_the_download_of_one_source_has_only_its_figures(lena_client, desk):
    rows = json.loads(lena_client.get(f"/team/agreement.json?source={desk['B'].source_id}").content)

    assert [(r["reviewer_a"], r["reviewer_b"], r["spans_a"], r["spans_b"]) for r in rows if r["label"] == "all"] == [
        ("alice", "bob", 1, 1),
        ("alice", "carol", 1, 0),
        ("bob", "carol", 1, 0),
    ]


def test_the_csv_neutralises_a_name_a_spreadsheet_would_run(lena_client, bob, labels):
    mallory = make_user("=HYPERLINK(1)")
    article = make_article()
    make_annotation(article, labels["fact"], mallory, start=0, end=4)
    make_assignment(article, mallory, status=SUBMITTED)
    make_assignment(article, bob, status=SUBMITTED)

    csv_rows = list(csv.reader(io.StringIO(lena_client.get("/team/agreement.csv").content.decode())))
    json_rows = json.loads(lena_client.get("/team/agreement.json").content)

    assert csv_rows[1][:3] == ["'=HYPERLINK(1)", "bob", "all"]
    assert json_rows[0]["reviewer_a"] == "=HYPERLINK(1)"


def test_an_orphaned_span_counts_nowhere_in_agreement(alice, bob, labels):
    """alice and bob marked the kept sentence alike; alice alone marked one
    the outlet deleted. After the new version only the kept sentence counts."""
    from annotate.io import articles_in

    url = "https://example.org/agreement-versions"
    old = "Minsk said the talks went well. Beijing agreed on every point. Both sides signed."
    article, _ = articles_in.article_import(articles_in.ArticleRecord(text=old, url=url, source="Example"))
    for reviewer in (alice, bob):
        make_assignment(article, reviewer, status=Assignment.Status.SUBMITTED)
        make_annotation(article, labels["fact"], reviewer, quote="Both sides signed.")
    make_annotation(article, labels["fact"], alice, quote="Beijing agreed on every point.")
    before = team_agreement.article_agreement_for(article).pairs[0].total
    assert (before.spans_a, before.spans_b, before.exact_matches) == (2, 1, 1)

    new = "Minsk said the talks went well. Both sides signed."
    articles_in.article_import(articles_in.ArticleRecord(text=new, url=url, source="Example"))
    article.refresh_from_db()
    after = team_agreement.article_agreement_for(article).pairs[0].total
    assert (after.spans_a, after.spans_b, after.exact_matches) == (1, 1, 1)
    assert team_agreement.team_agreement().pairs[0].total.spans_a == 1
