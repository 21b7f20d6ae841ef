"""row_inserts writes what bulk_create_with_history writes: the same
stored values (times, UUIDs, NULLs, text past the BMP) and the same
history rows, with ids in the order of the rows given."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from simple_history.utils import bulk_create_with_history

from annotate.actions import row_inserts
from annotate.models import Annotation, Label
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

TEXT = "Emoji 🐱 and 中文 then plain words to mark."
COLUMNS = tuple(f.attname for f in Annotation._meta.concrete_fields if f.attname != "id")
# What only the database decides, or simple-history numbers itself.
UNCOMPARED = {"id", "history_id"}


def spans(article, label, reviewer, when):
    later = when + dt.timedelta(seconds=5, microseconds=123)
    made = []
    for number, (start, end) in enumerate([(6, 7), (12, 14), (20, 25), (0, 5)]):
        made.append(
            Annotation(
                article_id=article.pk, label_id=label.pk, reviewer_id=reviewer.pk, start=start, end=end,
                quote=article.text[start:end], note=f"note {number} ✓" if number % 2 else "",
                speaker="Ана" if number == 1 else "", evidence_url="https://example.org/a" if number == 2 else "",
                layer="reviewer", decision_reason="", based_on_id=None,
                client_id=uuid.UUID(int=number + 1) if number % 2 else None, created_at=when,
                updated_at=later if number else when,
                version=number + 1, article_version=article.text_version, anchor_state="exact",
            )
        )  # fmt: skip
    return made


def stored(ids):
    spans = {row["id"]: row for row in Annotation.objects.filter(pk__in=ids).values()}
    history = {row["id"]: row for row in Annotation.history.filter(id__in=ids).values()}
    return [
        ({k: v for k, v in spans[pk].items() if k not in UNCOMPARED},
         {k: v for k, v in history[pk].items() if k not in UNCOMPARED})
        for pk in ids
    ]  # fmt: skip


def test_the_rows_and_their_history_are_those_bulk_create_with_history_writes(labels, alice, bob):
    article = make_article(TEXT)
    when = dt.datetime(2026, 3, 1, 12, 30, 15, 654321, tzinfo=dt.UTC)
    by_django = spans(article, labels["fact"], alice, when)
    bulk_create_with_history(by_django, Annotation, default_user=bob, default_change_reason=None, default_date=when)
    expected = stored([span.pk for span in by_django])
    Annotation.objects.all().delete()
    Annotation.history.all().delete()

    ours = spans(article, labels["fact"], alice, when)
    ids = row_inserts.insert_rows(Annotation, COLUMNS, [[getattr(s, name) for name in COLUMNS] for s in ours])
    row_inserts.copy_to_history(Annotation, ids, date=when, user_id=bob.pk)

    assert stored(ids) == expected
    # Ids come back in the order of the rows: each id holds its own row's offsets.
    assert [Annotation.objects.get(pk=pk).start for pk in ids] == [s.start for s in ours]


def test_more_rows_than_one_statement_takes_are_split_and_keep_their_order(labels, alice, monkeypatch):
    article = make_article("word " * 400)
    monkeypatch.setattr(row_inserts, "MOST_ROWS", 7)
    rows = [
        [getattr(s, name) for name in COLUMNS]
        for s in (
            Annotation(
                article_id=article.pk, label_id=labels["fact"].pk, reviewer_id=alice.pk, start=5 * n, end=5 * n + 4,
                quote="word", layer="reviewer", article_version=article.text_version,
            )
            for n in range(30)
        )
    ]  # fmt: skip
    ids = row_inserts.insert_rows(Annotation, COLUMNS, rows)
    row_inserts.copy_to_history(Annotation, ids, date=dt.datetime.now(dt.UTC), user_id=alice.pk)
    assert len(set(ids)) == 30
    assert [Annotation.objects.get(pk=pk).start for pk in ids] == [5 * n for n in range(30)]
    assert Annotation.history.filter(id__in=ids, history_type="+", history_user=alice).count() == 30


def test_the_limit_is_the_connections_own(db):
    limit = row_inserts.parameter_limit()
    if connection.vendor == "sqlite":
        assert limit >= 999
    else:
        assert limit == 65535
    assert row_inserts.rows_per_insert(COLUMNS) * len(COLUMNS) <= limit


def test_a_label_row_has_no_history_and_still_inserts(db):
    # Models without history are written by insert_rows alone.
    ids = row_inserts.insert_rows(Label, ("name", "slug", "colour", "shortcut", "description", "order"),
                                  [("Rumour", "rumour", "#123456", "", "", 9)])  # fmt: skip
    assert Label.objects.get(pk=ids[0]).slug == "rumour"
