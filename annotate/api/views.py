"""API views: parse, ask annotate/permissions.py, call the same service
functions as the pages, answer. Each list reads a fixed number of queries
whatever its length (tests/api/test_views.py counts them)."""

import dataclasses

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate import permissions
from annotate.actions import assignments
from annotate.api import filters, serializers
from annotate.io import annotations_in, articles_in
from annotate.io.exports import CONTENT_TYPES, EXPORT_FORMATS, AnnotationFilter, ExportError, export_download
from annotate.models import Adjudication, Annotation, Article, Assignment, Label, Source
from annotate.read import history, reports, team_agreement
from annotate.rules import offsets
from annotate.web import login_throttle, workspace
from annotate.web.forms import ReportForm
from annotate.web.http import JsonError


class LoginExempt:
    """The API answers 401/403 in JSON itself; the site's login redirect
    (LoginRequiredMiddleware) would send scripts an HTML page."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


def require_lead(user, what: str) -> None:
    if not permissions.is_lead(user):
        raise PermissionDenied(f"only a lead can {what}")


# ------------------------------------------------------------------ sources, labels


class SourceViewSet(LoginExempt, viewsets.ReadOnlyModelViewSet):
    """Outlets. Reviewers see the outlets of the articles assigned to them."""

    serializer_class = serializers.SourceSerializer

    def get_queryset(self):
        visible = Article.objects.filter(permissions.articles_visible_to(self.request.user))
        sources = Source.objects.order_by("name", "id")
        if permissions.is_lead(self.request.user):
            return sources
        return sources.filter(pk__in=visible.values("source_id"))


class LabelViewSet(LoginExempt, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.LabelSerializer
    queryset = Label.objects.order_by("order", "name", "id")


# ------------------------------------------------------------------ articles


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
        return articles.order_by("-published", "title", "id")

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.ArticleImportSerializer
        if self.action == "retrieve":
            return serializers.ArticleDetailSerializer
        return serializers.ArticleSerializer

    @extend_schema(
        summary="Import an article (leads)",
        request=serializers.ArticleImportSerializer,
        responses={201: serializers.ArticleImportResultSerializer, 200: serializers.ArticleImportResultSerializer},
    )
    def create(self, request, *args, **kwargs):
        require_lead(request.user, "import articles")
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v is not None}
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
        return Response(_report(request, reports.article_rows, article=article.pk))


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


# ------------------------------------------------------------------ annotations


@extend_schema_view(
    list=extend_schema(summary="Spans the caller may see", responses=serializers.AnnotationSerializer(many=True)),
    retrieve=extend_schema(summary="One span", responses=serializers.AnnotationSerializer),
    destroy=extend_schema(
        summary="Delete a span (its author, or a lead for consensus spans)",
        parameters=[
            OpenApiParameter("version", int, description="Only if the span is still at this version (else 409).")
        ],
    ),
)
class AnnotationViewSet(
    LoginExempt,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Spans, under the workspace's rules: a reviewer sees their own spans
    (and colleagues' once they have submitted), the consensus once closed;
    creating, changing and deleting go through annotate/web/workspace.py."""

    filterset_class = filters.AnnotationFilter
    serializer_class = serializers.AnnotationSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Annotation.objects.filter(permissions.annotations_visible_to(self.request.user))
            .select_related("label", "reviewer")
            .order_by("article_id", "start", "end", "id")
        )

    def get_serializer_class(self):
        return {
            "create": serializers.AnnotationCreateSerializer,
            "partial_update": serializers.AnnotationChangeSerializer,
        }.get(self.action, serializers.AnnotationSerializer)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(_payloads(page, request.user))

    def retrieve(self, request, *args, **kwargs):
        annotation = self._visible(kwargs["pk"])
        return Response(_payloads([annotation], request.user)[0])

    @extend_schema(
        summary="Mark a span",
        request=serializers.AnnotationCreateSerializer,
        responses={201: serializers.AnnotationSerializer},
    )
    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            return Response({"error": {"message": "the request body must be a JSON object"}}, status=400)
        data = dict(request.data)
        article_id = data.pop("article", None)
        if isinstance(article_id, bool) or not isinstance(article_id, int):
            return Response({"error": {"message": "article must be an article's id", "field": "article"}}, status=400)
        article = get_object_or_404(Article, pk=article_id)
        payload = workspace.annotation_create_answer(article=article, data=data, user=request.user)
        return Response({"article": article.pk, **payload}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a span's label, note, speaker, evidence or reason",
        request=serializers.AnnotationChangeSerializer,
        responses=serializers.AnnotationSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            return Response({"error": {"message": "the request body must be a JSON object"}}, status=400)
        annotation = self._any(kwargs["pk"])
        payload = workspace.annotation_change_answer(annotation=annotation, data=dict(request.data), user=request.user)
        return Response({"article": annotation.article_id, **payload})

    def destroy(self, request, *args, **kwargs):
        workspace.annotation_delete_from_browser(
            annotation=self._any(kwargs["pk"]), user=request.user, version=request.query_params.get("version")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Every version of a span (leads)", responses=serializers.HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        annotation = self._visible(pk)
        require_lead(request.user, "see a span's history")
        return Response(history.annotation_history(annotation))

    def _any(self, pk) -> Annotation:
        """The span whatever the caller may see; the workspace functions
        decide between 404 and 403 as the page does."""
        if not str(pk).isdigit():
            raise Http404
        return get_object_or_404(Annotation.objects.select_related("article", "label", "reviewer"), pk=pk)

    def _visible(self, pk) -> Annotation:
        annotation = self._any(pk)
        if not permissions.can_see_annotation(self.request.user, annotation):
            raise Http404("No such annotation.")
        return annotation


def _payloads(annotations, user) -> list[dict]:
    """``workspace.annotation_payload`` for many spans in three queries:
    the articles' texts (for UTF-16 offsets), the caller's assignment
    statuses and which articles are adjudicated."""
    annotations = list(annotations)
    article_ids = {a.article_id for a in annotations}
    texts = dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "text")) if article_ids else {}
    statuses = (
        dict(
            Assignment.objects.filter(reviewer_id=user.pk, article_id__in=article_ids).values_list(
                "article_id", "status"
            )
        )
        if article_ids
        else {}
    )
    adjudicated = (
        set(Adjudication.objects.filter(article_id__in=article_ids).values_list("article_id", flat=True))
        if article_ids
        else set()
    )
    maps = {pk: offsets.Utf16Map(text) for pk, text in texts.items()}
    return [
        {
            "article": a.article_id,
            **workspace.annotation_payload(
                a, maps[a.article_id], user, status=statuses.get(a.article_id), adjudicated=a.article_id in adjudicated
            ),
        }
        for a in annotations
    ]


# ------------------------------------------------------------------ assignments


class AssignmentViewSet(LoginExempt, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reviewers see their own assignments; leads see and make everyone's."""

    filterset_class = filters.AssignmentFilter
    serializer_class = serializers.AssignmentSerializer

    def get_queryset(self):
        queryset = Assignment.objects.select_related("reviewer", "assigned_by", "article").defer("article__text")
        if not permissions.is_lead(self.request.user):
            queryset = queryset.filter(reviewer_id=self.request.user.pk)
        return queryset.order_by("id")

    def get_serializer_class(self):
        return serializers.AssignmentCreateSerializer if self.action == "create" else serializers.AssignmentSerializer

    @extend_schema(
        summary="Assign articles to reviewers (leads)",
        request=serializers.AssignmentCreateSerializer,
        responses={201: serializers.AssignmentCreateResultSerializer},
    )
    def create(self, request, *args, **kwargs):
        require_lead(request.user, "assign articles")
        data = serializers.AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made, skipped = assignments.assignments_create(
            articles=data.validated_data["articles"],
            reviewers=data.validated_data["reviewers"],
            per_article=data.validated_data.get("per_article"),
            assigned_by=request.user,
        )
        made = Assignment.objects.filter(pk__in=[a.pk for a in made]).select_related(
            "reviewer", "assigned_by", "article"
        )
        body = {"created": serializers.AssignmentSerializer(made, many=True).data, "already_existed": skipped}
        return Response(body, status=201)

    @extend_schema(
        summary="Submit your review of the article", request=None, responses=serializers.AssignmentSerializer
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        assignment = self.get_object()
        assignments.assignment_submit(assignment, user=request.user)
        return Response(serializers.AssignmentSerializer(assignment).data)

    @extend_schema(
        summary="Reopen a submitted review (leads)", request=None, responses=serializers.AssignmentSerializer
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        require_lead(request.user, "reopen a submitted article")
        assignment = self.get_object()
        assignments.assignment_reopen(assignment, user=request.user)
        return Response(serializers.AssignmentSerializer(assignment).data)


# ------------------------------------------------------------------ reports


REPORT_PARAMETERS = [
    OpenApiParameter("layer", str, enum=list(reports.LAYERS), description="auto, reviewer or consensus"),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("labels", str, many=True, description="Label slugs; none means all."),
]


def _report(request, shape, **extra) -> dict:
    form = ReportForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise JsonError(form.error_text() or "the report's filters are not valid")
    try:
        report = reports.build_report(form.criteria(**extra))
    except reports.ReportError as error:
        raise JsonError(str(error)) from None
    return {"labels": [label.slug for label in report.labels], "rows": shape(report)}


class ReportView(LoginExempt, APIView):
    shape = None

    def get(self, request):
        require_lead(request.user, "see reports")
        return Response(_report(request, self.shape))


@extend_schema(
    summary="Reliability figures per source (leads)",
    parameters=REPORT_PARAMETERS,
    responses=serializers.ReportSerializer,
)
class SourceReportView(ReportView):
    shape = staticmethod(reports.source_rows)


@extend_schema(
    summary="Reliability figures per article (leads)",
    parameters=REPORT_PARAMETERS,
    responses=serializers.ReportSerializer,
)
class ArticleReportView(ReportView):
    shape = staticmethod(reports.article_rows)


# ------------------------------------------------------------------ exports and imports


class IgnoreAcceptHeader(BaseContentNegotiation):
    """The export's format comes from ?format=; an Accept header cannot veto it."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(
    summary="Download annotations in any export format",
    parameters=[
        OpenApiParameter("format", str, enum=list(EXPORT_FORMATS), default="csv"),
        OpenApiParameter("source", str, description="Source name"),
        OpenApiParameter("label", str, description="Label slug"),
        OpenApiParameter("reviewer", str, description="Username (reviewers: only their own)"),
        OpenApiParameter("article", int),
        OpenApiParameter("layer", str, enum=list(Annotation.Layer.values)),
    ],
    responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="format=csv"),
        (200, "application/json"): OpenApiResponse(
            {"type": "array", "items": {"type": "object"}}, description="format=json: one object per span"
        ),
        (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY, description="format=xlsx"),
        (200, "application/ld+json"): OpenApiResponse(
            OpenApiTypes.ANY, description="format=w3c (an AnnotationCollection) or claimreview (a list)"
        ),
        (200, "application/jsonl"): OpenApiResponse(OpenApiTypes.BINARY, description="format=doccano: a line per text"),
    },
)
class AnnotationExportView(LoginExempt, APIView):
    content_negotiation_class = IgnoreAcceptHeader

    def get(self, request):
        params = request.query_params
        export_format = params.get("format", "csv")
        if export_format not in EXPORT_FORMATS:
            return Response(
                {
                    "error": {
                        "message": f"unknown format {export_format!r}; use one of {', '.join(EXPORT_FORMATS)}",
                        "field": "format",
                    }
                },
                status=400,
            )
        article = params.get("article")
        if article is not None and not article.isdigit():
            return Response({"error": {"message": "article must be an article's id", "field": "article"}}, status=400)
        criteria = AnnotationFilter(
            source=params.get("source") or None,
            label=params.get("label") or None,
            reviewer=params.get("reviewer") or None,
            article=int(article) if article else None,
            layer=params.get("layer") or None,
        )
        try:
            return export_download(request.user, criteria, export_format)
        except ExportError as error:
            return Response({"error": {"message": str(error)}}, status=400)


class AnnotationImportView(LoginExempt, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import an annotation file (leads): all or nothing",
        request={"multipart/form-data": serializers.AnnotationImportSerializer},
        responses={200: serializers.ImportReportSerializer, 422: serializers.ImportReportSerializer},
    )
    def post(self, request):
        require_lead(request.user, "import annotations")
        form = serializers.AnnotationImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        data = values["file"].read()
        file_format, dry_run = values["format"], values["dry_run"]
        report = annotations_in.import_annotation_file(
            data,
            file_format,
            dry_run=dry_run,
            reviewer=values.get("reviewer") or None,
            source=values.get("source") or None,
        )
        body = {
            "summary": report.summary(),
            "written": report.written,
            "total": report.total,
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": report.errors,
        }
        # 422: the request was fine, the file's content is refused (see errors).
        return Response(body, status=422 if report.errors else 200)


# ------------------------------------------------------------------ tokens


@extend_schema(
    summary="Exchange a username and password for an API token",
    request=None,
    responses={200: OpenApiResponse(response={"type": "object", "properties": {"token": {"type": "string"}}})},
)
class TokenView(LoginExempt, ObtainAuthToken):
    """Sign-in for scripts, throttled like the sign-in page (django-axes):
    after too many failures the answer is a 429 saying so."""

    parser_classes = [JSONParser, FormParser]
    permission_classes = []
    authentication_classes = []

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # axes marks the request it was given: DRF's wrapper, not Django's.
            if getattr(request, "axes_locked_out", False):
                return login_throttle.lockout_response(request._request)
            raise


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([])
@login_not_required
def not_found(request, *args, **kwargs):
    """Anything under /api/ that names no endpoint: a JSON 404 like the rest."""
    return Response({"error": {"message": "no such API endpoint"}}, status=404)
