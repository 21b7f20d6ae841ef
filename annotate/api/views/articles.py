"""Outlets, labels and articles, with an article's agreement and report."""

import dataclasses

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotate import permissions, tasks
from annotate.api import filters, serializers
from annotate.api.views.common import LoginExempt, require_lead
from annotate.api.views.reports import report_body
from annotate.io import articles_in
from annotate.models import Article, ArticleFetch, Label, Source
from annotate.read import report_rows, reports, team_agreement


class SourceViewSet(LoginExempt, viewsets.ReadOnlyModelViewSet):
    """Outlets. Reviewers see the outlets of the articles assigned to them."""

    serializer_class = serializers.SourceSerializer

    def get_queryset(self):
        return Source.objects.filter(permissions.sources_visible_to(self.request.user)).order_by("name", "id")


class LabelViewSet(LoginExempt, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.LabelSerializer
    queryset = Label.objects.order_by("order", "name", "id")


@extend_schema_view(
    list=extend_schema(summary="Articles the caller may open (text left out)"),
    retrieve=extend_schema(summary="One article, with its text"),
)
class ArticleViewSet(LoginExempt, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = filters.ArticleFilter

    def get_queryset(self):
        articles = Article.objects.select_related("source").filter(permissions.articles_visible_to(self.request.user))
        if self.action == "list":
            articles = articles.defer("text")
        return articles.order_by(*filters.ARTICLE_ORDER)

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.ArticleImportSerializer
        if self.action == "retrieve":
            return serializers.ArticleDetailSerializer
        return serializers.ArticleSerializer

    @extend_schema(
        summary="Import an article, or fetch one from its URL (leads)",
        description=(
            "With `text`, the article is imported at once: 201 when new, 200 when it was already there. "
            "With only `url`, the page is fetched and imported by a background worker: 202 with the fetch, "
            "whose `self` link (also the Location header) shows its status until it is done or failed."
        ),
        request=serializers.ArticleImportSerializer,
        responses={
            201: serializers.ArticleImportResultSerializer,
            200: serializers.ArticleImportResultSerializer,
            202: serializers.ArticleFetchSerializer,
        },
    )
    def create(self, request, *args, **kwargs):
        require_lead(request.user, "import articles")
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v is not None}
        if "text" not in values:
            return _queue_fetch(request, values)
        record = articles_in.ArticleRecord(**{k: str(v) if k == "published" else v for k, v in values.items()})
        try:
            article, outcome = articles_in.article_import(record)
        except articles_in.ImportProblem as problem:
            return Response({"error": {"message": str(problem)}}, status=400)
        body = serializers.ArticleDetailSerializer(article).data | {"outcome": outcome}
        return Response(body, status=201 if outcome == "created" else 200)

    @extend_schema(
        summary="Agreement among the reviewers who submitted (leads)", responses=serializers.AgreementSerializer
    )
    @action(detail=True, methods=["get"])
    def agreement(self, request, pk=None):
        require_lead(request.user, "see agreement")
        article = self.get_object()
        result = team_agreement.article_agreement_for(article)
        return Response(_agreement_payload(article, result))

    @extend_schema(
        summary="Reliability figures for one article (leads)",
        parameters=[
            OpenApiParameter("layer", str, enum=list(reports.LAYERS)),
            OpenApiParameter("labels", str, many=True),
        ],
        responses=serializers.ReportSerializer,
    )
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        require_lead(request.user, "see reports")
        article = self.get_object()
        return Response(report_body(request, report_rows.article_rows, article=article.pk))


def _queue_fetch(request, values: dict) -> Response:
    """POST /api/articles/ without text: only a URL, to fetch."""
    others = sorted(name for name, value in values.items() if name != "url" and value not in ("", None))
    if not values.get("url") or others:
        message = "give the article's text, or only its url to have it fetched"
        field = "text" if not values.get("url") else others[0]
        return Response({"error": {"message": message, "field": field}}, status=400)
    fetch = tasks.queue_article_fetch(values["url"], user=request.user)
    body = serializers.ArticleFetchSerializer(fetch, context={"request": request}).data
    return Response(body, status=202, headers={"Location": body["self"]})


@extend_schema_view(
    list=extend_schema(summary="URL fetches the caller may follow: their own, or every one for leads"),
    retrieve=extend_schema(summary="One URL fetch: its status, outcome and article"),
)
class ArticleFetchViewSet(LoginExempt, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ArticleFetchSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        fetches = ArticleFetch.objects.select_related("requested_by")
        return fetches.filter(permissions.article_fetches_visible_to(self.request.user)).order_by("-created_at", "-id")


def _agreement_payload(article: Article, result) -> dict:
    if result is None:
        return {"article": article.pk, "available": False, "reason": "fewer than two reviewers have submitted",
                "reviewers": [], "alpha": None, "alpha_by_label": {}, "pairs": []}  # fmt: skip
    return {
        "article": article.pk,
        "available": True,
        "reason": "",
        "reviewers": sorted({p.reviewer_a for p in result.pairs} | {p.reviewer_b for p in result.pairs}),
        "alpha": dataclasses.asdict(result.alpha),
        "alpha_by_label": {label: dataclasses.asdict(figure) for label, figure in result.alpha_by_label.items()},
        "pairs": [
            {
                "reviewer_a": pair.reviewer_a,
                "reviewer_b": pair.reviewer_b,
                "exact_f1": dataclasses.asdict(pair.total.exact_f1),
                "overlap_f1": dataclasses.asdict(pair.total.overlap_f1),
                **{
                    name: getattr(pair.total, name)
                    for name in (
                        "exact_matches",
                        "overlap_matches",
                        "label_disagreements",
                        "boundary_disagreements",
                        "unmatched",
                    )  # fmt: skip
                },
            }
            for pair in result.pairs
        ],
    }
