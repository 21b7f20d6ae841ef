"""A background import's states, and its progress seen from outside the
import's own transaction (annotate/actions/import_jobs.py)."""

import pytest
from django.db import connection, connections, transaction

from annotate.actions import import_jobs
from annotate.models import AnnotationImportJob


def job_for(user) -> AnnotationImportJob:
    return import_jobs.import_job_create(data=b"article_id\n", file_format="csv", requested_by=user, options={})


def test_a_job_is_taken_once_and_stays_over(lena):
    job = job_for(lena)
    assert import_jobs.import_job_start(job.pk).status == "running"
    assert import_jobs.import_job_start(job.pk) is None  # a second worker leaves it alone
    import_jobs.import_job_finish(job, result={"total": 3, "errors": ["row 2: quote: no"]})
    job.refresh_from_db()
    assert (job.status, job.done, job.total, bytes(job.data)) == ("failed", 3, 3, b"")
    import_jobs.import_job_finish(job, result={"total": 3, "errors": []})
    job.refresh_from_db()
    assert job.status == "failed"


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_others_while_the_import_transaction_is_open(lena):
    job = job_for(lena)
    import_jobs.import_job_start(job.pk)
    writer = import_jobs.ProgressWriter(job)
    onlooker = connections.create_connection("default")
    try:
        with transaction.atomic():
            # As inside annotations_import: the import's connection has
            # written (its spans; never the job's row, which it would lock).
            job_for(lena)
            writer("checking", 40, 100)
            writer("checking", 41, 100)  # within PROGRESS_EVERY: not written
            with onlooker.cursor() as cursor:
                cursor.execute("SELECT stage, done, total FROM annotate_annotationimportjob WHERE id = %s", [job.pk])
                seen = cursor.fetchone()
        if connection.vendor == "postgresql":
            assert seen == ("checking", 40, 100)
        else:
            # SQLite lets one writer in at a time: progress shows when the job ends.
            assert seen == ("", 0, 0)
    finally:
        writer.close()
        onlooker.close()
