"""Who may see or change what. Views, templates and querysets ask here; they
do not re-derive the answer."""

from django.conf import settings
from django.db.models import Q

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
    """Leads assign, see everyone's work and adjudicate; staff count as leads.
    The answer is kept on the user object, so a request asks the database once."""
    cached = getattr(user, "_sourcemark_is_lead", None)
    if cached is not None:
        return cached
    if not (user.is_authenticated and user.is_active):
        answer = False
    else:
        answer = user.is_staff or user.is_superuser or user.groups.filter(name=LEAD_GROUP).exists()
    user._sourcemark_is_lead = answer
    return answer


def visible_spans(user, *, submitted: bool, show_others: bool = False, reviewer: str | None = None) -> Q:
    """Which spans of an article the user may see, as a filter.

    Independent judgement (``settings.INDEPENDENT_REVIEW``, on by default):
    a reviewer sees only their own spans until they have submitted the
    article, so nobody anchors on a colleague's choices; after submitting
    they may switch the others' spans on (``show_others``). Leads see
    everyone's, optionally one reviewer's (``reviewer``, a username)."""
    if is_lead(user):
        return Q(reviewer__username=reviewer) if reviewer else Q()
    if not settings.INDEPENDENT_REVIEW or (submitted and show_others):
        return Q()
    return Q(reviewer_id=user.pk)


def export_reviewer_scope(user) -> str | None:
    """Whose spans a user may export: None for leads (everyone's), else the
    user's own username. A reviewer's export must not show colleagues'
    spans the page hides from them (independent judgement)."""
    return None if is_lead(user) else user.get_username()
