"""Every page of the site with something on it, for the tests that must visit
them all: the Content-Security-Policy header and the browser's CSP and XSS
checks. An article goes through the whole review: two reviewers mark and
submit it, a lead accepts a span into the consensus and closes it."""

from dataclasses import dataclass

from django.urls import reverse

from annotate.actions.consensus import adjudication_close, consensus_accept
from annotate.models import Adjudication, Annotation, Article, Assignment
from tests.conftest import make_annotation, make_assignment


@dataclass(frozen=True)
class ReviewedArticle:
    article: Article
    spans: list[Annotation]  # the reviewers'
    consensus: Annotation
    assignment: Assignment
    adjudication: Adjudication


def reviewed_article(article: Article, labels, *, reviewers, lead, quote: str, **span_fields) -> ReviewedArticle:
    """``reviewers`` each mark ``quote`` (with ``span_fields``: note, speaker,
    evidence URL) with a different label and submit; ``lead`` accepts the
    first into the consensus and closes the article as adjudicated."""
    assignments = [make_assignment(article, reviewer, status=Assignment.Status.SUBMITTED) for reviewer in reviewers]
    spans = [
        make_annotation(article, label, reviewer, quote=quote, **span_fields)
        for reviewer, label in zip(reviewers, labels, strict=False)
    ]
    decided = consensus_accept(spans[0], lead=lead, reason=span_fields.get("note", ""))
    adjudication = adjudication_close(article, lead=lead, note=span_fields.get("note", ""))
    return ReviewedArticle(article, spans, decided, assignments[0], adjudication)


def reviewer_pages(reviewed: ReviewedArticle) -> dict[str, str]:
    article = reviewed.article.pk
    return {
        "article list": reverse("article-list"),
        "article page with feedback": reverse("article-detail", args=[article]),
        "queue": reverse("queue"),
        "export": reverse("export-annotations"),
        "account": reverse("account"),
        "password change": reverse("password-change"),
    }


def lead_pages(reviewed: ReviewedArticle) -> dict[str, str]:
    """What a superuser (a lead and an admin) can open."""
    article = reviewed.article.pk
    span = reviewed.spans[0]
    pages = {
        "article list": reverse("article-list"),
        "article page": reverse("article-detail", args=[article]),
        "article page, consensus layer": reverse("article-detail", args=[article]) + "?layer=consensus",
        "curate": reverse("curate", args=[article]),
        "reports": reverse("reports"),
        "article report": reverse("article-report", args=[article]),
        "queue": reverse("queue"),
        "assign": reverse("assign"),
        "feeds": reverse("feeds"),
        "team": reverse("team"),
        "export": reverse("export-annotations"),
        "account": reverse("account"),
        "password change": reverse("password-change"),
        "admin index": reverse("admin:index"),
    }
    objects = {
        "source": reviewed.article.source_id,
        "article": article,
        "label": span.label_id,
        "annotation": span.pk,
        "assignment": reviewed.assignment.pk,
        "adjudication": reviewed.adjudication.pk,
    }
    for model, pk in objects.items():
        pages[f"admin {model} list"] = reverse(f"admin:annotate_{model}_changelist")
        pages[f"admin {model} change form"] = reverse(f"admin:annotate_{model}_change", args=[pk])
        pages[f"admin {model} history"] = reverse(f"admin:annotate_{model}_history", args=[pk])
    for model in ("source", "article", "label", "annotation"):
        pages[f"admin {model} import"] = reverse(f"admin:annotate_{model}_import")
        pages[f"admin {model} export"] = reverse(f"admin:annotate_{model}_export")
    first_version = span.history.earliest("history_date")
    pages["admin annotation past version"] = reverse(
        "admin:annotate_annotation_simple_history", args=[span.pk, first_version.history_id]
    )
    pages["admin add label"] = reverse("admin:annotate_label_add")
    pages["admin user list"] = reverse("admin:auth_user_changelist")
    pages["admin user change form"] = reverse("admin:auth_user_change", args=[span.reviewer_id])
    return pages
