from django.contrib.auth import views as auth_views
from django.urls import path

from annotate.web.views import account, articles, curation, health, new_article, reports, team

urlpatterns = [
    path("", articles.article_list, name="article-list"),
    path("articles/new/", new_article.new_article, name="article-new"),
    path("articles/new/fetch/", new_article.new_article_fetch, name="article-new-fetch"),
    path("articles/new/text/", new_article.new_article_text, name="article-new-text"),
    path("articles/<int:article_id>/", articles.article_detail, name="article-detail"),
    path("articles/<int:article_id>/annotations/", articles.article_annotations, name="article-annotations"),
    path("annotations/<int:annotation_id>/", articles.annotation_detail, name="annotation-detail"),
    path("annotations/<int:annotation_id>/history/", articles.annotation_history, name="annotation-history"),
    path("articles/<int:article_id>/curate/", curation.curate, name="curate"),
    path("articles/<int:article_id>/curate/accept/", curation.curate_accept, name="curate-accept"),
    path(
        "articles/<int:article_id>/curate/accept-unanimous/",
        curation.curate_accept_unanimous,
        name="curate-accept-unanimous",
    ),
    path("articles/<int:article_id>/curate/remove/", curation.curate_remove, name="curate-remove"),
    path("articles/<int:article_id>/curate/close/", curation.curate_close, name="curate-close"),
    path("articles/<int:article_id>/curate/reopen/", curation.curate_reopen, name="curate-reopen"),
    path("queue/", articles.queue, name="queue"),
    path("queue/<int:assignment_id>/submit/", articles.assignment_submit, name="assignment-submit"),
    path("assign/", articles.assign, name="assign"),
    path("assignments/<int:assignment_id>/reopen/", articles.assignment_reopen, name="assignment-reopen"),
    path("team/", team.team, name="team"),
    path("reports/", reports.report_page, name="reports"),
    path("reports/<str:shape>.<str:fmt>", reports.report_download, name="report-download"),
    path("reports/articles/<int:article_id>/", reports.article_report, name="article-report"),
    path("team/agreement.<str:fmt>", team.team_download, name="team-download"),
    path("export/annotations/", articles.export_annotations, name="export-annotations"),
    path("healthz", health.healthz, name="healthz"),
    path("labels.css", articles.label_stylesheet, name="label-styles"),
    path("account/", account.account, name="account"),
    path("account/token/", account.account_token_issue, name="account-token-issue"),
    path("account/token/revoke/", account.account_token_revoke, name="account-token-revoke"),
    path("account/password/", account.PasswordChange.as_view(), name="password-change"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
