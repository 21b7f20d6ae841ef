"""Giving articles to reviewers and moving assignments through their states.

Every path (the lead's assign page, the admin action, the queue's buttons,
the workspace's first span) calls these functions."""

from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from annotate import permissions
from annotate.models import Annotation, Article, Assignment


@transaction.atomic
def assignments_create(
    *, articles: Iterable[Article], reviewers: Iterable, assigned_by, per_article: int | None = None
) -> tuple[list[Assignment], int]:
    """Assign articles to reviewers; returns (new assignments, how many
    pairs already existed). With ``per_article`` k, each article goes to k
    reviewers, chosen so that open workloads stay as even as possible (the
    reviewer with the fewest unsubmitted assignments first, then by name)."""
    reviewers = sorted(reviewers, key=lambda user: user.get_username())
    if not reviewers:
        raise ValidationError("Choose at least one reviewer.")
    if per_article is not None and not 1 <= per_article <= len(reviewers):
        raise ValidationError(f"Each article can go to 1 to {len(reviewers)} of the chosen reviewers.")
    articles = list(articles)
    existing = set(
        Assignment.objects.filter(article__in=articles, reviewer__in=reviewers).values_list("article_id", "reviewer_id")
    )
    load = Counter(
        Assignment.objects.filter(reviewer__in=reviewers)
        .exclude(status=Assignment.Status.SUBMITTED)
        .values_list("reviewer_id", flat=True)
    )
    new, skipped = [], 0
    for article in articles:
        already = [r for r in reviewers if (article.pk, r.pk) in existing]
        candidates = [r for r in reviewers if (article.pk, r.pk) not in existing]
        if per_article is None:
            chosen = candidates
            skipped += len(already)
        else:
            wanted = max(0, per_article - len(already))
            skipped += min(len(already), per_article)
            chosen = sorted(candidates, key=lambda r: (load[r.pk], r.get_username()))[:wanted]
        for reviewer in chosen:
            load[reviewer.pk] += 1
            new.append(Assignment(article=article, reviewer=reviewer, assigned_by=assigned_by))
    for assignment in new:
        assignment.full_clean(validate_unique=False)
        assignment.save()
    return new, skipped


@transaction.atomic
def assignment_mark_started(*, article: Article, reviewer) -> None:
    """The reviewer made a span: an assignment still "assigned" is now in progress."""
    # save() rather than a bare update(), so this change gets a history row
    # like every other; the row lock keeps a concurrent submit from being undone.
    started = Assignment.objects.select_for_update().filter(
        article=article, reviewer=reviewer, status=Assignment.Status.ASSIGNED
    )
    for assignment in started:
        assignment.status = Assignment.Status.IN_PROGRESS
        assignment.save(update_fields=["status"])


@transaction.atomic
def assignment_submit(assignment: Assignment, *, user) -> Assignment:
    if assignment.reviewer_id != user.pk:
        raise PermissionDenied("Only the assigned reviewer can submit this article.")
    if assignment.status == Assignment.Status.SUBMITTED:
        raise ValidationError("This article is already submitted.")
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_reopen(assignment: Assignment, *, user) -> Assignment:
    if not permissions.is_lead(user):
        raise PermissionDenied("Only a lead can reopen a submitted article.")
    if assignment.status != Assignment.Status.SUBMITTED:
        raise ValidationError("Only a submitted article can be reopened.")
    has_spans = Annotation.objects.filter(
        article_id=assignment.article_id, reviewer_id=assignment.reviewer_id, layer=Annotation.Layer.REVIEWER
    ).exists()
    assignment.status = Assignment.Status.IN_PROGRESS if has_spans else Assignment.Status.ASSIGNED
    assignment.submitted_at = None
    assignment.save()
    return assignment
