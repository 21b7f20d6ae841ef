"""The ``.history`` manager class is built once (annotate/simple_history_manager.py)
while every access still gets a manager bound to its own model and span."""

from annotate.models import Adjudication, Annotation, Assignment
from tests.conftest import make_annotation


def test_every_access_to_history_shares_one_manager_class(article, labels, alice):
    span = make_annotation(article, labels["fact"], alice, quote="Lukashenko")

    # Without the cache each access builds a class of its own.
    assert type(Annotation.history) is type(Annotation.history) is type(span.history)
    assert type(Assignment.history) is type(Annotation.history)  # one per queryset class, not per model
    assert Assignment.history.model is not Annotation.history.model


def test_each_access_is_still_bound_to_its_own_span(article, labels, alice):
    first = make_annotation(article, labels["fact"], alice, quote="Lukashenko")
    second = make_annotation(article, labels["opinion"], alice, quote="Xi")
    second.note = "changed once"
    second.save()

    assert [v.history_type for v in first.history.all()] == ["+"]
    assert sorted(v.history_type for v in second.history.all()) == ["+", "~"]
    assert Annotation.history.count() == 3
    assert second.history.most_recent().note == "changed once"  # HistoryManager's own methods
    assert Adjudication.history.model.__name__ == "HistoricalAdjudication"


def test_the_queryset_methods_are_the_history_querysets(article, labels, alice):
    span = make_annotation(article, labels["fact"], alice, quote="Lukashenko")

    # latest_of_each is HistoricalQuerySet's: the built class must carry it.
    assert [record.id for record in Annotation.history.filter(id=span.pk).latest_of_each()] == [span.pk]
