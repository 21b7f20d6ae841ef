"""Annotation export: rows per second, peak memory and queries.

Makes 100,000 annotations (on SQLite unless DATABASE_URL says otherwise),
streams them as CSV and JSON the way the command and the download do, and
compares against django-import-export's own in-memory Resource.export() on
the same rows, measured in the same run. Bars (issue 3): >= 50,000 rows/s;
peak memory not growing with rows (100k vs 10k); constant query count.

    .venv/bin/python bench/export.py [--rows 100000]
"""

import argparse
import random
import time
import tracemalloc

from _setup import print_table, setup_django

setup_django("export")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from annotate.io.exports import stream_annotations  # noqa: E402
from annotate.io.resources import AnnotationResource  # noqa: E402
from annotate.models import Annotation, Article, Label, Source  # noqa: E402

WORDS = [
    "Belarus",
    "China",
    "Lukashenko",
    "Xi",
    "defence",
    "ties",
    "🇧🇾",
    "drills",
    "军事",
    "café",
    "naïve",
    "pledged",
    "sanctions",
]


def make_data(rows: int, articles: int = 50) -> None:
    rng = random.Random(7)
    source = Source.objects.create(name="Bench outlet")
    reviewers = [get_user_model().objects.create_user(f"bench{i}") for i in range(5)]
    labels = list(Label.objects.all())
    made = []
    for number in range(articles):
        text = " ".join(rng.choice(WORDS) for _ in range(1500))
        made.append(
            Article(
                source=source,
                title=f"Bench article {number}",
                text=text,
                sha256=Article.fingerprint(text),
                word_count=Article.count_words(text),
            )
        )
    Article.objects.bulk_create(made)
    batch = []
    for index in range(rows):
        article = made[index % articles]
        # Distinct spans per (article, reviewer, label), as the unique constraint wants.
        k = index // articles
        start = (k * 37) % (len(article.text) - 200)
        end = start + 1 + k % 199
        batch.append(
            Annotation(
                article=article, label=labels[index % len(labels)], reviewer=reviewers[index % len(reviewers)],
                start=start, end=end, quote=article.text[start:end], note=rng.choice(["", "=1+1", "checked"]),
            )
        )  # fmt: skip
        if len(batch) == 10_000:
            Annotation.objects.bulk_create(batch)
            batch = []
    Annotation.objects.bulk_create(batch)


def drain(chunks) -> int:
    return sum(len(chunk) for chunk in chunks)


def timed_stream(queryset, fmt):
    connection.queries_log.clear()  # a full log (9,000 entries) would count 0
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        size = drain(stream_annotations(queryset, fmt))
        seconds = time.perf_counter() - started
    return seconds, size, len(queries)


def peak_memory(queryset, fmt) -> int:
    tracemalloc.start()
    drain(stream_annotations(queryset, fmt))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    make_data(args.rows)
    everything = Annotation.objects.all()
    small_ids = list(everything.order_by("id").values_list("id", flat=True)[: args.rows // 10])
    small = Annotation.objects.filter(id__lte=small_ids[-1])
    rows = everything.count()

    started = time.perf_counter()
    AnnotationResource().export(queryset=AnnotationResource().get_queryset()).csv  # noqa: B018
    baseline = rows / (time.perf_counter() - started)

    table = []
    for fmt in ("csv", "json"):
        seconds, size, queries = timed_stream(everything, fmt)
        _, _, small_queries = timed_stream(small, fmt)
        peak_big, peak_small = peak_memory(everything, fmt), peak_memory(small, fmt)
        rate = rows / seconds
        table.append([
            fmt, f"{rows:,}", f"{rate:,.0f}", f"{rate / baseline:.1f}x", f"{size / 1e6:.1f} MB",
            f"{peak_small / 1e6:.1f} MB", f"{peak_big / 1e6:.1f} MB", f"{peak_big / peak_small:.2f}",
            f"{small_queries} / {queries}", "PASS" if rate >= 50_000 and peak_big / peak_small < 1.5 and
            queries == small_queries else "FAIL",
        ])  # fmt: skip
    print_table(
        f"Annotation export on {connection.vendor} "
        f"(baseline: import-export Resource.export to CSV, {baseline:,.0f} rows/s)",
        ["format", "rows", "rows/s", "vs baseline", "output", f"peak mem {len(small_ids):,}",
         f"peak mem {rows:,}", "mem ratio", "queries small/big", "bars"],
        table,
    )  # fmt: skip


if __name__ == "__main__":
    main()
