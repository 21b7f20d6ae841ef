from django.contrib.auth import views as auth_views
from django.urls import path

from annotate import health, views, views_curation, views_reports, views_team

urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("articles/<int:article_id>/", views.article_detail, name="article-detail"),
    path("articles/<int:article_id>/annotations/", views.article_annotations, name="article-annotations"),
    path("annotations/<int:annotation_id>/", views.annotation_detail, name="annotation-detail"),
    path("annotations/<int:annotation_id>/history/", views.annotation_history, name="annotation-history"),
    path("articles/<int:article_id>/curate/", views_curation.curate, name="curate"),
    path("articles/<int:article_id>/curate/accept/", views_curation.curate_accept, name="curate-accept"),
    path(
        "articles/<int:article_id>/curate/accept-unanimous/",
        views_curation.curate_accept_unanimous,
        name="curate-accept-unanimous",
    ),
    path("articles/<int:article_id>/curate/remove/", views_curation.curate_remove, name="curate-remove"),
    path("articles/<int:article_id>/curate/close/", views_curation.curate_close, name="curate-close"),
    path("articles/<int:article_id>/curate/reopen/", views_curation.curate_reopen, name="curate-reopen"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:assignment_id>/submit/", views.assignment_submit, name="assignment-submit"),
    path("assign/", views.assign, name="assign"),
    path("assignments/<int:assignment_id>/reopen/", views.assignment_reopen, name="assignment-reopen"),
    path("team/", views_team.team, name="team"),
    path("reports/", views_reports.report_page, name="reports"),
    path("reports/<str:shape>.<str:fmt>", views_reports.report_download, name="report-download"),
    path("reports/articles/<int:article_id>/", views_reports.article_report, name="article-report"),
    path("team/agreement.<str:fmt>", views_team.team_download, name="team-download"),
    path("export/annotations/", views.export_annotations, name="export-annotations"),
    path("healthz", health.healthz, name="healthz"),
    path("labels.css", views.label_stylesheet, name="label-styles"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
