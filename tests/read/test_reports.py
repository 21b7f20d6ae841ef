"""Reliability reports (annotate/read/reports.py): figures checked by hand on a
small fixture, the filters and their errors, the pages and downloads."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from annotate.actions.consensus import adjudication_close
from annotate.models import Assignment
from annotate.read import report_rows, reports
from annotate.read.reports import ReportError, ReportFilter, build_report
from tests.conftest import assign, make_annotation, make_article, make_reviewer

pytestmark = pytest.mark.django_db

TEXT_A = "abcd " * 20  # 100 characters, 20 words
TEXT_B = "efgh " * 40  # 200 characters, 40 words


def span(article, label, reviewer, start, end, **extra):
    return make_annotation(article, label, reviewer, start=start, end=end, **extra)


def submit(article, *reviewers):
    Assignment.objects.filter(article=article, reviewer__in=reviewers).update(
        status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
    )


@pytest.fixture
def desk(labels, alice, bob, lena):
    """A: two submitted reviews. B: adjudicated, with alice's review too.
    C: nobody reviewed it. carol's unsubmitted work on A must never count."""
    a = make_article(TEXT_A, title="A", source="Belta", published="2023-03-05")
    b = make_article(TEXT_B, title="B", source="Belta", published="2023-05-01")
    c = make_article("Nothing reviewed here.", title="C", source="CNN")
    carol = make_reviewer("carol")
    assign(a, alice, bob, carol)
    assign(b, alice)
    span(a, labels["fact"], alice, 0, 10)
    span(a, labels["unsupported_claim"], alice, 20, 30)
    span(a, labels["unsupported_claim"], alice, 25, 35)  # overlaps the one before: 15 characters in all
    span(a, labels["quote"], alice, 40, 50, speaker="Xi")
    span(a, labels["fact"], bob, 0, 10)
    span(a, labels["opinion"], bob, 60, 80)
    span(a, labels["quote"], bob, 40, 50)
    span(a, labels["unsupported_claim"], carol, 0, 99)  # not submitted
    span(b, labels["fact"], alice, 0, 50)
    submit(a, alice, bob)
    submit(b, alice)
    consensus = span(b, labels["unsupported_claim"], lena, 0, 20, layer="consensus")
    adjudication_close(b, lead=lena)
    return {"a": a, "b": b, "c": c, "consensus": consensus}


def figures_of(report, title):
    return next(f for f in report.articles if f.title == title)


def source_of(report, name):
    return next(s for s in report.sources if s.source == name)


def test_an_article_with_two_reviews_takes_the_mean_over_reviewers(desk):
    a = figures_of(build_report(ReportFilter()), "A")

    assert (a.basis, a.reviewers, a.words, a.characters) == ("reviewers", 2, 20, 100)
    assert {slug: (f.spans, round(f.share, 4)) for slug, f in a.by_label.items()} == {
        "fact": (1.0, 0.10),
        "unsupported_claim": (1.0, 0.075),  # alice's two overlapping spans cover 15 characters; bob's none
        "opinion": (0.5, 0.10),
        "quote": (1.0, 0.10),
    }
    assert a.unsupported_per_1000 == pytest.approx(50.0)
    assert a.speaker_share == pytest.approx(0.5)
    assert a.agreement == pytest.approx(4 / 7)  # 2 shared of 4 + 3 spans


def test_an_adjudicated_article_uses_its_consensus(desk):
    b = figures_of(build_report(ReportFilter()), "B")

    assert b.basis == "consensus"
    assert (b.by_label["unsupported_claim"].spans, b.by_label["unsupported_claim"].share) == (1.0, 0.1)
    assert b.by_label["fact"].spans == 0  # alice's fact is a review, not the consensus
    assert b.agreement is None  # one review


def test_a_source_sums_counts_and_weights_shares_by_length(desk):
    report = build_report(ReportFilter())
    belta, cnn = source_of(report, "Belta"), source_of(report, "CNN")

    assert (belta.articles, belta.reviewed, belta.words) == (2, 2, 60)
    assert belta.by_label["unsupported_claim"].spans == 2.0
    assert belta.by_label["unsupported_claim"].share == pytest.approx((0.075 * 100 + 0.1 * 200) / 300)
    assert belta.by_label["fact"].share == pytest.approx(10 / 300)
    assert belta.unsupported_per_1000 == pytest.approx(2 / 60 * 1000)
    assert belta.speaker_share == pytest.approx(0.5)
    assert belta.agreement == pytest.approx(4 / 7)
    assert belta.bases == {"consensus", "reviewers"}
    assert (cnn.articles, cnn.reviewed, cnn.unsupported_per_1000) == (1, 0, None)


def test_the_layer_can_be_forced(desk):
    reviews = build_report(ReportFilter(layer="reviewer"))
    assert figures_of(reviews, "B").basis == "reviewers"
    assert figures_of(reviews, "B").by_label["fact"].share == 0.25

    consensus = build_report(ReportFilter(layer="consensus"))
    assert figures_of(consensus, "A").basis == ""
    assert source_of(consensus, "Belta").reviewed == 1


def test_dates_and_labels_filter(desk):
    early = build_report(ReportFilter(published_to=dt.date(2023, 4, 1)))
    assert [f.title for f in early.articles] == ["A"]
    only_claims = build_report(ReportFilter(labels=("unsupported_claim",)))
    assert [label.slug for label in only_claims.labels] == ["unsupported_claim"]


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (ReportFilter(layer="draft"), "unknown layer 'draft'"),
        (ReportFilter(published_from=dt.date(2024, 1, 2), published_to=dt.date(2024, 1, 1)), "start date is after"),
        (ReportFilter(labels=("rumour",)), "unknown label(s): rumour"),
    ],
)
def test_bad_filters_are_refused_with_a_message(desk, criteria, message):
    with pytest.raises(ReportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_report(criteria)


@pytest.mark.parametrize(
    ("extents", "expected"),
    [
        ([(0, 10)], 10),
        ([(0, 10), (5, 15)], 15),
        ([(0, 10), (10, 20)], 20),  # touching, not overlapping
        ([(0, 30), (5, 10), (20, 40)], 40),  # one inside another, then past its end
        ([(0, 10), (0, 30), (50, 60)], 40),  # same start, and a gap
    ],
)
def test_the_share_counts_overlapping_spans_of_a_label_once(labels, alice, extents, expected):
    article = make_article(TEXT_A, title="Overlaps")
    assign(article, alice)
    for start, end in extents:
        span(article, labels["fact"], alice, start, end)
    submit(article, alice)

    figures = figures_of(build_report(ReportFilter()), "Overlaps")

    assert figures.by_label["fact"].share == pytest.approx(expected / 100)
    assert figures.by_label["fact"].spans == len(extents)


def test_consensus_spans_of_two_leads_are_one_layer(labels, lena, root):
    article = make_article(TEXT_A, title="Two leads")
    span(article, labels["fact"], lena, 0, 20, layer="consensus")
    span(article, labels["fact"], root, 10, 30, layer="consensus")
    adjudication_close(article, lead=lena)

    figures = figures_of(build_report(ReportFilter()), "Two leads")

    assert (figures.basis, figures.by_label["fact"].spans, figures.by_label["fact"].share) == ("consensus", 2, 0.3)


# Pages and downloads ------------------------------------------------------------


def test_the_page_shows_the_sources_and_articles_to_a_lead(desk, lena_client):
    response = lena_client.get(reverse("reports"))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<tr data-source="Belta">' in page and "33.33" in page
    assert 'data-chart="composition"' in page and 'data-chart="density"' in page
    assert "How these figures are computed" in page


def test_reviewers_may_not_see_the_reports(desk, alice_client):
    assert alice_client.get(reverse("reports")).status_code == 403
    assert alice_client.get(reverse("report-download", args=["sources", "csv"])).status_code == 403
    assert alice_client.get(reverse("article-report", args=[desk["a"].pk])).status_code == 403


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2024-01-02", "date_to": "2024-01-01"}, "The start date is after the end date."),
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"labels": "rumour"}, "Select a valid choice. rumour is not one of the available choices."),
        ({"layer": "draft"}, "Select a valid choice. draft is not one of the available choices."),
    ],
)
def test_bad_filters_give_a_message_on_the_page_and_400_from_a_download(desk, lena_client, params, message):
    page = lena_client.get(reverse("reports"), params)
    assert page.status_code == 400
    assert message in page.content.decode()

    download = lena_client.get(reverse("report-download", args=["sources", "csv"]), params)
    assert download.status_code == 400
    assert message in download.content.decode()


def test_an_unknown_download_is_404(lena_client, desk):
    assert lena_client.get(reverse("report-download", args=["people", "csv"])).status_code == 404
    assert lena_client.get(reverse("report-download", args=["sources", "pdf"])).status_code == 404


def test_downloads_hold_the_same_figures_in_every_format(desk, lena_client):
    url = reverse("report-download", args=["sources", "csv"])
    rows = list(csv.DictReader(io.StringIO(lena_client.get(url).content.decode())))
    belta = next(row for row in rows if row["source"] == "Belta")
    assert (belta["articles_reviewed"], belta["words_reviewed"]) == ("2", "60")
    assert float(belta["unsupported_per_1000_words"]) == pytest.approx(33.3333)
    assert float(belta["unsupported_claim_share"]) == pytest.approx(0.0917, abs=1e-4)

    as_json = json.loads(lena_client.get(reverse("report-download", args=["sources", "json"])).content)
    assert next(r for r in as_json if r["source"] == "Belta")["mean_agreement"] == pytest.approx(0.5714)

    xlsx = lena_client.get(reverse("report-download", args=["articles", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_downloads_neutralise_spreadsheet_formulas(db, labels, alice, lena_client):
    article = make_article(TEXT_A, title='=HYPERLINK("http://evil")', source="+cmd|' /C calc'!A0")
    assign(article, alice)
    span(article, labels["fact"], alice, 0, 4)
    submit(article, alice)

    body = lena_client.get(reverse("report-download", args=["articles", "csv"])).content.decode()
    row = next(csv.DictReader(io.StringIO(body)))
    assert row["title"].startswith("'=") and row["source"].startswith("'+")


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_takes_the_same_number_of_queries_however_many_articles(
    labels, alice, lena_client, count, django_assert_num_queries
):
    for n in range(count):
        article = make_article(f"Story {n} " + TEXT_A, title=f"Story {n}", source=f"Outlet {n % 3}")
        assign(article, alice)
        span(article, labels["unsupported_claim"], alice, 0, 5)
        submit(article, alice)

    # session, user, is she a lead, the form's labels, labels, articles, submitted reviews,
    # the spans' stamps, the spans (none once cached), the articles' changes,
    # the unsupported label's colour
    with django_assert_num_queries(11):
        response = lena_client.get(reverse("reports"))
    assert response.status_code == 200
    with django_assert_num_queries(10):
        assert lena_client.get(reverse("reports")).status_code == 200


def test_the_article_report_draws_a_strip_linked_to_the_spans(desk, lena_client):
    response = lena_client.get(reverse("article-report", args=[desk["b"].pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/articles/{desk["b"].pk}/?layer=consensus#span-{desk["consensus"].pk}"' in page
    assert '<rect x="0.0" y="0" width="10.0"' in page  # [0, 20) of 200 characters


def test_the_report_rows_match_the_module(desk):
    report = build_report(ReportFilter())
    rows = report_rows.article_rows(report)
    assert [row["title"] for row in rows] == [f.title for f in report.articles]
    assert next(r for r in rows if r["title"] == "C")["basis"] == "not reviewed"


# The cache of per-article figures ------------------------------------------------


def unsupported_of(title):
    return figures_of(build_report(ReportFilter()), title).by_label["unsupported_claim"]


def test_cached_figures_follow_every_change_to_what_they_rest_on(desk, labels, alice, bob, lena):
    a = desk["a"]
    assert unsupported_of("A").spans == 1.0
    assert unsupported_of("A").spans == 1.0  # from the cache

    span(a, labels["unsupported_claim"], bob, 60, 70)  # a new span
    assert unsupported_of("A").spans == 1.5

    changed = a.annotations.get(reviewer=bob, start=60, end=70)
    changed.label = labels["opinion"]
    changed.save()  # a change outside the services, which keeps updated_at
    assert unsupported_of("A").spans == 1.0

    from annotate.actions import assignments

    assignments.assignment_reopen(Assignment.objects.get(article=a, reviewer=bob), user=lena)
    assert unsupported_of("A").spans == 2.0  # alice's alone now
    assert figures_of(build_report(ReportFilter()), "A").reviewers == 1

    Assignment.objects.filter(article=a, reviewer=bob).update(status="submitted", submitted_at=timezone.now())
    adjudication_close(a, lead=lena)  # adjudicated with an empty consensus
    figures = figures_of(build_report(ReportFilter()), "A")
    assert (figures.basis, figures.by_label["unsupported_claim"].spans) == ("consensus", 0.0)

    a.annotations.filter(layer="reviewer").delete()
    assert figures_of(build_report(ReportFilter(layer="reviewer")), "A").by_label["fact"].spans == 0.0


def test_a_cached_article_keeps_its_new_title(desk):
    build_report(ReportFilter())
    desk["a"].title = "A, retitled"
    desk["a"].save()
    assert [f.title for f in build_report(ReportFilter()).articles if f.source == "Belta"] == ["A, retitled", "B"]


def test_one_articles_figures_download_alone(desk, lena_client):
    url = reverse("report-download", args=["articles", "json"])
    rows = json.loads(lena_client.get(url, {"article": desk["a"].pk}).content)
    assert [(row["title"], row["unsupported_per_1000_words"]) for row in rows] == [("A", 50.0)]
    assert lena_client.get(url, {"article": "x"}).status_code == 400
    page = lena_client.get(reverse("article-report", args=[desk["a"].pk])).content.decode()
    assert f"?article={desk['a'].pk}" in page


def test_an_article_outside_the_filters_says_so_instead_of_failing(desk, lena_client):
    # Found by the query fuzzer: a date range the article falls outside
    # left the report without its row, and the page answered 500.
    response = lena_client.get(reverse("article-report", args=[desk["b"].pk]), {"date_from": "9999-12-31"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="outside-filters"' in page
    assert 'id="article-figures"' not in page
    assert (
        'id="outside-filters"' not in lena_client.get(reverse("article-report", args=[desk["b"].pk])).content.decode()
    )


# --- changes after first import -------------------------------------------------------


def test_changes_after_import_count_per_article_and_source(db, lena_client):
    """An outlet that changed one of its two articles twice, once saying so."""
    from annotate.io import articles_in

    def publish(text: str, url: str, source: str = "Rewriters"):
        return articles_in.article_import(articles_in.ArticleRecord(text=text, url=url, source=source))[0]

    first = "Minsk and Beijing signed a deal on Tuesday. Critics said it was rushed."
    changed = publish(first, "https://rewriters.example/deal")
    publish(first.replace("Tuesday", "Wednesday"), "https://rewriters.example/deal")
    publish(
        first.replace("Tuesday", "Wednesday") + "\n\nCorrection: An earlier version gave the wrong day.",
        "https://rewriters.example/deal",
    )
    publish("Another story that never changed.", "https://rewriters.example/other")
    publish("A steady outlet's story.", "https://steady.example/story", source="Steady")

    report = reports.build_report(reports.ReportFilter())
    article = next(a for a in report.articles if a.article_id == changed.pk)
    # Tuesday → Wednesday, then the note's eight words.
    assert (article.changes, article.marked_changes, article.words_changed) == (2, 1, 2 + 8)
    assert 0 < article.share_changed < 0.2
    rewriters, steady = (next(s for s in report.sources if s.source == name) for name in ("Rewriters", "Steady"))
    assert (rewriters.articles, rewriters.changed_articles, rewriters.changes, rewriters.marked_changes) == (2, 1, 2, 1)
    assert rewriters.marked_share == 0.5 and rewriters.mean_share_changed == article.share_changed
    assert (steady.changed_articles, steady.changes, steady.marked_share) == (0, 0, None)
    row = next(r for r in report_rows.source_rows(report) if r["source"] == "Rewriters")
    assert (row["articles_changed"], row["changes"], row["changes_marked"], row["words_changed"]) == (1, 2, 1, 10)

    page = lena_client.get(reverse("article-report", args=[changed.pk])).content.decode()
    assert "Changes after first import" in page and "1 → 2" in page and "2 → 3" in page
    assert "<q>Correction: An earlier version" in page
