from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from annotate import offsets, permissions, selectors, workspace
from annotate.exporting import CONTENT_TYPES, ExportError, annotations_for_export, export_filename, stream_annotations
from annotate.forms import AnnotationExportForm, ArticleListForm
from annotate.http import json_endpoint, read_json_object, require_json_methods
from annotate.models import Annotation, Article, Label


@require_GET
def article_list(request):
    form = ArticleListForm(request.GET or None)
    articles = selectors.article_list(user=request.user, **form.filters())
    page = Paginator(articles, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "annotate/article_list.html", {"form": form, "page": page, "query": query.urlencode()})


@require_GET
def article_detail(request, article_id: int):
    article = get_object_or_404(Article.objects.select_related("source"), pk=article_id)
    utf16 = offsets.Utf16Map(article.text)
    annotations = [workspace.annotation_payload(a, utf16, request.user) for a in workspace.annotations_on_page(article)]
    labels = list(Label.objects.all())
    context = {
        "article": article,
        "labels": labels,
        "workspace_data": {
            "article": article.pk,
            "annotations": annotations,
            "labels": [workspace.label_payload(label) for label in labels],
            "user": request.user.get_username(),
            "can_annotate": permissions.can_annotate(request.user, article),
        },
    }
    return render(request, "annotate/article_detail.html", context)


@login_not_required  # json_endpoint answers 401 in JSON instead of a redirect
@json_endpoint
@require_json_methods("GET", "POST")
def article_annotations(request, article_id: int):
    article = get_object_or_404(Article, pk=article_id)
    utf16 = offsets.Utf16Map(article.text)
    if request.method == "GET":
        items = [workspace.annotation_payload(a, utf16, request.user) for a in workspace.annotations_on_page(article)]
        return JsonResponse({"annotations": items})
    annotation = workspace.annotation_create_from_browser(
        article=article, data=read_json_object(request), user=request.user
    )
    return JsonResponse(workspace.annotation_payload(annotation, utf16, request.user), status=201)


@login_not_required  # json_endpoint answers 401 in JSON instead of a redirect
@json_endpoint
@require_json_methods("PATCH", "DELETE")
def annotation_detail(request, annotation_id: int):
    annotation = get_object_or_404(Annotation.objects.select_related("article", "label", "reviewer"), pk=annotation_id)
    if request.method == "DELETE":
        workspace.annotation_delete_from_browser(annotation=annotation, user=request.user)
        return JsonResponse({}, status=200)
    annotation = workspace.annotation_change_from_browser(
        annotation=annotation, data=read_json_object(request), user=request.user
    )
    utf16 = offsets.Utf16Map(annotation.article.text)
    return JsonResponse(workspace.annotation_payload(annotation, utf16, request.user))


@require_GET
def export_annotations(request):
    if not request.GET:
        return render(request, "annotate/export.html", {"form": AnnotationExportForm()})
    form = AnnotationExportForm(request.GET)
    if not form.is_valid():
        return render(request, "annotate/export.html", {"form": form}, status=400)
    export_format = form.cleaned_data["format"]
    try:
        chunks = stream_annotations(annotations_for_export(form.criteria()), export_format)
    except ExportError as error:
        return HttpResponseBadRequest(str(error))
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(export_format)}"'
    return response
