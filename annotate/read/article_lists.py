"""Read-side queries for pages, with their joins and counts, so views stay thin
and query counts stay fixed."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from annotate import permissions
from annotate.models import Article, Label, Source, placed_through


def article_list(*, user, query: str = "", source: Source | None = None, label: Label | None = None,
                 ordering=("-published", "title", "id")) -> QuerySet[Article]:  # fmt: skip
    """Articles with ``annotation_count`` and ``my_annotation_count``; the
    text is deferred (the list never shows it, and it is the bulk of a row)."""
    articles = Article.objects.select_related("source").defer("text").filter(permissions.articles_visible_to(user))
    if query:
        articles = articles.filter(Q(title__icontains=query) | Q(text__icontains=query))
    if source is not None:
        articles = articles.filter(source=source)
    if label is not None:
        articles = articles.filter(pk__in=label.annotations.values("article_id"))
    return articles.annotate(
        annotation_count=Count("annotations", filter=permissions.countable_spans(user) & placed_through("annotations")),
        my_annotation_count=Count("annotations", filter=Q(annotations__reviewer=user) & placed_through("annotations")),
    ).order_by(*ordering)


def queue_for(user) -> QuerySet:
    """The user's assignments with ``span_count`` (their own spans on the
    article) and ``adjudicated`` (the consensus is closed), open work first:
    in progress, then assigned, then submitted."""
    from django.db.models import Case, IntegerField, Value, When

    from annotate.models import Adjudication, Annotation, Assignment

    order = Case(
        When(status=Assignment.Status.IN_PROGRESS, then=Value(0)),
        When(status=Assignment.Status.ASSIGNED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Assignment.objects.filter(reviewer=user)
        .select_related("article__source")
        .defer("article__text")
        .annotate(
            span_count=Count(
                "article__annotations",
                filter=Q(article__annotations__reviewer=user, article__annotations__layer=Annotation.Layer.REVIEWER)
                & placed_through("article__annotations"),
            ),
            open_order=order,
            adjudicated=Exists(Adjudication.objects.filter(article_id=OuterRef("article_id"))),
        )
        .order_by("open_order", "assigned_at", "id")
    )


def assignments_overview() -> QuerySet:
    """Every assignment for the lead's assign page, newest first."""
    from annotate.models import Assignment

    return (
        Assignment.objects.select_related("article__source", "reviewer")
        .defer("article__text")
        .order_by("-assigned_at", "-id")
    )
