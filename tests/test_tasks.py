"""Background fetches: queued in the database, run by a worker. Most
tests run the task at once (django-tasks' ImmediateBackend); one queues
with the real database backend and runs the real `db_worker` in its own
process, as `make run` and production do."""

import pytest
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from annotate import tasks
from annotate.models import Article, ArticleFetch
from tests.loopback_server import STORY_TITLE
from tests.workers import IMMEDIATE_TASKS, run_worker_batch

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_queued_fetch_runs_and_makes_its_article(settings, lena, story_server):
    settings.TASKS = IMMEDIATE_TASKS
    fetch = tasks.queue_article_fetch(story_server.url("/story"), user=lena)
    assert (fetch.status, fetch.requested_by, fetch.article.title) == ("done", lena, STORY_TITLE)
    assert fetch.task_result_id


def test_a_fetch_queued_with_the_database_backend_waits_for_a_worker(settings, lena, story_server):
    settings.TASKS = DATABASE
    fetch = tasks.queue_article_fetch(story_server.url("/story"), user=lena)
    assert fetch.status == "queued"
    task_row = DBTaskResult.objects.get(pk=fetch.task_result_id)
    assert (task_row.task_path, task_row.args_kwargs) == (
        "annotate.tasks.fetch_article", {"args": [fetch.pk], "kwargs": {}},
    )  # fmt: skip
    assert story_server.requests == []


@pytest.mark.parametrize("url", ["not a url", "ftp://example.org/story", "http://10.0.0.1/story"])
def test_a_url_no_fetch_may_try_is_refused_before_anything_is_queued(settings, lena, url):
    settings.TASKS = DATABASE
    with pytest.raises(ValidationError) as caught:
        tasks.queue_article_fetch(url, user=lena)
    assert list(caught.value.message_dict) == ["url"]
    assert (ArticleFetch.objects.count(), DBTaskResult.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_runs_a_queued_fetch(settings, lena, story_server):
    settings.TASKS = DATABASE
    fetch = tasks.queue_article_fetch(story_server.url("/story"), user=lena)
    missing = tasks.queue_article_fetch(story_server.url("/missing"), user=lena)
    assert Article.objects.count() == 0

    run_worker_batch()

    fetch.refresh_from_db()
    missing.refresh_from_db()
    assert (fetch.status, fetch.outcome, fetch.article.title) == ("done", "Imported as a new article.", STORY_TITLE)
    assert (missing.status, missing.outcome) == ("failed", "the server answered 404 Not Found")
    assert sorted(DBTaskResult.objects.values_list("status", "return_value")) == [
        ("SUCCESSFUL", "created"), ("SUCCESSFUL", "failed"),
    ]  # fmt: skip
    assert sorted(r.path for r in story_server.requests) == ["/missing", "/story"]
