"""Background tasks (django-tasks). A task is queued in the database
(django-tasks-db) and run by a ``manage.py db_worker`` process on any
machine that shares the database; the tests run them in-process.

``queue_article_fetch`` is how every path (the New article page, the API)
asks for an article from a URL: it writes the fetch and its task in one
transaction, so a worker never sees a task whose fetch is not committed
and a request that fails leaves neither behind. ``queue_feed_poll`` is
the /feeds/ page's "Poll now": the page never waits on an outlet's server.
``queue_annotation_import`` keeps an annotation file and queues its import,
so no import is bound by a request's time.
"""

from django.db import transaction
from django_tasks import task

from annotate.actions import article_fetches, feeds, import_jobs
from annotate.io import feeds as feed_polls
from annotate.io import import_jobs as import_job_runs
from annotate.io import url_imports
from annotate.models import AnnotationImportJob, ArticleFetch, Feed


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


@task()
def poll_feed(feed_id: int) -> str:
    """Poll Feed ``feed_id`` (annotate/io/feeds.py); returns the outcome in
    words, as the feed records it."""
    return feed_polls.poll_feed(feed_id).summary()


@transaction.atomic
def queue_feed_poll(feed: Feed) -> None:
    """Queue a poll of ``feed`` (for a user the caller has checked may
    follow feeds), and note on the feed that one is coming."""
    feeds.feed_poll_queued(feed)
    poll_feed.enqueue(feed.pk)


@task()
def import_annotations(job_id: int) -> str:
    """Import AnnotationImportJob ``job_id``'s file; returns "done", "failed" or "skipped"."""
    return import_job_runs.run_import_job(job_id)


@transaction.atomic
def queue_annotation_import(
    data: bytes, file_format: str, *, user, file_name: str = "", dry_run: bool = False, options: dict
) -> AnnotationImportJob:
    """Keep ``data`` and queue its import as ``user`` (whom the caller has
    checked may import annotations), with ``options`` as
    ``import_annotation_file`` takes them."""
    job = import_jobs.import_job_create(
        data=data, file_format=file_format, requested_by=user, file_name=file_name, dry_run=dry_run, options=options
    )
    result = import_annotations.enqueue(job.pk)
    import_jobs.import_job_record_task(job, task_result_id=str(result.id))
    job.refresh_from_db()
    return job
