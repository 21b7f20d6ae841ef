"""Who may see or change what. Views, templates and querysets ask here; they
do not re-derive the answer."""

from annotate.models import Annotation, Assignment


def has_submitted(user, article_id: int) -> bool:
    return Assignment.objects.filter(
        article_id=article_id, reviewer_id=user.pk, status=Assignment.Status.SUBMITTED
    ).exists()


def can_annotate(user, article, *, submitted: bool | None = None) -> bool:
    """A signed-in, active user may mark spans on an article until they have
    submitted their review of it (a lead can reopen it)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return not (has_submitted(user, article.pk) if submitted is None else submitted)


def can_change_annotation(user, annotation: Annotation, *, submitted: bool | None = None) -> bool:
    """Only a span's author may change or delete it, and only until they
    have submitted the article. Pass ``submitted`` (``has_submitted`` for
    this user and article) when asking for many spans, to ask the database once."""
    if not (user.is_authenticated and user.is_active and annotation.reviewer_id == user.pk):
        return False
    if submitted is None:
        submitted = has_submitted(user, annotation.article_id)
    return not submitted


LEAD_GROUP = "Lead"
REVIEWER_GROUP = "Reviewer"


def is_lead(user) -> bool:
    """Leads assign, see everyone's work and adjudicate; staff count as leads."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user.is_superuser or user.groups.filter(name=LEAD_GROUP).exists()
