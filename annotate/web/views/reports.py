"""The reports pages and their downloads. Figures come from annotate/read/reports.py,
chart geometry from annotate/read/charts.py; these views only parse and render."""

import tablib
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from annotate import permissions
from annotate.io import spreadsheets
from annotate.io.file_formats import CONTENT_TYPES
from annotate.models import Annotation, Article, ArticleVersion, Label
from annotate.read import charts, report_rows, reports
from annotate.web.forms import ReportForm
from annotate.web.http import id_from_text

DOWNLOADS = {
    "csv": (spreadsheets.CSV, CONTENT_TYPES["csv"]),
    "json": (spreadsheets.JSON, CONTENT_TYPES["json"]),
    "xlsx": (spreadsheets.XLSX, CONTENT_TYPES["xlsx"]),
}
SHAPES = {"sources": report_rows.source_rows, "articles": report_rows.article_rows}
ARTICLES_PER_PAGE = 50


# Reports pool everyone's work; reviewers see their own in the workspace.
leads_only = permissions.lead_required(message="Only a lead can see the reports.")


def _report(form: ReportForm, **extra) -> reports.Report | None:
    if form.is_bound and not form.is_valid():
        return None
    try:
        return reports.build_report(form.criteria(**extra))
    except reports.ReportError as error:
        form.add_error(None, str(error))
        return None


@require_GET
@leads_only
def report_page(request):
    form = ReportForm(request.GET or None)
    report = _report(form)
    context = {"form": form, "report": report, "query": request.GET.urlencode()}
    if report is not None:
        unsupported = Label.objects.filter(slug=reports.UNSUPPORTED).values_list("colour", flat=True).first()
        context |= {
            "composition": charts.composition(report),
            "density": charts.unsupported_density(report, unsupported or "#d62728"),
            "articles": Paginator(report.articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page")),
        }
    return render(request, "annotate/reports.html", context, status=400 if report is None else 200)


@require_GET
@leads_only
def report_download(request, shape: str, fmt: str):
    if shape not in SHAPES or fmt not in DOWNLOADS:
        raise Http404("No such report download.")
    form = ReportForm(request.GET or None)
    article = request.GET.get("article", "")
    if article and id_from_text(article) is None:
        return HttpResponseBadRequest("article must be an article's id.")
    report = _report(form, article=id_from_text(article)) if article else _report(form)
    if report is None:
        return HttpResponseBadRequest(form.error_text() or "The report's filters are not valid.")
    rows = SHAPES[shape](report)
    headers = list(rows[0]) if rows else []
    dataset = tablib.Dataset(*[[row[name] for name in headers] for row in rows], headers=headers, title=shape)
    format_class, content_type = DOWNLOADS[fmt]
    response = HttpResponse(format_class().export_data(dataset), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="sourcemark-{shape}-report.{fmt}"'
    return response


@require_GET
@leads_only
def article_report(request, article_id: int):
    article = get_object_or_404(Article.objects.select_related("source").defer("text"), pk=article_id)
    form = ReportForm(request.GET or None)
    report = _report(form, article=article.pk)
    context = {"form": form, "article": article, "report": report, "query": request.GET.urlencode()}
    # Each new text of the article and what it did (the earlier texts themselves are not read).
    context["changes"] = list(ArticleVersion.objects.filter(article=article).defer("text").order_by("number"))
    # The filters (an outlet, a date range) may leave this article out of the
    # report: the page then says so rather than showing figures of nothing.
    if report is not None and report.articles:
        figures = report.articles[0]
        context |= {"figures": figures, "strip": _strip(article, figures, report)}
    return render(request, "annotate/article_report.html", context, status=400 if report is None else 200)


def _strip(article: Article, figures: reports.ArticleFigures, report: reports.Report) -> dict:
    """Where each label falls along the article: a row per label, a mark per
    span at its position (in per cent of the text), linked to the span."""
    spans = Annotation.objects.filter(article=article).select_related("label")
    if figures.basis == "consensus":
        spans = spans.filter(layer=Annotation.Layer.CONSENSUS)
    elif figures.basis == "reviewers":
        spans = spans.filter(
            layer=Annotation.Layer.REVIEWER,
            reviewer__assignments__article=article,
            reviewer__assignments__status="submitted",
        )
    else:
        spans = spans.none()
    length = figures.characters or 1
    layer = "?layer=consensus" if figures.basis == "consensus" else ""
    rows = []
    for label in report.labels:
        marks = [
            {
                "x": round(span.start / length * 100, 3),
                "width": max(round((span.end - span.start) / length * 100, 3), 0.4),
                "href": f"/articles/{article.pk}/{layer}#span-{span.pk}",
                "title": f"{label.name}: “{span.quote[:80]}” [{span.start}, {span.end})",
            }
            for span in spans
            if span.label_id == label.pk
        ]
        rows.append({"label": label, "marks": marks})
    # Several reviews are overlaid, each faintly, so where they agree is darker.
    overlaid = figures.basis == "reviewers" and figures.reviewers > 1
    return {"rows": rows, "opacity": max(0.35, 1 / figures.reviewers) if overlaid else 1}
