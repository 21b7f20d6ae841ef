import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotate import permissions
from annotate.actions import assignments
from annotate.io.exports import ExportError, export_download
from annotate.io.interop.labelstudio import labeling_config_of_labels
from annotate.models import Annotation, Article, Assignment, Label
from annotate.read import article_lists, feedback, history, team_agreement
from annotate.rules import label_styles
from annotate.web import workspace
from annotate.web.forms import AnnotationExportForm, ArticleListForm, AssignForm
from annotate.web.http import json_endpoint, read_json_object, require_json_methods


@require_GET
def article_list(request):
    form = ArticleListForm(request.GET or None)
    articles = article_lists.article_list(user=request.user, **form.filters())
    page = Paginator(articles, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "annotate/article_list.html", {"form": form, "page": page, "query": query.urlencode()})


@require_GET
def article_detail(request, article_id: int):
    article = get_object_or_404(Article.objects.select_related("source"), pk=article_id)
    state = workspace.page_state(article, request.user, **_view_options(request))
    labels = list(Label.objects.all())
    lead = state["is_lead"]
    context = {
        "article": article,
        "labels": labels,
        "view": state,
        # Leads see how far the submitted reviews agree (annotate/team_agreement.py).
        "agreement": team_agreement.article_agreement_for(article) if lead else None,
        # Reviewers see where they differed from the consensus once it is closed.
        "feedback": (
            feedback.feedback_for(article, request.user, submitted=state["submitted"])
            if state["adjudicated"] and not lead
            else None
        ),
        "workspace_data": {
            "article": article.pk,
            "annotations": state["annotations"],
            "labels": [workspace.label_payload(label) for label in labels],
            "user": request.user.get_username(),
            "can_annotate": state["can_annotate"],
            "layer": state["layer"],
            "is_lead": lead,
        },
    }
    return render(request, "annotate/article_detail.html", context)


@login_not_required  # json_endpoint answers 401 in JSON instead of a redirect
@json_endpoint
@require_json_methods("GET", "POST")
def article_annotations(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    if request.method == "GET":
        state = workspace.page_state(article, request.user, **_view_options(request))
        return _revalidated(request, JsonResponse({"annotations": state["annotations"]}))
    payload = workspace.annotation_create_answer(article=article, data=read_json_object(request), user=request.user)
    return JsonResponse(payload, status=201)


def _revalidated(request, response: HttpResponse) -> HttpResponse:
    """The spans as this user may see them now, tagged with a hash of their
    bytes: a reload that finds nothing new (the workspace polls while a
    colleague works) gets a 304 with no body. The tag is of what this
    user was sent, so a colleague's submit, an adjudication or a change of
    view switch makes a new one; private, revalidated on every request."""
    etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
    response = get_conditional_response(request, etag=etag, response=response) or response
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True, private=True)
    return response


def _view_options(request) -> dict:
    """The article page's view switches, from the query string."""
    reviewer = request.GET.get("reviewer") or None
    if reviewer is not None and "\x00" in reviewer:
        # No username holds NUL, and PostgreSQL refuses it even in a filter.
        raise BadRequest("reviewer must be a username")
    return {
        "show_others": request.GET.get("others") == "1",
        "reviewer": reviewer,
        "layer": request.GET.get("layer", ""),
    }


@login_not_required  # json_endpoint answers 401 in JSON instead of a redirect
@json_endpoint
@require_json_methods("PATCH", "DELETE")
def annotation_detail(request, annotation_id: int):
    annotation = get_object_or_404(Annotation.objects.select_related("article", "label", "reviewer"), pk=annotation_id)
    if request.method == "DELETE":
        workspace.annotation_delete_from_browser(
            annotation=annotation, user=request.user, version=request.GET.get("version")
        )
        return JsonResponse({}, status=200)
    data = read_json_object(request)
    payload = workspace.annotation_change_answer(annotation=annotation, data=data, user=request.user)
    return JsonResponse(payload)


@login_not_required  # json_endpoint answers 401 in JSON instead of a redirect
@json_endpoint
@require_json_methods("GET")
def annotation_history(request, annotation_id: int):
    """Every version of a span, newest first, for leads."""
    annotation = get_object_or_404(Annotation, pk=annotation_id)
    permissions.require_history_visible(request.user, annotation)
    return JsonResponse({"history": history.annotation_history(annotation)})


@require_GET
def export_annotations(request):
    if not request.GET:
        return render(request, "annotate/export.html", {"form": AnnotationExportForm(user=request.user)})
    form = AnnotationExportForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "annotate/export.html", {"form": form}, status=400)
    try:
        return export_download(request.user, form.criteria(), form.cleaned_data["format"])
    except ExportError as error:
        return HttpResponseBadRequest(str(error))


@require_GET
def labelstudio_config(request):
    """The labeling config a Label Studio project needs for our labelstudio export."""
    response = HttpResponse(labeling_config_of_labels(), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sourcemark-labelstudio-config.xml"'
    return response


@require_GET
def queue(request):
    assignments = list(article_lists.queue_for(request.user))
    next_up = next((a for a in assignments if a.status != Assignment.Status.SUBMITTED), None)
    return render(request, "annotate/queue.html", {"assignments": assignments, "next_up": next_up})


def _assignment_action(request, action, assignment: Assignment, success: str, *, back_to: str):
    """Run ``action(assignment, user=…)`` and say how it went on the next page."""
    try:
        action(assignment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(back_to)


@require_POST
def assignment_submit(request, assignment_id: int):
    assignment = get_object_or_404(
        Assignment.objects.filter(permissions.own_assignments(request.user)), pk=assignment_id
    )
    success = f"Submitted “{assignment.article.title}”. Its spans are now read-only."
    return _assignment_action(request, assignments.assignment_submit, assignment, success, back_to="queue")


@require_POST
@permissions.lead_required(message="Only a lead can reopen a submitted article.")
def assignment_reopen(request, assignment_id: int):
    assignment = get_object_or_404(Assignment.objects.select_related("article", "reviewer"), pk=assignment_id)
    success = f"Reopened “{assignment.article.title}” for {assignment.reviewer.get_username()}."
    return _assignment_action(request, assignments.assignment_reopen, assignment, success, back_to="assign")


@require_http_methods(["GET", "POST"])
@permissions.lead_required(message="Only a lead can assign articles.")
def assign(request):
    initial = {"articles": [i for i in request.GET.get("articles", "").split(",") if i.isdigit()]}
    form = AssignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made, skipped = assignments.assignments_create(
                articles=form.chosen_articles(),
                reviewers=form.cleaned_data["reviewers"],
                per_article=form.cleaned_data["per_article"],
                assigned_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Made {len(made)} assignment(s); {skipped} already existed.")
            return redirect("assign")
    overview = Paginator(article_lists.assignments_overview(), 50).get_page(request.GET.get("page"))
    return render(
        request, "annotate/assign.html", {"form": form, "overview": overview}, status=400 if form.errors else 200
    )


@login_not_required  # colours only; the sign-in page links it too
@require_GET
def label_stylesheet(request):
    """/labels.css: each label's colour as a class (annotate/rules/label_styles.py)."""
    css = label_styles.label_stylesheet(Label.objects.order_by("pk").values_list("slug", "colour"))
    etag = label_styles.stylesheet_etag(css)
    response = get_conditional_response(request, etag=etag) or HttpResponse(css, content_type="text/css")
    response["ETag"] = etag
    # Revalidated on every page (a 304 with no body when unchanged), so a
    # colour changed in the admin shows on the next page anyone opens.
    patch_cache_control(response, no_cache=True, private=True)
    return response
