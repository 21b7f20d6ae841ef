"""The feeds leads follow, as the /feeds/ page lists them."""

from django.db.models import Count, Prefetch, Q

from annotate.models import Feed, FeedEntry, Source

# The failed items shown under a feed, the latest first; the counts say
# how many there are in all, and the admin lists every one.
PROBLEMS_SHOWN = 5
# The outlets offered as the "outlet" field's suggestions.
OUTLET_SUGGESTIONS = 1000

ENTRY_COUNTS = {
    "imported_count": FeedEntry.State.IMPORTED,
    "known_count": FeedEntry.State.KNOWN,
    "pending_count": FeedEntry.State.PENDING,
    "failing_count": FeedEntry.State.FAILED,
    "given_up_count": FeedEntry.State.GAVE_UP,
}


def feeds_for_page() -> list[Feed]:
    """Every feed, active ones first, with its outlet and who followed it;
    each carries its items' counts by state (``imported_count``,
    ``known_count``, ``pending_count``, ``failing_count``,
    ``given_up_count``) and ``problems``, its latest failed or given-up
    items (PROBLEMS_SHOWN at most). Two queries, whatever the number of
    feeds."""
    counts = {name: Count("entries", filter=Q(entries__state=state)) for name, state in ENTRY_COUNTS.items()}
    problems = FeedEntry.objects.filter(state__in=[FeedEntry.State.FAILED, FeedEntry.State.GAVE_UP])
    latest_problems = problems.order_by("-last_tried_at", "-id")[:PROBLEMS_SHOWN]
    feeds = (
        Feed.objects.select_related("source", "added_by")
        .annotate(**counts)
        .prefetch_related(Prefetch("entries", queryset=latest_problems, to_attr="problems"))
        .order_by("-active", "title", "url", "id")
    )
    return list(feeds)


def outlet_names(limit: int = OUTLET_SUGGESTIONS) -> list[str]:
    """The outlets' names, for the follow form to suggest (one query)."""
    return list(Source.objects.order_by("name").values_list("name", flat=True)[:limit])
