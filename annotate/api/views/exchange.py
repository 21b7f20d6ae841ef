"""Annotation files out (every export format) and in (an import, leads)."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate import permissions, tasks
from annotate.api import serializers
from annotate.api.views.common import LoginExempt, require_lead
from annotate.io import annotations_in
from annotate.io.exports import CONTENT_TYPES, EXPORT_FORMATS, ExportError, criteria_from_query, export_download
from annotate.models import Annotation, AnnotationImportJob


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
        OpenApiParameter("published_from", OpenApiTypes.DATE, description="Articles published on or after"),
        OpenApiParameter("published_to", OpenApiTypes.DATE, description="Articles published on or before"),
        OpenApiParameter("created_from", OpenApiTypes.DATE, description="Spans made on or after (UTC day)"),
        OpenApiParameter("created_to", OpenApiTypes.DATE, description="Spans made on or before (UTC day)"),
        OpenApiParameter(
            "include_orphans",
            OpenApiTypes.INT,
            enum=[0, 1],
            description="1: also orphaned spans, with the offsets of the article version they were made on",
        ),
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
        try:
            criteria = criteria_from_query(params)
        except ExportError as error:
            return Response({"error": {"message": str(error), "field": error.field}}, status=400)
        try:
            return export_download(request.user, criteria, export_format)
        except ExportError as error:
            return Response(
                {"error": {"message": str(error), **({"field": error.field} if error.field else {})}}, status=400
            )


class AnnotationImportView(LoginExempt, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import an annotation file (leads): all or nothing",
        request={"multipart/form-data": serializers.AnnotationImportSerializer},
        responses={
            200: serializers.ImportReportSerializer,
            202: serializers.AnnotationImportJobSerializer,
            422: serializers.ImportReportSerializer,
        },
        description="A file over ANNOTATION_IMPORT_BACKGROUND_BYTES, or any with `background`, is imported by a "
        "background worker: 202 with the job (its `self` to follow, also in Location).",
    )
    def post(self, request):
        require_lead(request.user, "import annotations")
        form = serializers.AnnotationImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        data = values["file"].read()
        file_format, dry_run = values["format"], values["dry_run"]
        options = {
            "keep_authors": values.get("keep_authors", False),
            "reviewer": values.get("reviewer") or None,
            "source": values.get("source") or None,
            "user_map": values.get("user_map") or {},
            "label_map": values.get("label_map") or {},
        }
        if values["background"] or len(data) > settings.ANNOTATION_IMPORT_BACKGROUND_BYTES:
            job = tasks.queue_annotation_import(
                data, file_format, user=request.user, file_name=values["file"].name or "", dry_run=dry_run,
                options=options,
            )  # fmt: skip
            body = serializers.AnnotationImportJobSerializer(job, context={"request": request}).data
            return Response(body, status=202, headers={"Location": body["self"]})
        report = annotations_in.import_annotation_file(data, file_format, user=request.user, dry_run=dry_run, **options)
        # 422: the request was fine, the file's content is refused (see errors).
        return Response(report.as_dict(), status=422 if report.errors else 200)


@extend_schema_view(
    list=extend_schema(summary="Background annotation imports the caller may follow: their own (staff: all)"),
    retrieve=extend_schema(summary="One background annotation import: its status, progress and result"),
)
class AnnotationImportJobViewSet(LoginExempt, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AnnotationImportJobSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        jobs = AnnotationImportJob.objects.select_related("requested_by").defer("data")
        visible = permissions.annotation_import_jobs_visible_to(self.request.user)
        return jobs.filter(visible).order_by("-created_at", "-id")
