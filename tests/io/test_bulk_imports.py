"""Every annotation format imports through the one bulk writer
(annotate/actions/bulk_annotations.py): the same rule for a span repeated
within one file, whatever the format, and a number of queries that grows
only by the writer's batches, not by rows."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotate.actions import bulk_annotations
from annotate.io import annotations_in, exports
from annotate.io.file_formats import IMPORT_FORMATS
from annotate.models import Annotation
from tests.conftest import assign, make_annotation, make_article

pytestmark = pytest.mark.django_db

TEXT = "Lukashenko met Xi in Beijing. 军事 🇧🇾 drills resumed."


@pytest.fixture
def marked(labels, alice, lena):
    """One span of alice's and one consensus span of lena's, so every
    export format has a reviewer's line and a lead's."""
    article = make_article(TEXT, title="Pact")
    assign(article, alice)
    make_annotation(article, labels["fact"], alice, quote="Lukashenko", note="named")
    make_annotation(article, labels["opinion"], lena, quote="军事", layer="consensus", decision_reason="agreed")
    return article


def export_of(file_format: str) -> bytes:
    return b"".join(exports.stream_annotations(Annotation.objects.all(), file_format))


def with_first_span_twice(data: bytes, file_format: str, *, note: str | None = None) -> bytes:
    """The export with its first span written out again (with another
    note, when ``note`` is given): a file merged from two exports."""
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(data.decode())))
        repeat = list(rows[1])
        if note is not None:
            repeat[rows[0].index("note")] = note
        rows.append(repeat)
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode()
    if file_format == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        sheet = book.active
        headers = [cell.value for cell in sheet[1]]
        repeat = [cell.value for cell in sheet[2]]
        if note is not None:
            repeat[headers.index("note")] = note
        sheet.append(repeat)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if file_format == "json":
        items = json.loads(data)
        items.append({**items[0], **({"note": note} if note is not None else {})})
        return json.dumps(items).encode()
    if file_format == "w3c":
        document = json.loads(data)
        items = document["first"]["items"]
        repeat = json.loads(json.dumps(items[0]))
        if note is not None:
            repeat["body"] = [b for b in repeat["body"] if b.get("purpose") != "commenting"]
            repeat["body"].append({"type": "TextualBody", "purpose": "commenting", "value": note})
        items.append(repeat)
        return json.dumps(document).encode()
    if file_format == "hypothesis":
        document = json.loads(data)
        repeat = json.loads(json.dumps(document["annotations"][0]))
        if note is not None:
            repeat["text"] = note
        document["annotations"].append(repeat)
        return json.dumps(document).encode()
    if file_format == "labelstudio":
        tasks = json.loads(data)
        annotation = tasks[0]["annotations"][0]
        repeat = json.loads(json.dumps(annotation))
        if note is not None:
            for result in repeat["result"]:
                result.setdefault("meta", {})["text"] = [note]
        # A second annotation by the same reviewer, as a merged project has.
        tasks[0]["annotations"].insert(1, repeat)
        return json.dumps(tasks).encode()
    assert file_format == "doccano"
    lines = [json.loads(line) for line in data.decode().split("\n") if line]
    first = lines[0]
    first["label"].append(list(first["label"][0]))
    if note is not None:
        # doccano keeps one note per (start, end, label): the repeat's own
        # note has to come on a line of its own.
        start, end, label = first["label"].pop()
        lines.append({**first, "label": [[start, end, label]], "notes": [
            {"start": start, "end": end, "label": label, "decision_reason": note, "note": note}]})  # fmt: skip
    return "\n".join(json.dumps(line) for line in lines).encode()


@pytest.mark.parametrize("file_format", IMPORT_FORMATS)
def test_a_span_repeated_in_one_file_saying_the_same_counts_once(marked, root, file_format):
    data = with_first_span_twice(export_of(file_format), file_format)
    Annotation.objects.all().delete()

    report = annotations_in.import_annotation_file(data, file_format, user=root, keep_authors=True)

    assert report.errors == []
    assert (report.total, report.new, report.updated, report.unchanged, report.written) == (3, 2, 0, 1, True)
    assert Annotation.objects.count() == 2


@pytest.mark.parametrize("file_format", IMPORT_FORMATS)
def test_a_span_repeated_in_one_file_saying_otherwise_refuses_the_file(marked, root, file_format):
    data = with_first_span_twice(export_of(file_format), file_format, note="second thoughts")
    Annotation.objects.all().delete()

    report = annotations_in.import_annotation_file(data, file_format, user=root, keep_authors=True)

    assert not report.written and not Annotation.objects.exists()
    [problem] = report.errors
    first = {
        "csv": "row 1", "xlsx": "row 1", "json": "row 1", "w3c": "annotation 1 (urn:sourcemark:annotation:",
        "doccano": "line 1, span 1", "labelstudio": "task 1 (id ", "hypothesis": "annotation 1 (",
    }[file_format]  # fmt: skip
    assert f": the same span as {first}" in problem
    assert "(same article, layer, reviewer, label and offsets), with another" in problem


@pytest.mark.parametrize("file_format", IMPORT_FORMATS)
def test_reimporting_a_file_changes_nothing_and_an_edited_note_is_an_update(marked, alice, file_format):
    """As alice, without keeping authors: her own span only."""
    Annotation.objects.filter(layer="consensus").delete()
    before = list(Annotation.objects.values())
    data = export_of(file_format)

    again = annotations_in.import_annotation_file(data, file_format, user=alice)

    assert again.errors == [] and (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert list(Annotation.objects.values()) == before

    Annotation.objects.update(note="old")
    edited = annotations_in.import_annotation_file(data, file_format, user=alice)

    assert edited.errors == [] and (edited.new, edited.updated, edited.unchanged) == (0, 1, 0)
    span = Annotation.objects.get()
    assert (span.note, span.version) == ("named", 2)
    assert span.history.order_by("-history_id").first().history_user == alice


# --- queries --------------------------------------------------------------------

WORD = "drill"
# 3,000 words of five letters: 2,500 of them, each with four labels, are
# 10,000 different spans.
LONG_TEXT = " ".join([WORD] * 3_000)


def table_of(article, labels, count: int, *, note: str = "") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["article_id", "label", "start", "end", "quote", "reviewer", "note"])
    slugs = sorted(labels)
    for index in range(count):
        start = (index // len(slugs)) * (len(WORD) + 1)
        writer.writerow([article.pk, slugs[index % len(slugs)], start, start + len(WORD), WORD, "alice", note])
    return out.getvalue().encode()


def doccano_of(article, labels, count: int) -> bytes:
    slugs = sorted(labels)
    spans = []
    for index in range(count):
        start = (index // len(slugs)) * (len(WORD) + 1)
        spans.append([start, start + len(WORD), slugs[index % len(slugs)]])
    return json.dumps({"text": article.text, "label": spans, "reviewer": "alice"}).encode()


def queries_of(data: bytes, file_format: str, user) -> tuple[int, object]:
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        report = annotations_in.import_annotation_file(data, file_format, user=user)
    assert report.errors == [], report.errors[:3]
    return len(queries), report, [query["sql"] for query in queries]


# What a reviewer's import of spans on one article takes, whatever its
# size: the labels, the article (a table names it by id and reads its
# text; doccano names it by its text), which version that text is, the
# reviewer, the importer's assignments, the adjudications, the spans the
# article holds; and three
# savepoints, each SAVEPOINT and RELEASE (the import's transaction, the
# writer's, its writes'), which the test's own transaction turns them into.
READS = 13


@pytest.mark.parametrize(("file_format", "make"), [("csv", table_of), ("doccano", doccano_of)])
def test_an_import_of_ten_thousand_spans_takes_the_queries_of_ten_plus_one_per_batch(labels, alice, file_format, make):
    article = make_article(LONG_TEXT, title="Drills")
    assign(article, alice)

    small, small_report, small_sql = queries_of(make(article, labels, 10), file_format, alice)
    Annotation.objects.all().delete()
    big, big_report, big_sql = queries_of(make(article, labels, 10_000), file_format, alice)

    assert (small_report.new, big_report.new) == (10, 10_000)
    assert small == READS + bulk_annotations.queries_for(new=10, updated=0), "\n".join(small_sql)
    assert big == READS + bulk_annotations.queries_for(new=10_000, updated=0), "\n".join(big_sql[:40])


def test_changing_ten_thousand_spans_takes_the_queries_of_ten_plus_one_per_batch(labels, alice):
    article = make_article(LONG_TEXT, title="Drills")
    assign(article, alice)
    annotations_in.import_annotation_file(table_of(article, labels, 10_000), "csv", user=alice)

    small, small_report, small_sql = queries_of(table_of(article, labels, 10, note="checked"), "csv", alice)
    big, big_report, _ = queries_of(table_of(article, labels, 10_000, note="checked again"), "csv", alice)

    assert (small_report.updated, big_report.updated, big_report.new) == (10, 10_000, 0)
    assert small == READS + bulk_annotations.queries_for(new=0, updated=10), "\n".join(small_sql)
    assert big == READS + bulk_annotations.queries_for(new=0, updated=10_000)
    versions = Annotation.objects.filter(note="checked again").values_list("version", flat=True)
    assert sorted(set(versions)) == [2, 3] and list(versions).count(3) == 10
