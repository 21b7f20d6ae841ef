"""Reliability figures per source and per article (leads)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.api import serializers
from annotate.api.views.common import LoginExempt, require_lead
from annotate.read import report_rows, reports
from annotate.web.forms import ReportForm
from annotate.web.http import JsonError

REPORT_PARAMETERS = [
    OpenApiParameter("layer", str, enum=list(reports.LAYERS), description="auto, reviewer or consensus"),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("labels", str, many=True, description="Label slugs; none means all."),
]


def report_body(request, shape, **extra) -> dict:
    """A report answer's body: the label slugs and ``shape``'s rows, under
    the query string's filters (a 400 if they are not valid)."""
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
        return Response(report_body(request, self.shape))


@extend_schema(
    summary="Reliability figures per source (leads)",
    parameters=REPORT_PARAMETERS,
    responses=serializers.ReportSerializer,
)
class SourceReportView(ReportView):
    shape = staticmethod(report_rows.source_rows)


@extend_schema(
    summary="Reliability figures per article (leads)",
    parameters=REPORT_PARAMETERS,
    responses=serializers.ReportSerializer,
)
class ArticleReportView(ReportView):
    shape = staticmethod(report_rows.article_rows)
