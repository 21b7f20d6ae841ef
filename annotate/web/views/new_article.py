"""The New article page, for leads: paste URLs to have them fetched in the
background, or paste an article's text to import it at once; below, the
lead's recent fetches, which the page refreshes while any is running
(static/annotate/js/new-article.js)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotate import tasks
from annotate.io import articles_in
from annotate.permissions import lead_required
from annotate.read.article_fetches import recent_fetches_for
from annotate.web.forms import ArticleTextForm, ArticleUrlsForm

LEADS_ONLY = "Only a lead can bring in new articles."
IMPORTED = {
    "created": "Imported “{title}” as a new article.",
    "updated": "“{title}” was already imported; its details were updated.",
    "revised": "“{title}” was already imported with another text: this is its new version, its spans re-anchored.",
    "unchanged": "“{title}” was already imported; nothing changed.",
}


@require_GET
@lead_required(message=LEADS_ONLY)
def new_article(request):
    return _page(request)


@require_POST
@lead_required(message=LEADS_ONLY)
def new_article_fetch(request):
    form = ArticleUrlsForm(request.POST, prefix="fetch")
    if not form.is_valid():
        return _page(request, urls_form=form, status=400)
    refused = []
    for url in form.cleaned_data["urls"]:
        try:
            tasks.queue_article_fetch(url, user=request.user)
        except ValidationError as error:
            refused.append((url, " ".join(error.message_dict.get("url", error.messages))))
    queued = len(form.cleaned_data["urls"]) - len(refused)
    if queued:
        messages.success(
            request, f"Queued {queued} URL{'s' if queued != 1 else ''}; each appears below as it is fetched."
        )
    if not refused:
        return redirect("article-new")
    # The refused lines stay in the box to be corrected; nothing typed is lost.
    kept = ArticleUrlsForm(initial={"urls": "\n".join(url for url, _ in refused)}, prefix="fetch")
    return _page(request, urls_form=kept, refused=refused, status=200 if queued else 400)


@require_POST
@lead_required(message=LEADS_ONLY)
def new_article_text(request):
    form = ArticleTextForm(request.POST, prefix="paste")
    if form.is_valid():
        record = articles_in.ArticleRecord(**form.cleaned_data)
        try:
            article, outcome = articles_in.article_import(record)
        except articles_in.ImportProblem as problem:
            form.add_error(None, f"The article cannot be imported: {problem}.")
        else:
            messages.success(request, IMPORTED[outcome].format(title=article.title))
            return redirect("article-detail", article_id=article.pk)
    return _page(request, text_form=form, status=400)


def _page(request, *, urls_form=None, text_form=None, refused=(), status=200):
    fetches = list(recent_fetches_for(request.user))
    context = {
        "urls_form": urls_form or ArticleUrlsForm(prefix="fetch"),
        "text_form": text_form or ArticleTextForm(prefix="paste"),
        "refused": refused,
        "fetches": fetches,
        "any_running": any(not fetch.is_over for fetch in fetches),
    }
    return render(request, "annotate/new_article.html", context, status=status)
