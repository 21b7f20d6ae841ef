"""The manager behind ``Model.history`` (django-simple-history), built once.

simple-history's descriptor builds a new manager class on every access to
``.history``: ``HistoryManager.from_queryset(...)`` runs ``inspect.getmembers``
over the queryset class, about half a millisecond each time. Every save
reaches it once (the history row is made through it) and every create a
second time (looking up its client id), so on the hottest path in the app
the class is built twice per request to come out the same each time.
Building it once per queryset class changes nothing else: each access still
gets a manager instance of its own, bound to its model and instance."""

import functools

from simple_history.manager import HistoryManager


class HistoryManagerBuiltOnce(HistoryManager):
    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)
