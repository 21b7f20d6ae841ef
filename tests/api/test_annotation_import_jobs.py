"""Annotation imports in the background (issue 21: no import bound by a
request): a file over ANNOTATION_IMPORT_BACKGROUND_BYTES, or one sent with
``background``, is kept and imported by a worker; the API answers 202 with
a job to follow at /api/imports/annotations/jobs/<id>/, whose result keeps
the counts or every refused row. All or nothing, as every import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from annotate.models import Annotation, AnnotationImportJob
from tests.conftest import api_as, make_article, make_user
from tests.workers import IMMEDIATE_TASKS, run_worker_batch

TEXT = "Lukashenko met Xi in Beijing. 军事 🇧🇾 drills resumed, said the agency."
URL = "/api/imports/annotations/"


def spans_csv(article, *, quotes=("Lukashenko", "Beijing", "军事", "🇧🇾"), wrong: str | None = None) -> bytes:
    lines = ["article_id,label,start,end,quote,reviewer,note"]
    for quote in quotes:
        start = article.text.index(quote)
        shown = wrong if wrong and quote == quotes[-1] else quote
        lines.append(f"{article.pk},fact,{start},{start + len(quote)},{shown},lena,from the desk")
    return ("\n".join(lines) + "\n").encode()


def upload(client, data: bytes, **fields):
    return client.post(URL, {"file": SimpleUploadedFile("spans.csv", data), "format": "csv", **fields})


def test_a_file_over_the_threshold_is_a_job_that_imports_it_whole(settings, lena, labels):
    settings.TASKS = IMMEDIATE_TASKS
    article = make_article(TEXT)
    data = spans_csv(article)
    settings.ANNOTATION_IMPORT_BACKGROUND_BYTES = len(data) - 1
    response = upload(api_as(lena), data)
    assert response.status_code == 202, response.content
    job = AnnotationImportJob.objects.get()
    body = response.json()
    assert response["Location"] == body["self"] == f"http://testserver{URL}jobs/{job.pk}/"
    assert (body["status"], body["done"], body["total"], body["requested_by"]) == ("done", 4, 4, "lena")
    assert body["result"]["new"] == 4 and body["result"]["errors"] == [] and body["result"]["written"] is True
    assert sorted(Annotation.objects.values_list("quote", flat=True)) == sorted(["Lukashenko", "Beijing", "军事", "🇧🇾"])
    # The history names the uploader, as a request's import does.
    assert set(Annotation.history.values_list("history_user__username", flat=True)) == {"lena"}
    # The file is not kept once the job is over; the result is.
    job.refresh_from_db()
    assert bytes(job.data) == b"" and job.size == len(data) and job.finished_at is not None
    assert api_as(lena).get(body["self"]).json() == body


def test_a_small_file_is_still_imported_within_its_request(lena, labels):
    article = make_article(TEXT)
    response = upload(api_as(lena), spans_csv(article))
    assert response.status_code == 200 and response.json()["new"] == 4
    assert AnnotationImportJob.objects.count() == 0


def test_a_refused_file_fails_its_job_with_every_reason_and_writes_nothing(settings, lena, labels):
    settings.TASKS = IMMEDIATE_TASKS
    article = make_article(TEXT)
    response = upload(api_as(lena), spans_csv(article, wrong="Minsk"), background=True)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "failed" and body["result"]["written"] is False
    assert body["result"]["errors"] == [body["result"]["errors"][0]] and body["result"]["errors"][0].startswith(
        "row 4:"
    )
    assert "quote" in body["result"]["errors"][0]
    assert Annotation.objects.count() == 0


def test_a_dry_run_in_the_background_writes_nothing(settings, lena, labels):
    settings.TASKS = IMMEDIATE_TASKS
    article = make_article(TEXT)
    body = upload(api_as(lena), spans_csv(article), background=True, dry_run=True).json()
    assert (body["status"], body["dry_run"], body["result"]["new"], body["result"]["written"]) == (
        "done",
        True,
        4,
        False,
    )
    assert Annotation.objects.count() == 0


def test_a_queued_job_waits_for_a_worker(lena, labels):
    article = make_article(TEXT)
    body = upload(api_as(lena), spans_csv(article), background=True).json()
    assert (body["status"], body["result"]) == ("queued", None)
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs) == (
        "annotate.tasks.import_annotations",
        {"args": [body["id"]], "kwargs": {}},
    )
    assert Annotation.objects.count() == 0


def test_only_the_uploader_and_staff_follow_a_job(lena, alice, root, labels):
    article = make_article(TEXT)
    body = upload(api_as(lena), spans_csv(article), background=True).json()
    other_lead = make_user("olga")
    other_lead.groups.add(*lena.groups.all())
    assert api_as(lena).get(body["self"]).status_code == 200
    assert api_as(root).get(body["self"]).status_code == 200
    # The result quotes the file: not even another lead sees it.
    assert api_as(other_lead).get(body["self"]).status_code == 404
    assert api_as(alice).get(body["self"]).status_code == 404
    assert api_as(alice).get(f"{URL}jobs/").json()["results"] == []
    assert api_as().get(body["self"]).status_code == 401
    # A reviewer may not start one either.
    assert upload(api_as(alice), spans_csv(article), background=True).status_code == 403
    assert AnnotationImportJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_runs_a_queued_import(lena, labels):
    article = make_article(TEXT)
    body = upload(api_as(lena), spans_csv(article), background=True).json()
    assert body["status"] == "queued"
    run_worker_batch()
    job = AnnotationImportJob.objects.get(pk=body["id"])
    assert (job.status, job.result["new"], job.done, job.total) == ("done", 4, 4, 4)
    assert Annotation.objects.count() == 4
    assert DBTaskResult.objects.get().return_value == "done"
