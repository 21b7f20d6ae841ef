"""Where spans went when an article got a new text: the queue of spans
to settle (``/orphans/``: fuzzy placements to confirm or turn down,
orphans to place or dismiss) and an article's versions with what changed
(``/articles/<id>/versions/``). The writes are
``annotate.actions.article_versions``'; who may do what is
``annotate.permissions``'."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotate import permissions
from annotate.actions import article_versions
from annotate.models import Annotation, Article
from annotate.read import anchoring


@require_GET
def orphans(request):
    spans = anchoring.spans_to_settle(request.user)
    context = {
        "fuzzy": [item for item in spans if item.is_fuzzy],
        "orphaned": [item for item in spans if not item.is_fuzzy],
        "is_lead_view": permissions.is_lead(request.user),
    }
    return render(request, "annotate/orphans.html", context)


def _unsettled(request, annotation_id: int) -> Annotation:
    """The span, if the user is shown it in the queue; else a 404, as for
    a span that does not exist (the queue does not tell who has what)."""
    visible = Annotation.all_spans.filter(permissions.placements_to_settle_for(request.user))
    return get_object_or_404(visible.select_related("article"), pk=annotation_id)


def _done(request, text: str):
    messages.success(request, text)
    return redirect("orphans")


def _refused(request, error: ValidationError):
    messages.error(request, " ".join(error.messages))
    return redirect("orphans")


@require_POST
def orphan_confirm(request, annotation_id: int):
    span = _unsettled(request, annotation_id)
    if not permissions.can_confirm_placement(request.user, span):
        raise PermissionDenied("Only the span's author or a lead can confirm where it went.")
    try:
        article_versions.span_confirm_placement(span, user=request.user)
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"“{span.quote}” stands in the new text.")


@require_POST
def orphan_reject(request, annotation_id: int):
    span = _unsettled(request, annotation_id)
    if not permissions.can_confirm_placement(request.user, span):
        raise PermissionDenied("Only the span's author or a lead can turn down where it went.")
    try:
        span = article_versions.span_reject_placement(span, user=request.user)
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"“{span.quote}” is an orphan now; a lead places or dismisses it.")


@require_POST
def orphan_place(request, annotation_id: int):
    """Place an orphan on the words the lead gives: they must stand once in
    the article's current text."""
    span = _unsettled(request, annotation_id)
    if not permissions.can_place_orphan(request.user, span):
        raise PermissionDenied("Only a lead can place an orphaned span.")
    words = request.POST.get("words", "")
    text = span.article.text
    if not words.strip():
        return _refused(request, ValidationError("Give the words to place the span on, as the new text has them."))
    count = text.count(words)
    if count != 1:
        reason = "do not appear" if count == 0 else f"appear {count} times; give a few more words around them"
        return _refused(request, ValidationError(f"Those words {reason} in the article's current text."))
    start = text.index(words)
    try:
        article_versions.span_replace(span, start=start, end=start + len(words), user=request.user)
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"Placed on “{words}”.")


@require_POST
def orphan_dismiss(request, annotation_id: int):
    span = _unsettled(request, annotation_id)
    if not permissions.can_place_orphan(request.user, span):
        raise PermissionDenied("Only a lead can dismiss an orphaned span.")
    try:
        article_versions.span_dismiss(span, user=request.user)
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"Dismissed “{span.quote}”; its history keeps it.")


@require_GET
def versions(request, article_id: int):
    article = get_object_or_404(Article.objects.select_related("source"), pk=article_id)
    if not permissions.can_view_article(request.user, article.pk):
        raise PermissionDenied("This article is not assigned to you.")
    context = {"article": article, "versions": anchoring.article_versions(article)}
    return render(request, "annotate/article_versions.html", context)
