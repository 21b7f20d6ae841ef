"""Background tasks (django-tasks). A task is queued in the database
(django-tasks-db) and run by a ``manage.py db_worker`` process on any
machine that shares the database; the tests run them in-process.

``queue_article_fetch`` is how every path (the New article page, the API)
asks for an article from a URL: it writes the fetch and its task in one
transaction, so a worker never sees a task whose fetch is not committed
and a request that fails leaves neither behind.
"""

from django.db import transaction
from django_tasks import task

from annotate.actions import article_fetches
from annotate.io import url_imports
from annotate.models import ArticleFetch


@task()
def fetch_article(fetch_id: int) -> str:
    """Fetch and import the URL of ArticleFetch ``fetch_id``; returns how it
    ended ("created", "updated", "unchanged", "failed" or "skipped")."""
    return url_imports.run_fetch(fetch_id)


@transaction.atomic
def queue_article_fetch(url: str, *, user) -> ArticleFetch:
    """Queue a fetch of ``url`` for ``user`` (whom the caller has checked
    may import articles). Raises ValidationError for a URL no fetch may try."""
    fetch = article_fetches.article_fetch_create(url=url, requested_by=user)
    result = fetch_article.enqueue(fetch.pk)
    article_fetches.article_fetch_record_task(fetch, task_result_id=str(result.id))
    fetch.refresh_from_db()
    return fetch
