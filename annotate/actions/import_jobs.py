"""A background annotation import through its states: queued (by the API,
the command or the admin), running (a worker took it), done (the report
says what was written, or that a dry run would have) or failed (the file
was refused, with every reason, and nothing was written; or the worker
hit an error, named).

Each state change is a conditional update, as for URL fetches: two workers
that somehow took one job cannot both run it, and a job that is over stays
over."""

import time

from django.db import connection, connections, transaction
from django.utils import timezone

from annotate.models import AnnotationImportJob

# A worker writes its progress at most this often (seconds).
PROGRESS_EVERY = 0.5


@transaction.atomic
def import_job_create(
    *, data: bytes, file_format: str, requested_by, file_name: str = "", dry_run: bool = False, options: dict
) -> AnnotationImportJob:
    """A new job for ``data``, queued; the caller has checked that
    ``requested_by`` may import annotations and queues its task."""
    job = AnnotationImportJob(
        requested_by=requested_by, file_name=file_name[:255], file_format=file_format, data=data, size=len(data),
        dry_run=dry_run, options=options,
    )  # fmt: skip
    job.full_clean(exclude=["data"])
    job.save()
    return job


def import_job_record_task(job: AnnotationImportJob, *, task_result_id: str) -> None:
    """Note which task runs the job (only that column: it may already have run)."""
    job.task_result_id = task_result_id
    AnnotationImportJob.objects.filter(pk=job.pk).update(task_result_id=task_result_id)


def import_job_start(job_id: int) -> AnnotationImportJob | None:
    """Move a queued job to running and return it; None when there is no
    such job or it is not queued any more (another worker has it)."""
    taken = AnnotationImportJob.objects.filter(pk=job_id, status=AnnotationImportJob.Status.QUEUED).update(
        status=AnnotationImportJob.Status.RUNNING, started_at=timezone.now()
    )
    return AnnotationImportJob.objects.get(pk=job_id) if taken else None


def import_job_finish(job: AnnotationImportJob, *, result: dict) -> None:
    """The import ended: done if it was written (or a clean dry run),
    failed with its reasons otherwise. The file is dropped; the result stays."""
    status = AnnotationImportJob.Status.FAILED if result.get("errors") else AnnotationImportJob.Status.DONE
    running = AnnotationImportJob.objects.filter(pk=job.pk, status=AnnotationImportJob.Status.RUNNING)
    running.update(
        status=status, result=result, finished_at=timezone.now(), stage="", data=b"",
        done=result.get("total", 0), total=result.get("total", 0),
    )  # fmt: skip


class ProgressWriter:
    """``progress(stage, done, total)`` for ``import_annotation_file`` that
    writes the job's progress where other requests can read it while the
    import's own transaction is still open: through a connection of its
    own, committing each write. That is possible on PostgreSQL; SQLite
    lets one writer in at a time and the import holds it, so there the
    job shows its stage and counts when it starts and ends only (an import
    of 100,000 spans takes seconds there)."""

    def __init__(self, job: AnnotationImportJob):
        self.job_id = job.pk
        self.last = 0.0
        self.connection = connections.create_connection("default") if connection.vendor == "postgresql" else None

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.connection is None or (now - self.last < PROGRESS_EVERY and done != total):
            return
        self.last = now
        table = self.connection.ops.quote_name(AnnotationImportJob._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET stage = %s, done = %s, total = %s WHERE id = %s AND status = %s",  # noqa: S608
                [stage, done, total, self.job_id, AnnotationImportJob.Status.RUNNING],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
