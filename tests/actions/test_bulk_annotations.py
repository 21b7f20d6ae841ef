"""annotate/actions/bulk_annotations.py: the one writer every annotation
import uses. It must take and refuse exactly what the page's create and
change take and refuse, in the same words, write the same rows and the
same history, and turn another writer's span into a refusal, not a 500."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.actions import annotations, bulk_annotations, row_inserts
from annotate.actions.bulk_annotations import SpanDraft, annotations_import, describe_validation_error
from annotate.models import Annotation
from tests.conftest import make_annotation, make_article
from tests.unicode_texts import clustered_texts

pytestmark = pytest.mark.django_db

FLAG = "\N{REGIONAL INDICATOR SYMBOL LETTER B}\N{REGIONAL INDICATOR SYMBOL LETTER Y}"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
# A flag at 6-8, q with its accent at 14-16, a ZWJ family at 20-25, CJK after it.
TEXT = f"Minsk {FLAG} says q\u0301 no {FAMILY} 军事演习 ends."
SPAN_FIELDS = (
    "article_id", "label_id", "reviewer_id", "start", "end", "quote", "note", "speaker", "evidence_url",
    "layer", "decision_reason", "version", "based_on_id", "client_id",
)  # fmt: skip
HISTORY_FIELDS = (*SPAN_FIELDS, "history_type", "history_user_id", "history_change_reason")


@pytest.fixture
def text_article(db):
    article = make_article(TEXT, title="Hard to cut")
    assert article.text == TEXT
    return article


def span_at(start: int, end: int, **changes) -> dict:
    values = {"start": start, "end": end, "quote": TEXT[start:end] if isinstance(start, int) else "Minsk"}
    values.update(changes)
    return values


# Each a span's values as a file could give them; comments say which rule.
HOSTILE = {
    "fits": span_at(0, 5),
    "fits over CJK": span_at(TEXT.index("军"), TEXT.index("军") + 4),
    "whole text": span_at(0, len(TEXT)),
    "negative start": span_at(-1, 5, quote="Minsk"),
    "end past the text": span_at(0, 99, quote="Minsk"),
    "reversed": span_at(5, 0, quote="Minsk"),
    "empty": span_at(5, 5, quote=""),
    "quote that is not the text": span_at(0, 5, quote="Pinsk"),
    "quote shorter than the span": span_at(14, 16, quote="q"),
    "start splits the flag": span_at(7, 13),
    "end splits the flag": span_at(0, 7),
    "end splits an accent from its letter": span_at(11, 15),
    "start inside the family": span_at(TEXT.index(FAMILY) + 2, TEXT.index(FAMILY) + len(FAMILY)),
    "the flag whole": span_at(6, 8),
    "offsets as text": span_at("0", "5"),
    "offsets that are not numbers": span_at("zero", 5),
    "note at its limit": span_at(0, 5, note="n" * 10_000),
    "note over its limit": span_at(0, 5, note="n" * 10_001),
    "reason over its limit": span_at(0, 5, decision_reason="r" * 10_001),
    "speaker over its limit": span_at(0, 5, speaker="s" * 301),
    "NUL in the note": span_at(0, 5, note="a\x00b"),
    "lone surrogate in the speaker": span_at(0, 5, speaker="\udc00"),
    "web evidence": span_at(0, 5, evidence_url="https://example.org/report?id=3"),
    "ftp evidence": span_at(0, 5, evidence_url="ftp://example.org/file"),
    "javascript evidence": span_at(0, 5, evidence_url="javascript:alert(1)"),
    "evidence that is no address": span_at(0, 5, evidence_url="see the report"),
    "evidence over its limit": span_at(0, 5, evidence_url="https://example.org/" + "a" * 1990),
    "unknown layer": span_at(0, 5, layer="draft"),
    "empty layer": span_at(0, 5, layer=""),
    "everything wrong at once": span_at(5, 0, quote="x", note="n" * 10_001, evidence_url="ftp://x.org", layer="x"),
}


def through_the_page(article, label, reviewer, values: dict):
    """(refusal or None, the stored row) from ``annotation_create``, rolled back."""
    with transaction.atomic():
        try:
            span = annotations.annotation_create(article=article, label=label, reviewer=reviewer, **values)
        except ValidationError as error:
            outcome = describe_validation_error(error), None
        else:
            outcome = None, Annotation.objects.filter(pk=span.pk).values(*SPAN_FIELDS).get()
        transaction.set_rollback(True)
    return outcome


def draft_of(article, label, reviewer, values: dict, where: str = "row 1") -> SpanDraft:
    return SpanDraft(
        where=where, order=(1,), article_id=article.pk, label_id=label.pk, reviewer=reviewer,
        **{"layer": Annotation.Layer.REVIEWER, **values},
    )  # fmt: skip


def through_the_bulk_writer(article, label, reviewer, values: dict):
    """(refusal or None, the stored row) from ``annotations_import``, rolled back."""
    with transaction.atomic():
        result = annotations_import(
            [draft_of(article, label, reviewer, values)], texts={article.pk: article.text}, changed_by=reviewer
        )
        if result.problems:
            [(_, message)] = result.problems
            outcome = message, None
        else:
            assert result.written and result.new == 1
            outcome = None, Annotation.objects.values(*SPAN_FIELDS).get()
        transaction.set_rollback(True)
    return outcome


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_bulk_writer_takes_and_refuses_a_new_span_as_the_page_does(text_article, labels, alice, case):
    page = through_the_page(text_article, labels["fact"], alice, HOSTILE[case])
    bulk = through_the_bulk_writer(text_article, labels["fact"], alice, HOSTILE[case])
    assert bulk == page


def test_the_comparison_sees_both_refusals_and_acceptances(text_article, labels, alice):
    # So the test above cannot pass by both paths refusing, or taking, everything.
    outcomes = {case: through_the_page(text_article, labels["fact"], alice, HOSTILE[case])[0] for case in HOSTILE}
    assert outcomes["fits"] is None and outcomes["the flag whole"] is None and outcomes["offsets as text"] is None
    assert outcomes["start splits the flag"] == "start: start 7 splits the character 🇧🇾 at [6, 8)"
    assert outcomes["note over its limit"] == "note: Ensure this value has at most 10000 characters (it has 10001)."
    assert outcomes["ftp evidence"] == "evidence_url: Use a web address that starts with http:// or https://."
    assert sum(outcome is not None for outcome in outcomes.values()) == len(HOSTILE) - 7


def stored_before_the_rule(article, label, reviewer, start: int, end: int) -> Annotation:
    """A span as an older Sourcemark stored it, splitting a character
    (bulk_create skips full_clean; the database allows it)."""
    (span,) = Annotation.objects.bulk_create(
        [Annotation(article=article, label=label, reviewer=reviewer, start=start, end=end, quote=TEXT[start:end])]
    )
    return Annotation.objects.get(pk=span.pk)


CHANGES = {
    "a new note": {"note": "checked"},
    "a note over its limit": {"note": "n" * 10_001},
    "a speaker with NUL": {"speaker": "a\x00"},
    "ftp evidence": {"evidence_url": "ftp://example.org/f"},
    "a new speaker and web evidence": {"speaker": "Minsk", "evidence_url": "http://example.org/"},
}


@pytest.mark.parametrize("stored", ["whole", "splitting the flag"])
@pytest.mark.parametrize("case", sorted(CHANGES))
def test_the_bulk_writer_takes_and_refuses_a_change_as_the_page_does(text_article, labels, alice, stored, case):
    start, end = (6, 8) if stored == "whole" else (7, 13)
    span = stored_before_the_rule(text_article, labels["fact"], alice, start, end)
    with transaction.atomic():
        try:
            annotations.annotation_update(Annotation.objects.get(pk=span.pk), changed_by=alice, **CHANGES[case])
        except ValidationError as error:
            page = describe_validation_error(error), None
        else:
            page = None, Annotation.objects.values(*SPAN_FIELDS).get()
        transaction.set_rollback(True)
    values = {"start": start, "end": end, "quote": TEXT[start:end], **CHANGES[case]}
    with transaction.atomic():
        result = annotations_import(
            [draft_of(text_article, labels["fact"], alice, values)], texts={text_article.pk: TEXT}, changed_by=alice
        )
        if result.problems:
            bulk = result.problems[0][1], None
        else:
            assert result.updated == 1
            bulk = None, Annotation.objects.values(*SPAN_FIELDS).get()
        transaction.set_rollback(True)
    assert bulk == page


def test_new_and_changed_spans_get_the_history_rows_the_page_writes(text_article, labels, alice, lena):
    def made_and_changed(write) -> list[dict]:
        with transaction.atomic():
            kept = make_annotation(text_article, labels["fact"], alice, start=0, end=5)
            Annotation.history.all().delete()
            write(kept)
            rows = list(Annotation.history.order_by("history_type", "start").values(*HISTORY_FIELDS, "history_date"))
            for row in rows:
                moment = row.pop("history_date")
                assert dt.timedelta(0) <= dt.datetime.now(dt.UTC) - moment < dt.timedelta(minutes=1)
            versions = list(Annotation.objects.order_by("start").values_list("start", "version", "note"))
            transaction.set_rollback(True)
        return rows, versions

    def per_row(kept):
        annotations.annotation_create(
            article=text_article, label=labels["opinion"], reviewer=alice, start=6, end=8, quote=FLAG,
            note="new", changed_by=lena,
        )  # fmt: skip
        annotations.annotation_update(kept, note="changed", changed_by=lena)

    def in_bulk(kept):
        drafts = [
            draft_of(text_article, labels["opinion"], alice, {"start": 6, "end": 8, "quote": FLAG, "note": "new"}),
            draft_of(text_article, labels["fact"], alice, {"start": 0, "end": 5, "quote": "Minsk", "note": "changed"}),
        ]
        result = annotations_import(drafts, texts={text_article.pk: TEXT}, changed_by=lena)
        assert (result.new, result.updated, result.problems) == (1, 1, [])

    bulk_rows, bulk_versions = made_and_changed(in_bulk)
    page_rows, page_versions = made_and_changed(per_row)
    assert [(row["history_type"], row["history_user_id"], row["history_change_reason"]) for row in bulk_rows] == [
        ("+", lena.pk, None),
        ("~", lena.pk, None),
    ]
    assert bulk_rows == page_rows
    assert bulk_versions == page_versions == [(0, 2, "changed"), (6, 1, "new")]


def test_a_change_moves_updated_at_and_keeps_created_at(text_article, labels, alice):
    span = make_annotation(text_article, labels["fact"], alice, start=0, end=5)
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Annotation.objects.filter(pk=span.pk).update(created_at=long_ago, updated_at=long_ago)
    values = {"start": 0, "end": 5, "quote": "Minsk", "note": "later"}

    result = annotations_import([draft_of(text_article, labels["fact"], alice, values)], texts={text_article.pk: TEXT},
                                changed_by=alice)  # fmt: skip

    assert result.updated == 1
    changed = Annotation.objects.get()
    assert changed.created_at == long_ago
    assert dt.timedelta(0) <= dt.datetime.now(dt.UTC) - changed.updated_at < dt.timedelta(minutes=1)


def test_a_span_another_writer_saves_meanwhile_refuses_the_file(text_article, labels, alice):
    """The existing spans are read first; a span saved after that (here by
    the page's own create, from inside the check, the moment another
    request could) meets the database's unique constraint on the write,
    which must come back as a refusal and roll the writer's rows back."""
    saved_meanwhile = []

    def another_writer_saves(draft, existing):
        if not saved_meanwhile:
            saved_meanwhile.append(make_annotation(text_article, labels["fact"], alice, start=6, end=8))
        return None

    drafts = [
        draft_of(text_article, labels["fact"], alice, {"start": 0, "end": 5, "quote": "Minsk"}, where="row 1"),
        draft_of(text_article, labels["fact"], alice, {"start": 6, "end": 8, "quote": FLAG}, where="row 2"),
    ]
    result = annotations_import(drafts, texts={text_article.pk: TEXT}, changed_by=alice, refusal=another_writer_saves)

    assert not result.written
    assert result.problems == [
        (
            None,
            "while this file was being written, someone else saved one of its spans: This reviewer already marked "
            "this span with this label. Nothing was written; import the file again to see which rows are new",
        )
    ]
    assert list(Annotation.objects.values_list("pk", flat=True)) == [saved_meanwhile[0].pk]


def test_nothing_is_written_when_any_span_is_refused(text_article, labels, alice):
    drafts = [
        draft_of(text_article, labels["fact"], alice, {"start": 0, "end": 5, "quote": "Minsk"}, where="row 1"),
        draft_of(text_article, labels["fact"], alice, {"start": 7, "end": 13, "quote": TEXT[7:13]}, where="row 2"),
    ]
    result = annotations_import(drafts, texts={text_article.pk: TEXT}, changed_by=alice)
    assert [(draft.where, message) for draft, message in result.problems] == [
        ("row 2", "start: start 7 splits the character 🇧🇾 at [6, 8)")
    ]
    assert not result.written and not Annotation.objects.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=clustered_texts(max_pieces=8).filter(lambda case: case[0].strip()), data=st.data())
def test_property_any_span_of_any_text_is_judged_as_the_page_judges_it(labels, alice, case, data):
    """The plain checks that let most spans past full_clean must never let
    one through that full_clean refuses: any offsets (inside, outside,
    inside a cluster), the right quote or a wrong one."""
    text, _ = case
    Annotation.objects.all().delete()
    article = make_article(text, title="Random")
    length = len(article.text)
    start = data.draw(st.integers(-1, length + 1))
    end = data.draw(st.integers(-1, length + 1))
    quote = data.draw(st.sampled_from([article.text[max(start, 0) : max(end, 0)], "x"]))
    values = {"start": start, "end": end, "quote": quote}
    page = through_the_page(article, labels["fact"], alice, values)
    bulk = through_the_bulk_writer(article, labels["fact"], alice, values)
    assert bulk == page


def test_a_batch_is_one_statement_of_spans_and_one_of_history_rows(text_article, labels, alice):
    size = bulk_annotations.batch_size()
    assert 1 <= size <= bulk_annotations.BATCH_SIZE
    assert bulk_annotations.queries_for(new=0, updated=size) == 2
    assert bulk_annotations.queries_for(new=0, updated=size + 1) == 4
    new = bulk_annotations.create_batch_size()
    assert 1 <= new <= row_inserts.MOST_ROWS
    assert bulk_annotations.queries_for(new=new, updated=0) == 2
    assert bulk_annotations.queries_for(new=new + 1, updated=0) == 4
