"""Who may see or change what. Views, templates, querysets and exports ask
here; they do not re-derive the answer.

The rules, in one place:

- **Leads** (the "Lead" group, staff and superusers) see every article,
  every span and its history, assign, reopen, adjudicate and read the
  reports; pages only they may use carry ``@lead_required``. They may also
  mark spans of their own on any article.
- **Reviewers** (everyone else who is signed in and active) see only the
  articles assigned to them; any other article is a 404, as if it did not
  exist. They mark spans on an assigned article until they submit it, and
  submit only their own assignments.
- **A span** is changed or deleted only by its author (reviewer layer) or a
  lead (consensus layer), and only while the author has not submitted the
  article / the article is not adjudicated.
- **Independent judgement** (``settings.INDEPENDENT_REVIEW``): a reviewer
  sees only their own spans on an article until they have submitted it.
- **Article fetches** (a URL queued for import): leads queue them, as
  they import articles; a fetch is followed by whoever asked for it and
  by every lead.
- **Feeds** (an outlet's RSS or Atom feed whose new items are imported):
  leads follow, pause, resume, poll and unfollow them, as they import
  articles; the /feeds/ page and its forms are ``lead_required``.
- **API tokens**: everyone, leads and admins included, sees and changes only
  their own, on their account page; no page lists anyone else's.
"""

import functools

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from annotate.models import Adjudication, AnchorState, Annotation, Article, Assignment

LEAD_GROUP = "Lead"
REVIEWER_GROUP = "Reviewer"

# "Not looked up yet", as opposed to None ("no assignment").
ASK = object()


def is_active_user(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_lead(user) -> bool:
    """Leads assign, see everyone's work and adjudicate; staff count as leads.
    The answer is kept on the user object, so a request asks the database once."""
    cached = getattr(user, "_sourcemark_is_lead", None)
    if cached is not None:
        return cached
    if not is_active_user(user):
        answer = False
    else:
        answer = user.is_staff or user.is_superuser or user.groups.filter(name=LEAD_GROUP).exists()
    user._sourcemark_is_lead = answer
    return answer


def lead_required(view=None, *, message: str = "Only a lead can do that."):
    """For a page only leads may use: anyone else is refused with a 403
    (PermissionDenied carrying ``message``, which Django's 403 handler, or
    ``json_endpoint`` in JSON, answers) before the view runs. Use it bare
    or as ``@lead_required(message=...)``, under ``require_GET`` and the
    like, so a wrong method stays a 405.

    A signed-out visitor never gets this far: LoginRequiredMiddleware sends
    them to sign in first. On a ``login_not_required`` view they would get
    the 403 too, as is_lead is False for them."""

    def decorate(view):
        @functools.wraps(view)
        def lead_only(request, *args, **kwargs):
            if not is_lead(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return lead_only

    return decorate if view is None else decorate(view)


def assignment_status(user, article_id: int) -> str | None:
    """The user's assignment status on the article, or None if unassigned."""
    if not is_active_user(user):
        return None
    # At most one row (assignment_one_per_reviewer), so no ordering: this
    # runs on every save, and first()'s ORDER BY is work for nothing.
    statuses = Assignment.objects.filter(article_id=article_id, reviewer_id=user.pk).order_by()
    return next(iter(statuses.values_list("status", flat=True)[:1]), None)


def assignment_statuses(user, article_ids) -> dict[int, str]:
    """``assignment_status`` for many articles in one query: article id to
    the user's status there, unassigned articles left out."""
    if not article_ids or not is_active_user(user):
        return {}
    statuses = Assignment.objects.filter(reviewer_id=user.pk, article_id__in=article_ids).order_by()
    return dict(statuses.values_list("article_id", "status"))


def has_submitted(user, article_id: int) -> bool:
    return assignment_status(user, article_id) == Assignment.Status.SUBMITTED


def _status(user, article_id: int, status):
    return assignment_status(user, article_id) if status is ASK else status


def articles_visible_to(user) -> Q:
    """The articles a user may open, as a filter on Article."""
    if is_lead(user):
        return Q()
    if not is_active_user(user):
        return Q(pk__in=[])
    return Q(pk__in=Assignment.objects.filter(reviewer_id=user.pk).values("article_id"))


def sources_visible_to(user) -> Q:
    """The outlets a user may see, as a filter on Source: every one for
    leads, else those of the articles they may open."""
    if is_lead(user):
        return Q()
    return Q(pk__in=Article.objects.filter(articles_visible_to(user)).values("source_id"))


def assignments_visible_to(user) -> Q:
    """The assignments a user may see, as a filter on Assignment: every one
    for leads, else their own."""
    if is_lead(user):
        return Q()
    if not is_active_user(user):
        return Q(pk__in=[])
    return Q(reviewer_id=user.pk)


def own_assignments(user) -> Q:
    """The user's own assignments, as a filter on Assignment: the only ones
    they may submit, leads included (another's is a 404 on the queue)."""
    if not is_active_user(user):
        return Q(pk__in=[])
    return Q(reviewer_id=user.pk)


def assignable_reviewers() -> Q:
    """Who may be given articles to review, as a filter on the user model:
    the active members of the Reviewer group."""
    return Q(is_active=True, groups__name=REVIEWER_GROUP)


def can_view_article(user, article_id: int, *, status=ASK) -> bool:
    # An assignment settles it without asking whether the user leads (one
    # query fewer on every save); when ``status`` is known that costs nothing.
    if status is not ASK and is_active_user(user) and status is not None:
        return True
    if is_lead(user):
        return True
    return is_active_user(user) and _status(user, article_id, status) is not None


def can_annotate(user, article: Article, *, status=ASK) -> bool:
    """May the user add spans of their own (reviewer layer) to the article?
    Reviewers: on an assigned article they have not submitted. Leads: on
    any article, until they submit it if it is assigned to them."""
    if not is_active_user(user):
        return False
    status = _status(user, article.pk, status)
    if status == Assignment.Status.SUBMITTED:
        return False
    return status is not None or is_lead(user)


def can_change_annotation(user, annotation: Annotation, *, status=ASK, adjudicated=ASK) -> bool:
    """Reviewer-layer spans: only their author, until the author submits the
    article. Consensus spans: any lead, until the article is adjudicated.
    Pass ``status`` (``assignment_status`` for this user and article) and
    ``adjudicated`` when asking for many spans, to ask the database once."""
    if not is_active_user(user):
        return False
    if annotation.layer == Annotation.Layer.CONSENSUS:
        if not is_lead(user):
            return False
        if adjudicated is ASK:
            adjudicated = is_adjudicated(annotation.article_id)
        return not adjudicated
    if annotation.reviewer_id != user.pk:
        return False
    return _status(user, annotation.article_id, status) != Assignment.Status.SUBMITTED


def can_see_annotation(user, annotation: Annotation, *, status=ASK) -> bool:
    """May the user see this span at all (else it is a 404 to them)?"""
    own = annotation.layer == Annotation.Layer.REVIEWER and annotation.reviewer_id == user.pk
    if own and status is not ASK and is_active_user(user) and status is not None:
        return True  # settled without asking whether the user leads, as above
    if is_lead(user):
        return True
    status = _status(user, annotation.article_id, status)
    if not is_active_user(user) or status is None:
        return False
    if annotation.layer == Annotation.Layer.CONSENSUS:
        return is_adjudicated(annotation.article_id)
    if annotation.reviewer_id == user.pk or not settings.INDEPENDENT_REVIEW:
        return True
    return status == Assignment.Status.SUBMITTED


def can_see_history(user, annotation: Annotation) -> bool:
    """May the user read every version of this span? Only leads may, not
    even the span's author: the history names who changed what, and when."""
    return is_lead(user)


def require_history_visible(user, annotation: Annotation) -> None:
    """Refuse a history request unless ``can_see_history``, as the page's
    JSON and the API both answer: a 404 for a span the user may not see at
    all (its existence is not theirs to learn), a 403 for one they see but
    whose history is for leads."""
    if can_see_history(user, annotation):
        return
    if can_see_annotation(user, annotation):
        raise PermissionDenied("only a lead can see a span's history")
    raise Http404("No such annotation.")


def annotations_visible_to(user) -> Q:
    """Every span the user may see, on any article, as a filter on
    Annotation: ``can_see_annotation`` for lists (the API's)."""
    if is_lead(user):
        return Q()
    if not is_active_user(user):
        return Q(pk__in=[])
    assigned = Assignment.objects.filter(reviewer_id=user.pk)
    reviewer_layer = Q(layer=Annotation.Layer.REVIEWER)
    if settings.INDEPENDENT_REVIEW:
        submitted = assigned.filter(status=Assignment.Status.SUBMITTED).values("article_id")
        reviewer_layer &= Q(reviewer_id=user.pk) | Q(article_id__in=submitted)
    consensus = Q(layer=Annotation.Layer.CONSENSUS, article__adjudication__isnull=False)
    return Q(article_id__in=assigned.values("article_id")) & (reviewer_layer | consensus)


def countable_spans(user) -> Q:
    """The spans an article list counts as "all" for the user, as a filter
    for ``Count("annotations")`` on Article: what the article page would
    show them. With independent judgement a reviewer counts only their own
    spans until they submit the article, since a count of colleagues' spans
    would hint at what they marked."""
    if is_lead(user) or not settings.INDEPENDENT_REVIEW:
        return Q()
    submitted = Assignment.objects.filter(reviewer_id=user.pk, status=Assignment.Status.SUBMITTED).values("article_id")
    return Q(annotations__layer=Annotation.Layer.REVIEWER) & (Q(annotations__reviewer=user) | Q(pk__in=submitted))


def reviews_independently(user) -> bool:
    """Whether the user works under independent judgement: a reviewer (not
    a lead) while ``settings.INDEPENDENT_REVIEW`` is on, who sees only their
    own spans on an article until they submit it."""
    return settings.INDEPENDENT_REVIEW and not is_lead(user)


def can_curate(user) -> bool:
    """Build the consensus layer, close and reopen adjudication."""
    return is_lead(user)


def is_adjudicated(article_id: int) -> bool:
    return Adjudication.objects.filter(article_id=article_id).exists()


def adjudicated_among(article_ids) -> set[int]:
    """``is_adjudicated`` for many articles in one query: the ids of those that are."""
    if not article_ids:
        return set()
    return set(Adjudication.objects.filter(article_id__in=article_ids).values_list("article_id", flat=True))


def visible_spans(
    user, *, status, show_others: bool = False, reviewer: str | None = None, layer: str = Annotation.Layer.REVIEWER
) -> Q:
    """Which spans of an article the workspace shows the user, as a filter.

    Leads choose the layer (reviewers' spans, optionally one reviewer's, or
    the consensus). Reviewers see the reviewer layer only (the consensus
    reaches them as feedback once the article is adjudicated), and with
    independent judgement only their own spans until they have submitted the
    article; after submitting they may switch the others' on (``show_others``)."""
    if is_lead(user):
        if layer == Annotation.Layer.CONSENSUS:
            return Q(layer=Annotation.Layer.CONSENSUS)
        return Q(layer=Annotation.Layer.REVIEWER) & (Q(reviewer__username=reviewer) if reviewer else Q())
    own_layer = Q(layer=Annotation.Layer.REVIEWER)
    if not settings.INDEPENDENT_REVIEW or (status == Assignment.Status.SUBMITTED and show_others):
        return own_layer
    return own_layer & Q(reviewer_id=user.pk)


def can_import_articles(user) -> bool:
    """Bring articles in: from text, files or URLs (the New article page,
    the API, the admin's import). Leads only."""
    return is_lead(user)


def article_fetches_visible_to(user) -> Q:
    """The URL fetches a user may follow, as a filter on ArticleFetch:
    every one for leads, else the ones they asked for."""
    if is_lead(user):
        return Q()
    if not is_active_user(user):
        return Q(pk__in=[])
    return Q(requested_by_id=user.pk)


def annotation_import_jobs_visible_to(user) -> Q:
    """The background annotation imports a user may follow, as a filter on
    AnnotationImportJob: their own (the result quotes their file, so not
    even another lead's), or every one for staff, who run the site."""
    if not is_active_user(user):
        return Q(pk__in=[])
    if user.is_staff:
        return Q()
    return Q(requested_by_id=user.pk)


def own_tokens(user) -> Q:
    """The API tokens a user may see and revoke, as a filter on DRF's Token:
    their own, whatever their role. An admin who must stop someone's token
    deactivates them or sets their password, which revokes it."""
    if not is_active_user(user):
        return Q(pk__in=[])
    return Q(user_id=user.pk)


def may_keep_authors(user) -> bool:
    """Whether an import by ``user`` may take authors and times from its
    file: staff restoring data only, and only when they ask for it."""
    return is_active_user(user) and (user.is_staff or user.is_superuser)


def span_import_refusal(
    user, *, article: Article, layer: str, author, existing: Annotation | None, status=ASK, adjudicated=ASK
):
    """Why ``user`` may not write one row of an annotation file, or None
    when they may: an import does only what its user could do row by row
    on the page. A reviewer-layer row is the importer's own span, on an
    article they may annotate (a change: one they may still change); a
    consensus row is a lead's, on an article not adjudicated. (Authors and
    times kept from the file are ``may_keep_authors``' question, asked
    before this one is skipped.) Pass ``status`` and ``adjudicated`` (whether
    the article is) when asking for a whole file, to ask the database once."""
    if layer == Annotation.Layer.CONSENSUS:
        if not can_curate(user):
            return "only a lead may write consensus spans"
        if is_adjudicated(article.pk) if adjudicated is ASK else adjudicated:
            return f"article {article.pk} is adjudicated; a lead must reopen it before its consensus changes"
        if existing is None and author.pk != user.pk:
            return f"a new consensus span is decided by whoever imports it, not by {author.get_username()}"
        return None
    if author.pk != user.pk:
        name = author.get_username()
        return f"the span is {name}'s; only {name} can write it"
    if existing is not None:
        if not can_change_annotation(user, existing, status=status):
            return f"you have submitted article {article.pk}; a lead must reopen it before its spans change"
        return None
    if not can_annotate(user, article, status=status):
        if _status(user, article.pk, status) == Assignment.Status.SUBMITTED:
            return f"you have submitted article {article.pk}; a lead must reopen it before you add spans"
        return f"article {article.pk} is not assigned to you"
    return None


# ---- spans an article's new version moved ------------------------------------------


def placements_to_settle_for(user) -> Q:
    """The fuzzy and orphaned spans the user is shown to settle (on
    ``Annotation.all_spans``): a lead, every one; anyone else, their own
    reviewer spans (they confirm their own fuzzy placements; orphans they
    can only look at, since placing one is the lead's call)."""
    unsettled = Q(anchor_state__in=[AnchorState.FUZZY, AnchorState.ORPHANED])
    if is_lead(user):
        return unsettled
    if not is_active_user(user):
        return Q(pk__in=[])
    return unsettled & Q(reviewer_id=user.pk, layer=Annotation.Layer.REVIEWER)


def can_confirm_placement(user, span: Annotation) -> bool:
    """May the user confirm or turn down a fuzzy placement: its author
    (their own reviewer span) or a lead."""
    if not is_active_user(user) or span.anchor_state != AnchorState.FUZZY:
        return False
    own = span.reviewer_id == user.pk and span.layer == Annotation.Layer.REVIEWER
    return own or is_lead(user)


def can_place_orphan(user, span: Annotation) -> bool:
    """May the user place or dismiss an orphaned span: leads only."""
    return span.anchor_state == AnchorState.ORPHANED and is_lead(user)
