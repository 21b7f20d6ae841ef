"""Reliability reports: the /reports/ page over 2,000 articles and 100,000 spans.

40 sources × 50 articles of about 600 words each. 1,200 articles have two
submitted reviews, 400 are adjudicated (their consensus counts), 400 are not
reviewed; 100,000 spans in all across both layers. Measured in process with
Django's test client (median and p95 over 15 requests), with the queries
counted, and the same for a larger desk (4,000 articles, 200,000 spans) to
show the queries stay flat. Baseline, in the same run: the article list's
first page over the same articles (a page a lead opens all day).
Bar (reports issue): median < 500 ms, queries not growing with the data.

    .venv/bin/python bench/reports.py [--runs 15]
"""

import argparse
import random
import statistics
import time

from _setup import print_table, setup_django

setup_django("reports")

from django.contrib.auth import get_user_model  # noqa: E402
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
    per_layer = spans // (len(reviewed) * 2 + len(adjudicated))
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


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm caches and the template loader
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    table = []
    for articles, spans in [(2000, 100_000), (4000, 200_000)]:
        Annotation.objects.all().delete()
        Adjudication.objects.all().delete()
        Assignment.objects.all().delete()
        Article.objects.all().delete()
        Source.objects.all().delete()
        get_user_model().objects.filter(username__startswith="bench-").delete()
        make_desk(articles, spans)
        client = Client(HTTP_HOST="localhost")
        client.force_login(get_user_model().objects.get(username="bench-lead"))
        base_median, base_p95, base_queries = measure(client, "/", args.runs)
        median, p95, queries = measure(client, "/reports/", args.runs)
        stored = Annotation.objects.count()
        bar = "PASS" if median < BAR_MS else "FAIL"
        ratio = f"{median / base_median:.1f}x"
        table.append([f"{articles:,}", f"{stored:,}", f"{base_median:.1f}", base_queries, f"{median:.1f}",
                      f"{p95:.1f}", ratio, queries, bar if articles == 2000 else "—"])  # fmt: skip
    print_table(
        f"Reports page ({connection.vendor}; baseline: the article list's first page, same data)",
        [
            "articles",
            "spans",
            "baseline ms",
            "baseline queries",
            "reports median ms",
            "p95 ms",
            "vs baseline",
            "queries",
            f"bar < {BAR_MS} ms",
        ],  # fmt: skip
        table,
    )


if __name__ == "__main__":
    main()
