"""Another writer saving one of an import's spans while the import runs:
a second connection commits the span between the import's read of the
stored spans and its write, and the import must refuse the file (its
unique constraint), not fail with a 500, and write none of it.

PostgreSQL only: on SQLite the import's IMMEDIATE transaction holds the
database's write lock from its first read, so no other writer can come
between (the other connection waits, then gives up), which is the
race's answer there."""

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection

from annotate.actions.bulk_annotations import SpanDraft, annotations_import
from annotate.models import Annotation
from tests.conftest import make_annotation, make_article

TEXT = "Minsk and Beijing sign a pact."


@pytest.fixture(autouse=True)
def default_labels(transactional_db):
    """The labels and roles the data migrations make, which an earlier
    transactional test's flush removed (as in tests/web/test_workspace_races.py)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's IMMEDIATE transaction lets no other writer in while an import runs")
    importlib.import_module("annotate.migrations.0002_default_labels").create_default_labels(apps, None)
    importlib.import_module("annotate.migrations.0005_roles").create_roles(apps, None)


def test_a_span_another_connection_commits_meanwhile_refuses_the_file(alice):
    article = make_article(TEXT)
    fact = apps.get_model("annotate", "Label").objects.get(slug="fact")
    committed = []

    def another_request_saves_the_second_span():
        try:
            committed.append(make_annotation(article, fact, alice, quote="Beijing").pk)
        finally:
            connection.close()  # this thread's own connection

    def refusal(draft, existing):
        # Called while the import checks its rows, after it read what is stored.
        if not committed:
            writer = threading.Thread(target=another_request_saves_the_second_span)
            writer.start()
            writer.join(timeout=30)
        return None

    drafts = [
        SpanDraft(where=f"row {n}", order=(n,), article_id=article.pk, label_id=fact.pk, reviewer=alice,
                  start=TEXT.index(word), end=TEXT.index(word) + len(word), quote=word)
        for n, word in enumerate(["Minsk", "Beijing"], start=1)
    ]  # fmt: skip
    result = annotations_import(drafts, texts={article.pk: TEXT}, changed_by=alice, refusal=refusal)

    assert committed, "the other connection did not save its span"
    assert not result.written
    [(where, message)] = result.problems
    assert where is None and "someone else saved one of its spans" in message
    assert list(Annotation.objects.values_list("pk", flat=True)) == committed
