"""Team review: who reviews which article, and the closed consensus."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from annotate.models.articles import Article
from annotate.simple_history_manager import HistoryManagerBuiltOnce


class Assignment(models.Model):
    """An article given to a reviewer to annotate. Its status moves
    assigned → in progress (first span) → submitted; a lead can reopen it."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(history_manager=HistoryManagerBuiltOnce)

    class Meta:
        ordering = ["status", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "reviewer"], name="assignment_one_per_reviewer"),
            models.CheckConstraint(
                condition=Q(status__in=["assigned", "in_progress", "submitted"]), name="assignment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="submitted", submitted_at__isnull=False) | ~Q(status="submitted"),
                name="assignment_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "status"], name="assignment_reviewer_status_idx")]

    def __str__(self):
        return f"{self.article_id} → {self.reviewer_id} ({self.status})"


class Adjudication(models.Model):
    """A lead closed the article's consensus: it is "adjudicated", its
    consensus layer is read-only and reviewers see their feedback. Deleting
    the row (a lead's "reopen") opens it again; history keeps both."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="adjudication")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, help_text="Why the consensus stands as it is.")
    history = HistoricalRecords(history_manager=HistoryManagerBuiltOnce)

    def __str__(self):
        return f"{self.article_id} adjudicated by {self.closed_by_id}"
