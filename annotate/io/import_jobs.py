"""Running a background annotation import (``annotate.tasks.import_annotations``):
the job's file through ``import_annotation_file``, as the uploader, with
the options they gave; all or nothing, as every import."""

import logging

from django.contrib.auth import get_user_model

from annotate.actions import import_jobs
from annotate.io.annotations_in import import_annotation_file
from annotate.models import AnnotationImportJob

log = logging.getLogger(__name__)


def run_import_job(job_id: int) -> str:
    """Import job ``job_id``'s file; returns its status ("done", "failed"),
    or "skipped" when it is not queued (taken by another worker, or over)."""
    job = import_jobs.import_job_start(job_id)
    if job is None:
        return "skipped"
    user = get_user_model().objects.get(pk=job.requested_by_id)
    progress = import_jobs.ProgressWriter(job)
    options = job.options or {}
    try:
        report = import_annotation_file(
            bytes(job.data),
            job.file_format,
            user=user,
            keep_authors=options.get("keep_authors", False),
            dry_run=job.dry_run,
            reviewer=options.get("reviewer") or None,
            source=options.get("source") or None,
            user_map=options.get("user_map") or {},
            label_map=options.get("label_map") or {},
            progress=progress,
        )
        result = report.as_dict()
    except Exception as error:
        # The import rolled back; the job says so instead of staying "running".
        log.exception("annotation import job %s failed", job_id)
        stopped = f"the import stopped on an error ({type(error).__name__}); nothing was written"
        result = {"summary": stopped, "written": False, "total": 0, "new": 0, "updated": 0, "unchanged": 0,
                  "errors": [stopped]}  # fmt: skip
    finally:
        progress.close()
    import_jobs.import_job_finish(job, result=result)
    return AnnotationImportJob.objects.values_list("status", flat=True).get(pk=job_id)
