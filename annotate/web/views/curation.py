"""The lead's curation page and its actions. Each action is a plain form
POST that redirects back to the page, so the page works without script."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from annotate import permissions
from annotate.actions import annotations, consensus
from annotate.models import Annotation, Article
from annotate.read import curation_board
from annotate.web import workspace
from annotate.web.http import JsonError, id_from_text

leads_only = permissions.lead_required(message="Only a lead can adjudicate.")


def _article(article_id: int) -> Article:
    return get_object_or_404(Article.objects.select_related("source"), pk=article_id)


SEGMENTS_PER_PAGE = 10


@require_GET
@leads_only
def curate(request, article_id: int):
    article = _article(article_id)
    view = curation_board.curation_for(article)
    only_disputed = request.GET.get("show") == "disputed"
    segments = view.disputed_segments if only_disputed else view.segments
    page = Paginator(segments, SEGMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "article": article,
        "curation": view,
        "page": page,
        "segments": curation_board.draw(view, page.object_list),
        "only_disputed": only_disputed,
    }
    return render(request, "annotate/curate.html", context)


def _back(article: Article, anchor: str = ""):
    return redirect(reverse("curate", args=[article.pk]) + (f"#{anchor}" if anchor else ""))


def _span_on(request, article: Article, layer: str) -> Annotation | None:
    """The span the form names, on this article and layer (404 if there is
    no such span); None, with a message for the lead, if the form names none."""
    span_id = id_from_text(request.POST.get("span", ""))
    if span_id is None:
        messages.error(request, "Choose a span.")
        return None
    spans = Annotation.objects.select_related("article", "label", "reviewer")
    return get_object_or_404(spans, pk=span_id, article=article, layer=layer)


def _anchor(span: Annotation) -> str:
    return "unit-" + curation_board.unit_key(span.label.slug, span.start, span.end)


def _act(request, article: Article, action, success: str, anchor: str = ""):
    try:
        outcome = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        # Back to the top, where the message is: at the row's anchor it would
        # be out of sight, and a refusal is the one outcome the row cannot show.
        return _back(article)
    messages.success(request, success.format(outcome=outcome))
    return _back(article, anchor)


@require_POST
@leads_only
def curate_accept(request, article_id: int):
    article = _article(article_id)
    span = _span_on(request, article, Annotation.Layer.REVIEWER)
    if span is None:
        return _back(article)
    reason = request.POST.get("reason", "")
    return _act(
        request, article, lambda: consensus.consensus_accept(span, lead=request.user, reason=reason),
        f"Accepted {span.reviewer.get_username()}'s {span.label.name.lower()} span into the consensus.",
        anchor=_anchor(span),
    )  # fmt: skip


@require_POST
@leads_only
def curate_remove(request, article_id: int):
    article = _article(article_id)
    span = _span_on(request, article, Annotation.Layer.CONSENSUS)
    if span is None:
        return _back(article)
    # The version the lead saw: another lead's change since makes this a
    # message and a fresh page instead of removing what the lead never saw.
    try:
        version = workspace.version_from(request.POST.get("version") or None, digits_ok=True)
    except JsonError:
        version = None  # a form without a usable version removes as it always did

    def remove():
        try:
            consensus.consensus_remove(span, lead=request.user, version=version)
        except annotations.AnnotationChanged:
            raise ValidationError(
                "Another lead changed this consensus span after you opened the page, so it was not removed. "
                "The page now shows it as it is; remove it again if you still mean to."
            ) from None
        except Annotation.DoesNotExist:
            raise ValidationError("This span had already been removed from the consensus.") from None

    return _act(
        request, article, remove,
        f"Removed the {span.label.name.lower()} span “{span.quote[:60]}” from the consensus.",
        anchor=_anchor(span),
    )  # fmt: skip


def _article_action(action, success: str):
    """A leads' POST on the whole article: ``action(article, request)``'s
    outcome fills ``{outcome}`` in the success message."""

    @require_POST
    @leads_only
    def view(request, article_id: int):
        article = _article(article_id)
        return _act(request, article, lambda: action(article, request), success)

    return view


curate_accept_unanimous = _article_action(
    lambda article, request: len(
        consensus.consensus_accept_unanimous(article, lead=request.user, reason=request.POST.get("reason", ""))
    ),
    "Accepted {outcome} unanimous span(s) into the consensus.",
)
curate_close = _article_action(
    lambda article, request: consensus.adjudication_close(
        article, lead=request.user, note=request.POST.get("note", "")
    ),
    "Closed: the article is adjudicated and its reviewers can see their feedback.",
)
curate_reopen = _article_action(
    lambda article, request: consensus.adjudication_reopen(article, lead=request.user),
    "Reopened: the consensus can be changed again.",
)
