import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from annotate import permissions
from annotate.actions import annotations, assignments
from annotate.actions import feeds as feed_actions
from annotate.io import annotations_in, spreadsheets
from annotate.io.articles_in import csv_reason
from annotate.io.resources import AnnotationResource, ArticleResource, LabelResource, SourceResource
from annotate.models import (
    SPAN_EDITABLE_FIELDS,
    SPAN_NATURAL_KEY,
    SPAN_TEXT_LIMITS,
    Adjudication,
    Annotation,
    AnnotationImportJob,
    Article,
    ArticleFetch,
    ArticleVersion,
    Assignment,
    Feed,
    FeedEntry,
    Label,
    Source,
    placed_through,
)
from annotate.rules import json_input
from annotate.rules.label_styles import label_class
from annotate.rules.text import excerpt
from annotate.tasks import queue_feed_poll
from annotate.web.forms import AnnotationFileImportForm


class SpreadsheetSafeAdmin(ImportExportModelAdmin):
    """Import/export buttons whose CSV/XLSX neutralise formulas (annotate/io/spreadsheets.py)."""

    formats = spreadsheets.SPREADSHEET_SAFE_FORMATS
    # A link typed without a scheme ("example.org/story") becomes https://,
    # the default Django 6 adopts; saying so also ends its deprecation warning.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def add_data_read_fail_error_to_form(self, form, e):
        # django-import-export names only the exception's class; where the
        # reason is ours to tell (hostile JSON, a CSV field over the
        # article limit), the form says it.
        if isinstance(e, json_input.JsonProblem):
            form.add_error("import_file", f"The file cannot be imported: it is {e}.")
        elif isinstance(e, csv.Error):
            form.add_error("import_file", f"The file cannot be imported: {csv_reason(e)}.")
        else:
            super().add_data_read_fail_error_to_form(form, e)


class LabelColoursMedia:
    """Label colours come from /labels.css as classes: the Content-Security-
    Policy refuses inline style attributes (annotate/rules/label_styles.py)."""

    css = {"all": [reverse_lazy("label-styles"), "annotate/admin.css"]}


# DRF's token admin lists every user's key and makes one for anyone; a key
# is the whole secret, so that page let an admin act as any user through the
# API without leaving a trace. Each user sees and changes only their own
# token (permissions.own_tokens, the account page); an admin who must end
# someone's token sets their password or deactivates them, which revokes it.
admin.site.unregister(TokenProxy)


@admin.register(Source)
class SourceAdmin(SpreadsheetSafeAdmin):
    resource_classes = [SourceResource]
    list_display = ["name", "domain", "article_count"]
    search_fields = ["name", "domain", "notes"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, source):
        return source.article_count


class ArticleVersionInline(admin.TabularInline):
    """The article's earlier texts, read-only: only a new import or fetch
    makes a version (actions.article_versions)."""

    model = ArticleVersion
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ["number", "title", "recorded_at", "replaced_at", "words_deleted", "words_inserted",
              "change_note_kind", "spans_moved", "spans_fuzzy", "spans_orphaned"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(SpreadsheetSafeAdmin):
    resource_classes = [ArticleResource]
    list_display = ["title", "source", "published", "annotation_count", "imported_at"]
    list_filter = ["source", "published", "language"]
    list_select_related = ["source"]
    search_fields = ["title", "byline", "url", "text"]
    date_hierarchy = "published"
    readonly_fields = ["text", "sha256", "imported_at", "original_filename", "text_version", "text_recorded_at"]
    fields = ["source", "title", "byline", "published", "url", "language", "original_filename", "sha256",
              "imported_at", "text_version", "text_recorded_at", "text"]  # fmt: skip
    inlines = [ArticleVersionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(annotation_count=Count("annotations", filter=placed_through("annotations")))
        )

    @admin.display(ordering="annotation_count", description="Annotations")
    def annotation_count(self, article):
        return article.annotation_count

    actions = ["assign_to_reviewers"]

    @admin.action(description="Assign to reviewers…")
    def assign_to_reviewers(self, request, queryset):
        # The lead's assign page does the choosing (reviewers, k per article),
        # so the admin and the site share one form and one service.
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse('assign')}?articles={ids}")

    def has_add_permission(self, request):
        # Articles come in through imports, which normalise and fingerprint
        # the text; a hand-typed article would skip that.
        return False


@admin.register(Label)
class LabelAdmin(SpreadsheetSafeAdmin):
    Media = LabelColoursMedia
    resource_classes = [LabelResource]
    list_display = ["swatch", "name", "slug", "shortcut", "order"]
    list_display_links = ["name"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug", "description"]

    @admin.display(description="Colour")
    def swatch(self, label):
        return format_html('<span class="swatch {}" title="{}"></span>', label_class(label.slug), label.colour)


@admin.register(Annotation)
class AnnotationAdmin(SimpleHistoryAdmin, SpreadsheetSafeAdmin):
    Media = LabelColoursMedia
    resource_classes = [AnnotationResource]
    list_display = ["id", "article", "label", "reviewer", "layer", "span", "quote_excerpt", "created_at"]
    list_filter = ["label", "layer", "anchor_state", "reviewer", "article__source", "created_at"]
    list_select_related = ["article", "label", "reviewer"]
    search_fields = ["quote", "note", "speaker", "article__title"]
    raw_id_fields = ["article", "based_on"]
    date_hierarchy = "created_at"
    readonly_fields = ["quote_in_context", "article_version", "anchor_state", "created_at", "updated_at"]
    fields = ["article", "label", "start", "end", "quote", "quote_in_context", "article_version", "anchor_state",
              "note", "speaker", "evidence_url", "reviewer", "layer", "decision_reason", "based_on", "created_at",
              "updated_at"]  # fmt: skip

    # Where a span is and whose it is are fixed when it is made; a span
    # somewhere else is a new span (actions.annotations refuses the change).
    FIXED_ON_CHANGE = ["article", "start", "end", "quote", "reviewer", "layer", "based_on"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *(self.FIXED_ON_CHANGE if obj is not None else [])]

    def save_model(self, request, obj, form, change):
        """Through the same create and update as the page and the API, so an
        admin change bumps the version, moves updated_at and is refused the
        same way (the history middleware records who)."""
        if not change:
            created = annotations.annotation_create(
                **{name: getattr(obj, name) for name in SPAN_NATURAL_KEY}, quote=obj.quote,
                based_on=obj.based_on, **{name: getattr(obj, name) for name in SPAN_TEXT_LIMITS},
            )  # fmt: skip
            obj.pk, obj.version, obj.created_at, obj.updated_at = (
                created.pk,
                created.version,
                created.created_at,
                created.updated_at,
            )
            return
        current = Annotation.all_spans.select_related("article").get(pk=obj.pk)
        changes = {name: getattr(obj, name) for name in SPAN_EDITABLE_FIELDS if name in form.changed_data}
        if changes:
            updated = annotations.annotation_update(current, **changes)
            obj.version, obj.updated_at = updated.version, updated.updated_at

    def delete_model(self, request, obj):
        annotations.annotation_delete(obj)

    def delete_queryset(self, request, queryset):
        for annotation in queryset:
            annotations.annotation_delete(annotation)

    def import_action(self, request, **kwargs):
        """The import page, through ``import_annotation_file`` rather than
        django-import-export's own two-step import: the admin then reads
        every format the command and the API read, and refuses the same files."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = AnnotationFileImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            report = annotations_in.import_annotation_file(
                values["file"].read(),
                values["file_format"],
                user=request.user,
                keep_authors=values["keep_authors"],
                dry_run="import" not in request.POST,
                reviewer=values["reviewer"] or None,
                source=values["source"] or None,
                user_map=values["user_map"],
                label_map=values["label_map"],
            )
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "report": report}
        context["title"] = "Import annotations"
        return TemplateResponse(request, "admin/annotate/annotation/import_file.html", context)

    def process_import(self, request, **kwargs):
        # The library's second step, for its own import; ours has one page.
        return redirect("admin:annotate_annotation_import")

    def get_export_queryset(self, request):
        # The export's prefix/suffix and source columns need the article text
        # and source that the changelist defers; load them in the same query.
        return super().get_export_queryset(request).defer(None).select_related("article__source", "label", "reviewer")

    def get_queryset(self, request):
        # Orphans too (the anchor state filter finds them): the pages leave
        # them out, but a manager must be able to find every span.
        # list_display's quote_excerpt needs only the quote; the article
        # text is only loaded on the change page.
        spans = Annotation.all_spans.get_queryset()
        if ordering := self.get_ordering(request):
            spans = spans.order_by(*ordering)
        return spans.defer("article__text")

    @admin.display(description="Span")
    def span(self, annotation):
        return f"[{annotation.start}, {annotation.end})"

    @admin.display(description="Quote")
    def quote_excerpt(self, annotation):
        return excerpt(annotation.quote, 80)

    @admin.display(description="In context")
    def quote_in_context(self, annotation):
        if not annotation.pk:
            return "—"
        prefix, suffix = annotation.context()
        return format_html(
            '<div class="in-context">…{}<mark class="{}">{}</mark>{}…</div>',
            prefix,
            label_class(annotation.label.slug),
            annotation.quote,
            suffix,
        )


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["article", "reviewer", "status", "assigned_by", "assigned_at", "submitted_at"]
    list_filter = ["status", "reviewer", "article__source", "assigned_at"]
    list_select_related = ["article", "reviewer", "assigned_by"]
    search_fields = ["article__title", "reviewer__username"]
    raw_id_fields = ["article"]
    readonly_fields = ["submitted_at"]
    actions = ["reopen"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__text")

    @admin.action(description="Reopen the selected submitted assignments")
    def reopen(self, request, queryset):
        done = 0
        for assignment in queryset.filter(status=Assignment.Status.SUBMITTED):
            try:
                assignments.assignment_reopen(assignment, user=request.user)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{assignment}: {error}", messages.ERROR)
        self.message_user(request, f"Reopened {done} assignment(s).")


@admin.register(Adjudication)
class AdjudicationAdmin(SimpleHistoryAdmin):
    """Closed consensus decisions. Deleting one reopens the article's
    consensus, as the curation page's "Reopen" does."""

    list_display = ["article", "closed_by", "closed_at", "note"]
    list_filter = ["closed_by", "article__source", "closed_at"]
    list_select_related = ["article", "closed_by"]
    search_fields = ["article__title", "note"]
    raw_id_fields = ["article"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__text")


@admin.register(ArticleFetch)
class ArticleFetchAdmin(admin.ModelAdmin):
    """Who fetched which URL, and how it went: to read, not to edit. Fetches
    are queued from the New article page and the API, and their states are
    the worker's to change (annotate/actions/article_fetches.py)."""

    list_display = ["url", "status", "requested_by", "article", "created_at", "finished_at"]
    list_filter = ["status", "created_at"]
    list_select_related = ["requested_by", "article"]
    search_fields = ["url", "outcome", "requested_by__username"]
    date_hierarchy = "created_at"
    fields = ["url", "status", "outcome", "article", "requested_by", "task_result_id", "created_at", "finished_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AnnotationImportJob)
class AnnotationImportJobAdmin(admin.ModelAdmin):
    """Background annotation imports: who sent which file, how far it is
    (rows done of total) and its result, to read. Jobs are queued through
    the API and run by the worker (annotate/actions/import_jobs.py)."""

    list_display = ["__str__", "file_name", "status", "stage", "done", "total", "requested_by", "created_at"]
    list_filter = ["status", "file_format", "created_at"]
    list_select_related = ["requested_by"]
    search_fields = ["file_name", "requested_by__username"]
    date_hierarchy = "created_at"
    fields = ["file_name", "file_format", "size", "dry_run", "options", "status", "stage", "done", "total", "result",
              "requested_by", "task_result_id", "created_at", "started_at", "finished_at"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """The feeds leads follow, for managers: how each poll went, and the
    page's pause, resume, poll and unfollow as actions. Feeds are followed
    on /feeds/, which checks the address; a poll's columns are its own
    (annotate/actions/feeds.py), so the form shows them read-only."""

    list_display = ["__str__", "url", "source", "active", "last_status", "last_polled_at", "added_by", "added_at"]
    list_filter = ["active", "last_status", "source"]
    list_select_related = ["source", "added_by"]
    search_fields = ["title", "url", "last_outcome", "source__name"]
    fields = ["url", "title", "source", "active", "added_by", "added_at", "last_polled_at", "last_status",
              "last_outcome", "failures_in_a_row", "etag", "last_modified", "poll_started_at",
              "poll_queued_at"]  # fmt: skip
    readonly_fields = fields
    actions = ["pause", "resume", "poll_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_follow_permission(self, request):
        # The actions are the /feeds/ page's, for whoever may use it.
        return permissions.is_lead(request.user)

    @admin.action(description="Pause the selected feeds", permissions=["follow"])
    def pause(self, request, queryset):
        for feed in queryset:
            feed_actions.feed_set_active(feed, active=False)
        self.message_user(request, f"Paused {queryset.count()} feed(s).")

    @admin.action(description="Resume the selected feeds", permissions=["follow"])
    def resume(self, request, queryset):
        for feed in queryset:
            feed_actions.feed_set_active(feed, active=True)
        self.message_user(request, f"Resumed {queryset.count()} feed(s).")

    @admin.action(description="Poll the selected feeds now (in the background)", permissions=["follow"])
    def poll_now(self, request, queryset):
        for feed in queryset:
            queue_feed_poll(feed)
        self.message_user(request, f"Queued a poll of {queryset.count()} feed(s).")

    def delete_model(self, request, obj):
        feed_actions.feed_unfollow(obj)

    def delete_queryset(self, request, queryset):
        for feed in queryset:
            feed_actions.feed_unfollow(feed)


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    """Every item a feed listed and what came of it: to read, not to edit."""

    list_display = ["link", "feed", "state", "attempts", "article", "first_seen_at", "last_tried_at"]
    list_filter = ["state", "feed"]
    list_select_related = ["feed", "article"]
    search_fields = ["link", "title", "reason"]
    raw_id_fields = ["article"]
    fields = ["feed", "link", "key", "title", "state", "attempts", "reason", "article", "first_seen_at",
              "last_tried_at"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
