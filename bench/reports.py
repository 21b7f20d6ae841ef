"""Reliability reports: the /reports/ page over 2,000 articles and 100,000 spans.

Each article's figures are cached under a key made of what they rest on
(annotate/read/reports.py), so the bench times three cases: the first request
with an empty cache (every article computed), requests with nothing changed,
and the common case of a lead looking again after a reviewer changed a span
somewhere (one article recomputed). The bar applies to the last two.

40 sources × 50 articles of about 600 words each. 1,200 articles have two
submitted reviews, 400 are adjudicated (their consensus counts), 400 are not
reviewed; 100,000 spans in all across both layers. Measured in process with
Django's test client (median and p95 over 15 requests), with the queries
counted, and the same for a larger desk (4,000 articles, 200,000 spans) to
show the queries stay flat. Baseline, in the same run: the article list's
first page over the same articles (a page a lead opens all day).
Bar (reports issue): median < 500 ms, queries not growing with the data.

    .venv/bin/python bench/reports.py [--runs 15] [--quick]
"""

import argparse
import functools
import random
import statistics
import time

from _setup import print_table, setup_django

setup_django("reports")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from annotate.models import Adjudication, Annotation, Article, Assignment, Label, Source  # noqa: E402

BAR_MS = 500
WORDS = ("Minsk", "Beijing", "said", "the", "ministry", "pledged", "closer", "military", "ties", "and", "a", "joint")


def make_desk(articles: int, spans: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    User = get_user_model()
    lead = User.objects.create_user("bench-lead", password="x", is_staff=True)
    reviewers = [User.objects.create_user(f"bench-r{n}", password="x") for n in range(6)]
    labels = list(Label.objects.all())
    sources = [Source.objects.create(name=f"Outlet {n:02d}") for n in range(articles // 50)]
    made = []
    for n in range(articles):
        text = " ".join(rng.choice(WORDS) for _ in range(600)) + "."
        made.append(
            Article(
                source=sources[n % len(sources)],
                title=f"Story {n}",
                text=text,
                sha256=Article.fingerprint(text),
                word_count=Article.count_words(text),
                published=f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}",
            )  # fmt: skip
        )
    Article.objects.bulk_create(made, batch_size=500)
    made = list(Article.objects.order_by("id").only("id", "text"))
    reviewed = made[: articles * 3 // 5]
    adjudicated = made[articles * 3 // 5 : articles * 4 // 5]
    now = timezone.now()
    assignments, rows = [], []
    per_layer = -(-spans // (len(reviewed) * 2 + len(adjudicated)))  # rounded up, then cut to `spans`
    for article in reviewed:
        for reviewer in rng.sample(reviewers, 2):
            assignments.append(Assignment(article=article, reviewer=reviewer, status="submitted", submitted_at=now))
            rows += _spans(rng, article, reviewer, labels, per_layer, "reviewer")
    for article in adjudicated:
        rows += _spans(rng, article, lead, labels, per_layer, "consensus")
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    Annotation.objects.bulk_create(rows[:spans], batch_size=5000)
    Adjudication.objects.bulk_create([Adjudication(article=a, closed_by=lead, closed_at=now) for a in adjudicated])


def _spans(rng, article, reviewer, labels, count, layer):
    found, seen = [], set()
    while len(found) < count:
        start = rng.randrange(len(article.text) - 80)
        end = start + rng.randint(5, 80)
        label = rng.choice(labels)
        if (label.pk, start, end) in seen:
            continue
        seen.add((label.pk, start, end))
        speaker = "Xi" if label.slug == "quote" and rng.random() < 0.5 else ""
        found.append(
            Annotation(
                article=article,
                label=label,
                start=start,
                end=end,
                quote=article.text[start:end],
                reviewer=reviewer,
                layer=layer,
                speaker=speaker,
            )  # fmt: skip
        )
    return found


def timed(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return (time.perf_counter() - start) * 1000


def measure(client: Client, url: str, runs: int, before=None) -> tuple[float, float, int]:
    """Median and p95 of ``runs`` requests (``before`` runs ahead of each,
    untimed), and the queries of one more."""
    timed(client, url)  # warm the template loader (and, for the report, its cache)
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(timed(client, url))
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], len(queries)


def change_one_span(rng: random.Random, labels: list) -> None:
    """A reviewer relabels one span somewhere: its article's figures go stale."""
    span = Annotation.objects.filter(pk=rng.choice(SPAN_IDS)).first()
    span.label = rng.choice(labels)
    span.save()


SPAN_IDS: list[int] = []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="only the 2,000-article desk")
    args = parser.parse_args()
    table = []
    sizes = [(2000, 100_000)] if args.quick else [(2000, 100_000), (4000, 200_000)]
    for articles, spans in sizes:
        Annotation.objects.all().delete()
        Adjudication.objects.all().delete()
        Assignment.objects.all().delete()
        Article.objects.all().delete()
        Source.objects.all().delete()
        get_user_model().objects.filter(username__startswith="bench-").delete()
        make_desk(articles, spans)
        client = Client(HTTP_HOST="localhost")
        client.force_login(get_user_model().objects.get(username="bench-lead"))
        SPAN_IDS[:] = list(Annotation.objects.values_list("pk", flat=True)[:5000])
        labels = list(Label.objects.all())
        base_median, _, base_queries = measure(client, "/", args.runs)
        caches[settings.REPORT_CACHE].clear()
        timed(client, "/")  # the template loader, without touching the report cache
        cold = timed(client, "/reports/")
        warm_median, warm_p95, queries = measure(client, "/reports/", args.runs)
        edit = functools.partial(change_one_span, random.Random(5), labels)
        edit_median, edit_p95, _ = measure(client, "/reports/", args.runs, before=edit)
        stored = Annotation.objects.count()
        bar = ("PASS" if max(warm_median, edit_median) < BAR_MS else "FAIL") if articles == 2000 else "—"
        table.append([f"{articles:,}", f"{stored:,}", f"{base_median:.1f}", base_queries, f"{cold:.0f}",
                      f"{warm_median:.1f} / {warm_p95:.1f}", f"{edit_median:.1f} / {edit_p95:.1f}",
                      f"{edit_median / base_median:.1f}x", queries, bar])  # fmt: skip
    print_table(
        f"Reports page ({connection.vendor}; baseline: the article list's first page, same data)",
        [
            "articles",
            "spans",
            "baseline ms",
            "baseline queries",
            "cold ms (empty cache)",
            "unchanged median / p95",
            "one span changed median / p95",
            "changed vs baseline",
            "queries",
            f"bar < {BAR_MS} ms",
        ],
        table,
    )


if __name__ == "__main__":
    main()
