"""Query-string filters for the API's lists (django-filter). An unknown
label, reviewer or source is a 400 naming it, not an empty list."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from annotate.models import Annotation, Article, Assignment, Label, Source


class ArticleFilter(django_filters.FilterSet):
    source = django_filters.ModelChoiceFilter(queryset=Source.objects.all(), to_field_name="name")
    published_after = django_filters.DateFilter(field_name="published", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published", lookup_expr="lte")
    q = django_filters.CharFilter(method="search", max_length=200, help_text="Words in the title or text.")
    ordering = django_filters.OrderingFilter(fields=("published", "title", "id", "word_count"))

    class Meta:
        model = Article
        fields = ("source", "language")

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(text__icontains=value)) if value else queryset


class AnnotationFilter(django_filters.FilterSet):
    article = django_filters.NumberFilter(field_name="article_id")
    label = django_filters.ModelChoiceFilter(queryset=Label.objects.all(), to_field_name="slug")
    reviewer = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.all(), to_field_name="username")
    layer = django_filters.ChoiceFilter(choices=Annotation.Layer.choices)

    class Meta:
        model = Annotation
        fields = ("article", "label", "reviewer", "layer")


class AssignmentFilter(django_filters.FilterSet):
    article = django_filters.NumberFilter(field_name="article_id")
    reviewer = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.all(), to_field_name="username")
    status = django_filters.ChoiceFilter(choices=Assignment.Status.choices)

    class Meta:
        model = Assignment
        fields = ("article", "reviewer", "status")
