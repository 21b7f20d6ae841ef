"""Annotation import: 10,000 spans in one file, spans per second, peak memory.

The five seeds plus a 50,000-character article with emoji and CJK; 10,000
spans on them (three in four on the long article), a lead importing their
own spans as the API and the command do (``import_annotation_file``: their
rights checked, history naming them), from one CSV, one JSON, one doccano
JSONL, one Label Studio JSON and one Hypothesis JSON file. Measured in
the same run:

  * the database alone: the same spans and their history rows,
    quote-checked in a loop and inserted with plain bulk_create in one
    transaction (what no import can beat);
  * the old row-by-row path (django-import-export's import_data through
    annotation_create, a dry run then the import, as import_annotation_table
    did it) on a sample, for the before/after ratio.

Times are the best of ``--repeat`` runs (the machine is shared), with
DEBUG off as in production: Django's query log formats every statement's
parameters, which on SQLite alone doubled the writing. Queries are
counted in a run of their own, and peak memory (tracemalloc, which slows
what it watches) in another.

Bar (issue 21): one upload of 10,000 spans at >= 20,000 spans/s.

    .venv/bin/python bench/bulk_import.py [--spans 10000] [--sample 500] [--repeat 3]
"""

import argparse
import csv
import gc
import io
import json
import random
import re
import time
import tracemalloc

from _setup import ROOT, print_table, setup_django

setup_django("bulk_import")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from annotate import permissions  # noqa: E402
from annotate.io import articles_in  # noqa: E402
from annotate.io.annotations_in import annotation_table_from_bytes, import_annotation_file  # noqa: E402
from annotate.io.import_policy import ImportPolicy  # noqa: E402
from annotate.io.resources import AnnotationResource  # noqa: E402
from annotate.models import Annotation, Article, Label  # noqa: E402

GOAL = 20_000
COLUMNS = ["article_id", "label", "start", "end", "quote", "reviewer", "note"]


def make_articles() -> list[Article]:
    seed = articles_in.import_paths([ROOT / "seeds"], manifest=ROOT / "seeds" / "manifest.csv")
    assert not seed.failed, seed.failed
    paragraph = "Belarus and China 军事演习 pledged ties 👍🏽 🇧🇾 café q̃ said Lukashenko.\u00a0" * 8 + "\n\n"
    long_text = (paragraph * (50_000 // len(paragraph) + 1))[:50_000].rstrip() + "."
    articles_in.article_import(
        articles_in.ArticleRecord(text=long_text, title="Fifty thousand characters", source="Bench outlet")
    )
    return list(Article.objects.order_by("pk"))


def make_spans(articles: list[Article], labels: list[Label], count: int) -> list[dict]:
    """``count`` different spans, words and runs of words, three in four on
    the longest article, each with a label and some with a note."""
    rng = random.Random(21)
    longest = max(articles, key=lambda a: len(a.text))
    # A word with its combining marks: q̃ is one character to a reader.
    words = {a.pk: [m.span() for m in re.finditer(r"[\w\u0300-\u036f]+", a.text)] for a in articles}
    spans, seen = [], set()
    while len(spans) < count:
        article = longest if rng.random() < 0.75 else rng.choice(articles)
        first = rng.randrange(len(words[article.pk]))
        last = min(len(words[article.pk]) - 1, first + rng.choice([0, 0, 1, 3]))
        start, end = words[article.pk][first][0], words[article.pk][last][1]
        label = rng.choice(labels)
        if (article.pk, label.pk, start, end) in seen:
            continue
        seen.add((article.pk, label.pk, start, end))
        note = rng.choice(["", "", "checked", "=needs a source", "see the minutes"])
        spans.append({"article": article, "label": label, "start": start, "end": end, "note": note})
    return spans


def csv_file(spans: list[dict], reviewer: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for s in spans:
        quote = s["article"].text[s["start"] : s["end"]]
        writer.writerow([s["article"].pk, s["label"].slug, s["start"], s["end"], quote, reviewer, s["note"]])
    return out.getvalue().encode()


def json_file(spans: list[dict], reviewer: str) -> bytes:
    rows = [
        {"article_id": s["article"].pk, "label": s["label"].slug, "start": s["start"], "end": s["end"],
         "quote": s["article"].text[s["start"] : s["end"]], "reviewer": reviewer, "note": s["note"]}
        for s in spans
    ]  # fmt: skip
    return json.dumps(rows, ensure_ascii=False).encode()


def doccano_file(spans: list[dict], reviewer: str) -> bytes:
    lines = {}
    for s in spans:
        line = lines.setdefault(s["article"].pk, {"text": s["article"].text, "label": [], "reviewer": reviewer})
        line["label"].append([s["start"], s["end"], s["label"].slug])
        if s["note"]:
            line.setdefault("notes", []).append(
                {"start": s["start"], "end": s["end"], "label": s["label"].slug, "note": s["note"]}
            )
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines.values()).encode()


def labelstudio_file(spans: list[dict], reviewer: str) -> bytes:
    """Label Studio's JSON export: a task per article, the reviewer's one
    annotation holding a labels region per span (its note in meta.text)."""
    tasks = {}
    for number, s in enumerate(spans):
        task = tasks.setdefault(s["article"].pk, {
            "id": s["article"].pk, "data": {"text": s["article"].text},
            "annotations": [{"completed_by": {"id": 1, "email": "", "username": reviewer}, "result": []}],
        })  # fmt: skip
        value = {"start": s["start"], "end": s["end"], "text": s["article"].text[s["start"] : s["end"]],
                 "labels": [s["label"].name]}  # fmt: skip
        region = {"id": f"r{number}", "from_name": "label", "to_name": "text", "type": "labels", "value": value}
        if s["note"]:
            region["meta"] = {"text": [s["note"]]}
        task["annotations"][0]["result"].append(region)
    return json.dumps(list(tasks.values()), ensure_ascii=False).encode()


def hypothesis_file(spans: list[dict], reviewer: str) -> bytes:
    """Hypothesis's API search response: an annotation per span, on the
    article's address, with its quote and the position it has in our text."""
    rows = []
    for number, s in enumerate(spans):
        text, start, end = s["article"].text, s["start"], s["end"]
        selectors = [
            {"type": "TextPositionSelector", "start": len(text[:start].encode("utf-16-le")) // 2,
             "end": len(text[:end].encode("utf-16-le")) // 2},
            {"type": "TextQuoteSelector", "exact": text[start:end], "prefix": text[max(0, start - 32) : start],
             "suffix": text[end : end + 32]},
        ]  # fmt: skip
        rows.append({
            "id": f"h{number}", "user": f"acct:{reviewer}@sourcemark", "uri": s["article"].url,
            "text": s["note"], "tags": [s["label"].slug],
            "target": [{"source": s["article"].url, "selector": selectors}],
            "sourcemark": {"article_sha256": s["article"].sha256},
        })  # fmt: skip
    return json.dumps({"total": len(rows), "rows": rows}, ensure_ascii=False).encode()


def clear() -> None:
    with connection.cursor() as cursor:
        for model in (Annotation.history.model, Annotation):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def fresh_lead():
    """The importer, read again, so no run profits from a cached answer of the last."""
    return get_user_model().objects.get(username="bench-lead")


def timed_import(data: bytes, file_format: str) -> tuple[float, object]:
    clear()
    lead = fresh_lead()
    gc.collect()
    started = time.perf_counter()
    report = import_annotation_file(data, file_format, user=lead)
    seconds = time.perf_counter() - started
    assert report.errors == [] and report.written, report.errors[:5]
    return seconds, report


def counted_queries(data: bytes, file_format: str) -> int:
    clear()
    lead = fresh_lead()
    connection.queries_log.clear()  # a full log (9,000 entries) would count 0
    with CaptureQueriesContext(connection) as queries:
        report = import_annotation_file(data, file_format, user=lead)
    assert report.errors == [], report.errors[:5]
    return len(queries)


def peak_memory(data: bytes, file_format: str) -> int:
    clear()
    lead = fresh_lead()
    gc.collect()
    tracemalloc.start()
    report = import_annotation_file(data, file_format, user=lead)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report.errors == [], report.errors[:5]
    return peak


def database_alone(spans: list[dict], lead) -> float:
    """The floor: the same spans and history rows, each quote checked
    against its text, bulk_create'd in one transaction."""
    clear()
    texts = dict(Article.objects.values_list("pk", "text"))
    history = Annotation.history.model
    started = time.perf_counter()
    with transaction.atomic():
        now = timezone.now()
        rows = []
        for s in spans:
            start, end = s["start"], s["end"]
            quote = texts[s["article"].pk][start:end]
            assert quote == s["article"].text[start:end]
            rows.append(Annotation(
                article_id=s["article"].pk, label_id=s["label"].pk, reviewer_id=lead.pk, start=start, end=end,
                quote=quote, note=s["note"], created_at=now, updated_at=now,
            ))  # fmt: skip
        Annotation.objects.bulk_create(rows)
        fields = [f.attname for f in Annotation._meta.concrete_fields]
        history.objects.bulk_create(
            history(
                **{name: getattr(row, name) for name in fields},
                history_date=now,
                history_type="+",
                history_user_id=lead.pk,
            )  # fmt: skip
            for row in rows
        )
    return time.perf_counter() - started


def database_raw(spans: list[dict], lead) -> float:
    """Below the ORM: the same rows through the driver's executemany, with
    the values adapted once, and the history rows copied from the spans by
    one INSERT … SELECT. No import here writes this way (the bar's
    baseline is bulk_create); it shows how much of bulk_create is Django."""
    clear()
    texts = dict(Article.objects.values_list("pk", "text"))
    table = connection.ops.quote_name(Annotation._meta.db_table)
    history = connection.ops.quote_name(Annotation.history.model._meta.db_table)
    columns = ["article_id", "label_id", "start", "end", "quote", "note", "speaker", "evidence_url", "reviewer_id",
               "layer", "decision_reason", "created_at", "updated_at", "version", "article_version",
               "anchor_state"]  # fmt: skip
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = []
        for s in spans:
            start, end = s["start"], s["end"]
            quote = texts[s["article"].pk][start:end]
            assert quote == s["article"].text[start:end]
            rows.append((s["article"].pk, s["label"].pk, start, end, quote, s["note"], "", "", lead.pk, "reviewer", "",
                         now, now, 1, s["article"].text_version, "exact"))  # fmt: skip
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)
        cursor.execute(
            f"INSERT INTO {history} (id, {names}, history_date, history_type, history_user_id) "
            f"SELECT id, {names}, %s, '+', %s FROM {table}",
            [now, lead.pk],
        )
    return time.perf_counter() - started


def row_by_row(spans: list[dict], lead) -> float:
    """The old path of import_annotation_table: import_data twice (a dry
    run, then the import), each row through annotation_create."""
    clear()
    headers, rows = annotation_table_from_bytes(csv_file(spans, lead.username), "csv")
    import tablib

    dataset = tablib.Dataset(*rows, headers=headers)
    started = time.perf_counter()
    for dry_run in (True, False):
        policy = ImportPolicy(lead)
        result = AnnotationResource(import_policy=policy).import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
        assert not result.has_errors() and not result.has_validation_errors()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spans", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings.DEBUG = False
    articles = make_articles()
    labels = list(Label.objects.order_by("pk"))
    lead, _ = get_user_model().objects.get_or_create(username="bench-lead")
    lead.groups.add(Group.objects.get(name=permissions.LEAD_GROUP))
    spans = make_spans(articles, labels, args.spans)
    longest = max(articles, key=lambda a: len(a.text))
    on_longest = sum(s["article"].pk == longest.pk for s in spans)

    alone = min(database_alone(spans, lead) for _ in range(args.repeat))
    alone_rate = len(spans) / alone
    raw = min(database_raw(spans, lead) for _ in range(args.repeat))
    raw_rate = len(spans) / raw
    old = row_by_row(spans[: args.sample], lead)
    old_rate = args.sample / old

    files = {
        "csv": csv_file(spans, lead.username),
        "json": json_file(spans, lead.username),
        "doccano": doccano_file(spans, lead.username),
        "labelstudio": labelstudio_file(spans, lead.username),
        "hypothesis": hypothesis_file(spans, lead.username),
    }
    table = [
        ["database alone (bulk_create)", f"{len(spans):,}", f"{alone * 1000:,.0f}", f"{alone_rate:,.0f}", "1.00",
         "", "", "", ""],
        ["  (below the ORM: executemany)", f"{len(spans):,}", f"{raw * 1000:,.0f}", f"{raw_rate:,.0f}",
         f"{raw_rate / alone_rate:.2f}", "", "", "", ""],
        [f"old row-by-row path (csv, {args.sample} rows)", f"{args.sample:,}", f"{old * 1000:,.0f}",
         f"{old_rate:,.0f}", f"{old_rate / alone_rate:.3f}", "1", "", "", ""],
    ]  # fmt: skip
    worst = None
    for file_format, data in files.items():
        runs = [timed_import(data, file_format) for _ in range(args.repeat)]
        seconds, report = min(runs, key=lambda run: run[0])
        assert report.new == len(spans) and Annotation.objects.count() == len(spans)
        assert Annotation.history.count() == len(spans)
        queries = counted_queries(data, file_format)
        rate = len(spans) / seconds
        worst = rate if worst is None else min(worst, rate)
        peak = peak_memory(data, file_format)
        table.append([
            f"import_annotation_file ({file_format}, {len(data) / 1e6:.1f} MB)", f"{len(spans):,}",
            f"{seconds * 1000:,.0f}", f"{rate:,.0f}", f"{rate / alone_rate:.2f}", f"{rate / old_rate:,.0f}",
            f"{peak / 1e6:.0f} MB", str(queries), "PASS" if rate >= GOAL else f"MISS by {GOAL / rate:.2f}x",
        ])  # fmt: skip
    print_table(
        f"Annotation import on {connection.vendor}: {len(spans):,} spans, {on_longest:,} of them on the "
        f"{len(longest.text):,}-character article (bar: >= {GOAL:,} spans/s)",
        ["path", "spans", "ms", "spans/s", "÷ database alone", "× row-by-row", "peak memory", "queries", "bar"],
        table,
    )


if __name__ == "__main__":
    main()
