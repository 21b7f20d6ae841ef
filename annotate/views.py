from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from annotate.exporting import CONTENT_TYPES, ExportError, annotations_for_export, export_filename, stream_annotations
from annotate.forms import AnnotationExportForm
from annotate.models import Article


@require_GET
def article_list(request):
    articles = (
        Article.objects.select_related("source")
        .defer("text")
        .annotate(
            annotation_count=Count("annotations"),
            my_annotation_count=Count("annotations", filter=Q(annotations__reviewer=request.user)),
        )
    )
    page = Paginator(articles, 50).get_page(request.GET.get("page"))
    return render(request, "annotate/article_list.html", {"page": page})


@require_GET
def article_detail(request, article_id: int):
    article = get_object_or_404(Article.objects.select_related("source"), pk=article_id)
    annotations = article.annotations.select_related("label", "reviewer").order_by("start", "end", "id")
    return render(request, "annotate/article_detail.html", {"article": article, "annotations": annotations})


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
