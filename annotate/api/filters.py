"""Query-string filters for the API's lists (django-filter). An unknown
label, reviewer or source is a 400 naming it, not an empty list, and so
is one the caller may not see: a reviewer cannot tell a colleague's
username or an outlet of someone else's articles from a name that does
not exist. A query parameter that is no filter of the list is a 400
naming it and the filters there are (``StrictFilterBackend``)."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from annotate import permissions
from annotate.models import MAX_ID, Annotation, Article, Assignment, Label, Source


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number in the databases' range (a float or an
    enormous number is a 400, not an overflow in the driver)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


def visible_sources(request):
    return Source.objects.filter(permissions.sources_visible_to(request.user))


def nameable_reviewers(request):
    """Whose name a filter may take: anyone for a lead, a reviewer's own
    name (with independent review on, a reviewer may see a colleague's spans
    after submitting, but not ask for them by name)."""
    users = get_user_model().objects.all()
    return users if permissions.is_lead(request.user) else users.filter(pk=request.user.pk)


class StrictFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that refuses a list's unknown query parameters:
    ``/api/annotations/?label=unsupported_claim&source=CNN`` must not answer
    every outlet's spans because ``source`` was not a filter there."""

    # Read by the paginator and by DRF's format override, not by filters.
    ALWAYS_KNOWN = frozenset({"page", "page_size", "format"})

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) == "list":
            filterset_class = self.get_filterset_class(view, queryset)
            known = set(filterset_class.base_filters) if filterset_class else set()
            unknown = sorted(set(request.query_params) - known - self.ALWAYS_KNOWN)
            if unknown:
                filters_here = ", ".join(sorted(known)) or "none"
                raise ValidationError(
                    {unknown[0]: [f"{unknown[0]!r} is not a filter here; the filters are: {filters_here}"]}
                )
        return super().filter_queryset(request, queryset, view)


# The article list's order when none is asked for (as the view gives it).
ARTICLE_ORDER = ("-published", "title", "id")


class ArticleFilter(django_filters.FilterSet):
    source = django_filters.ModelChoiceFilter(queryset=visible_sources, to_field_name="name")
    published_after = django_filters.DateFilter(field_name="published", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published", lookup_expr="lte")
    q = django_filters.CharFilter(method="search", max_length=200, help_text="Words in the title or text.")
    ordering = django_filters.OrderingFilter(fields=("published", "title", "id", "word_count"))

    class Meta:
        model = Article
        fields = ("source", "language")

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(text__icontains=value)) if value else queryset

    def filter_queryset(self, queryset):
        """The list in the order asked for, ties broken by id so pages do not
        overlap; ``?ordering=,`` (names, all empty) clears the order, so the
        default one is put back."""
        queryset = super().filter_queryset(queryset)
        order = list(queryset.query.order_by)
        if not order:
            return queryset.order_by(*ARTICLE_ORDER)
        if any(str(name).lstrip("-") in ("id", "pk") for name in order):
            return queryset
        return queryset.order_by(*order, "id")


class AnnotationFilter(django_filters.FilterSet):
    """The filters a desk asks spans by: outlet, article, label, reviewer,
    layer, when the article was published and when the span was made."""

    source = django_filters.ModelChoiceFilter(
        queryset=visible_sources, to_field_name="name", field_name="article__source"
    )
    article = IdFilter(field_name="article_id")
    label = django_filters.ModelChoiceFilter(queryset=Label.objects.all(), to_field_name="slug")
    reviewer = django_filters.ModelChoiceFilter(queryset=nameable_reviewers, to_field_name="username")
    layer = django_filters.ChoiceFilter(choices=Annotation.Layer.choices)
    published_from = django_filters.DateFilter(field_name="article__published", lookup_expr="gte")
    published_to = django_filters.DateFilter(field_name="article__published", lookup_expr="lte")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Annotation
        fields = ("source", "article", "label", "reviewer", "layer")


class AssignmentFilter(django_filters.FilterSet):
    article = IdFilter(field_name="article_id")
    reviewer = django_filters.ModelChoiceFilter(queryset=nameable_reviewers, to_field_name="username")
    status = django_filters.ChoiceFilter(choices=Assignment.Status.choices)

    class Meta:
        model = Assignment
        fields = ("article", "reviewer", "status")
