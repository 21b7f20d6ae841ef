"""The URL fetches a lead follows on the New article page."""

from django.db.models import QuerySet

from annotate.models import ArticleFetch

RECENT_FETCHES = 20


def recent_fetches_for(user, *, limit: int = RECENT_FETCHES) -> QuerySet[ArticleFetch]:
    """The user's own latest fetches, newest first, with their articles
    (one query)."""
    fetches = ArticleFetch.objects.filter(requested_by_id=user.pk).select_related("article")
    return fetches.order_by("-created_at", "-id")[:limit]
