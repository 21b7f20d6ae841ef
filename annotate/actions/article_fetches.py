"""A fetch of an article from a URL, through its states: queued (by a lead,
on the New article page or through the API), fetching (a worker took it),
done (the article it made or found) or failed (why, in words).

Every path writes through these functions: ``annotate.tasks.queue_article_fetch``
makes the fetch and queues its task, the task (``io/url_imports.run_fetch``)
moves it on. Each state change is a conditional update, so two workers that
somehow took the same fetch cannot both run it, and a fetch that is over
stays over.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from annotate.models import Article, ArticleFetch
from annotate.rules.web_addresses import queue_time_refusal

# What the fetch's outcome says for each of article_import's answers.
IMPORT_OUTCOMES = {
    "created": "Imported as a new article.",
    "updated": "Already imported; its details were updated.",
    "revised": "Already imported, with another text: recorded as a new version, its spans re-anchored.",
    "unchanged": "Already imported, with the same text; nothing changed.",
}


@transaction.atomic
def article_fetch_create(*, url: str, requested_by) -> ArticleFetch:
    """A new fetch of ``url``, queued; raises ValidationError (on ``url``)
    for an address no fetch may try: not http(s), malformed, or a private
    address written out (10.0.0.1). A host name's addresses are checked
    when the fetch runs, on every redirect."""
    url = (url or "").strip()
    refusal = queue_time_refusal(
        url,
        allow_private=settings.ARTICLE_FETCH_ALLOW_PRIVATE,
        private_hosts={host.lower().strip("[]") for host in settings.ARTICLE_FETCH_PRIVATE_HOSTS},
    )
    if refusal:
        raise ValidationError({"url": f"{url or 'The URL'}: {refusal}" if url else refusal})
    fetch = ArticleFetch(url=url, requested_by=requested_by)
    fetch.full_clean()
    fetch.save()
    return fetch


def article_fetch_record_task(fetch: ArticleFetch, *, task_result_id: str) -> None:
    """Note which background task runs the fetch. Only that column is
    written: the task may already have run (tests' immediate backend) and
    moved the fetch on."""
    fetch.task_result_id = task_result_id
    ArticleFetch.objects.filter(pk=fetch.pk).update(task_result_id=task_result_id)


def article_fetch_start(fetch_id: int) -> ArticleFetch | None:
    """Move a queued fetch to fetching and return it; None when there is no
    such fetch or it is not queued any more (another worker has it, or it
    is over), and the caller must leave it alone."""
    taken = ArticleFetch.objects.filter(pk=fetch_id, status=ArticleFetch.Status.QUEUED).update(
        status=ArticleFetch.Status.FETCHING
    )
    return ArticleFetch.objects.get(pk=fetch_id) if taken else None


@transaction.atomic
def article_fetch_finish(fetch: ArticleFetch, *, article: Article, outcome: str) -> ArticleFetch:
    """The fetch made or found ``article``; ``outcome`` is article_import's
    answer ("created", "updated", "unchanged")."""
    return _finish(fetch, ArticleFetch.Status.DONE, IMPORT_OUTCOMES[outcome], article=article)


@transaction.atomic
def article_fetch_fail(fetch: ArticleFetch, *, reason: str) -> ArticleFetch:
    """The fetch could not make an article; ``reason`` says why, naming the URL."""
    return _finish(fetch, ArticleFetch.Status.FAILED, reason)


def _finish(fetch: ArticleFetch, status: str, outcome: str, *, article: Article | None = None) -> ArticleFetch:
    fetch.status = status
    fetch.outcome = outcome
    fetch.article = article
    fetch.finished_at = timezone.now()
    fetch.full_clean()
    # Conditional, so a fetch that is over stays as it ended.
    running = ArticleFetch.objects.filter(
        pk=fetch.pk, status__in=[ArticleFetch.Status.QUEUED, ArticleFetch.Status.FETCHING]
    )
    if not running.update(status=status, outcome=outcome, article=article, finished_at=fetch.finished_at):
        raise ValidationError(f"fetch {fetch.pk} is already over")
    return fetch
