"""Read-side queries for pages, with their joins and counts, so views stay thin
and query counts stay fixed."""

from django.db.models import Count, Q, QuerySet

from annotate.models import Article, Label, Source


def article_list(*, user, query: str = "", source: Source | None = None, label: Label | None = None,
                 ordering=("-published", "title", "id")) -> QuerySet[Article]:  # fmt: skip
    """Articles with ``annotation_count`` and ``my_annotation_count``; the
    text is deferred (the list never shows it, and it is the bulk of a row)."""
    articles = Article.objects.select_related("source").defer("text")
    if query:
        articles = articles.filter(Q(title__icontains=query) | Q(text__icontains=query))
    if source is not None:
        articles = articles.filter(source=source)
    if label is not None:
        articles = articles.filter(pk__in=label.annotations.values("article_id"))
    return articles.annotate(
        annotation_count=Count("annotations"),
        my_annotation_count=Count("annotations", filter=Q(annotations__reviewer=user)),
    ).order_by(*ordering)
