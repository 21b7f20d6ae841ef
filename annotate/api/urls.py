from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from annotate.api.views import annotations, articles, assignments, auth, common, exchange, reports

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sources", articles.SourceViewSet, basename="api-source")
router.register("labels", articles.LabelViewSet, basename="api-label")
router.register("articles", articles.ArticleViewSet, basename="api-article")
router.register("article-fetches", articles.ArticleFetchViewSet, basename="api-article-fetch")
router.register("imports/annotations/jobs", exchange.AnnotationImportJobViewSet, basename="api-annotation-import-job")
router.register("annotations", annotations.AnnotationViewSet, basename="api-annotation")
router.register("assignments", assignments.AssignmentViewSet, basename="api-assignment")

urlpatterns = [
    path("", include(router.urls)),
    path("reports/sources/", reports.SourceReportView.as_view(), name="api-report-sources"),
    path("reports/articles/", reports.ArticleReportView.as_view(), name="api-report-articles"),
    path("exports/annotations/", exchange.AnnotationExportView.as_view(), name="api-export-annotations"),
    path("imports/annotations/", exchange.AnnotationImportView.as_view(), name="api-import-annotations"),
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    # The API's shape is public; its data is not.
    path("schema/", login_not_required(SpectacularAPIView.as_view(permission_classes=[])), name="api-schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[])),
        name="api-docs",
    ),
    re_path(r"", common.not_found),
]
