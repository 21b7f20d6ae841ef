"""The leads' team agreement page and its downloads. Kept apart from
``views.py`` so the page and its figures can be read in one place; the
figures come from ``annotate.read.team_agreement``."""

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from annotate import permissions
from annotate.io.file_formats import CONTENT_TYPES
from annotate.models import Source
from annotate.read import team_agreement as team_figures
from annotate.rules.agreement import MIN_SPANS

DOWNLOAD_TYPES = {fmt: CONTENT_TYPES[fmt] for fmt in ("csv", "json")}


leads_only = permissions.lead_required(message="Only a lead can see the team's agreement.")


def _chosen_source(request) -> Source | None:
    """The ?source=<id> filter: None without one; 404 for an unknown id.
    Raises ValueError for a value that is not an id."""
    raw = request.GET.get("source", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise ValueError(f"source must be a source id, not {raw!r}")
    return get_object_or_404(Source, pk=int(raw))


@require_GET
@leads_only
def team(request):
    try:
        source = _chosen_source(request)
    except ValueError as error:
        return HttpResponseBadRequest(str(error))
    context = {
        "team": team_figures.team_agreement(source=source.pk if source else None),
        "source": source,
        "sources": Source.objects.filter(articles__isnull=False).distinct(),
        "min_spans": MIN_SPANS,
    }
    return render(request, "annotate/team.html", context)


@require_GET
@leads_only
def team_download(request, fmt: str):
    if fmt not in DOWNLOAD_TYPES:
        raise Http404(f"No {fmt!r} download; use csv or json.")
    try:
        source = _chosen_source(request)
    except ValueError as error:
        return HttpResponseBadRequest(str(error))
    rows = team_figures.agreement_rows(team_figures.team_agreement(source=source.pk if source else None))
    body = team_figures.rows_as_csv(rows) if fmt == "csv" else team_figures.rows_as_json(rows)
    response = HttpResponse(body, content_type=DOWNLOAD_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="team-agreement.{fmt}"'
    return response
