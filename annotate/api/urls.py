from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from annotate.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sources", views.SourceViewSet, basename="api-source")
router.register("labels", views.LabelViewSet, basename="api-label")
router.register("articles", views.ArticleViewSet, basename="api-article")
router.register("annotations", views.AnnotationViewSet, basename="api-annotation")
router.register("assignments", views.AssignmentViewSet, basename="api-assignment")

urlpatterns = [
    path("", include(router.urls)),
    path("reports/sources/", views.SourceReportView.as_view(), name="api-report-sources"),
    path("reports/articles/", views.ArticleReportView.as_view(), name="api-report-articles"),
    path("exports/annotations/", views.AnnotationExportView.as_view(), name="api-export-annotations"),
    path("imports/annotations/", views.AnnotationImportView.as_view(), name="api-import-annotations"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    # The API's shape is public; its data is not.
    path("schema/", login_not_required(SpectacularAPIView.as_view(permission_classes=[])), name="api-schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[])),
        name="api-docs",
    ),
    re_path(r"", views.not_found),
]
