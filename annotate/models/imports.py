"""An annotation file imported by a background worker, so that no import
is bound by a request: a file past ``ANNOTATION_IMPORT_BACKGROUND_BYTES``
(or any file whose uploader asks) is kept here with its options, queued,
and imported whole or not at all by ``manage.py db_worker`` on any machine
that shares the database. The job keeps the result (the counts, or every
refused row with its reason) for the uploader to read or download."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AnnotationImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="annotation_import_jobs"
    )
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=16)
    # The file itself, in the database: a worker on another machine reads it
    # from there, with no shared disk. Emptied once the job is over.
    data = models.BinaryField(editable=False)
    size = models.PositiveBigIntegerField(default=0, help_text="The file's size in bytes.")
    options = models.JSONField(
        default=dict, blank=True, help_text="What import_annotation_file is given besides the file."
    )
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=16, blank=True, help_text="checking or writing, while it runs.")
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(
        null=True, blank=True, help_text="The import's report: summary, counts and every error, once over."
    )
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="importjob_requester_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="importjob_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["done", "failed"], finished_at__isnull=False)
                | Q(status__in=["queued", "running"], finished_at__isnull=True),
                name="importjob_finished_when_over",
            ),
        ]

    def __str__(self):
        return f"{self.file_format} import {self.pk} ({self.status})"

    @property
    def over(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
