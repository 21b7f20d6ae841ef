from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F

from annotate import permissions
from annotate.io.annotations_in import import_format_of
from annotate.io.exports import EXPORT_FORMATS, FILTER_PARAMETERS, FORMAT_NAMES, AnnotationFilter
from annotate.io.file_formats import FILE_FORMATS, IMPORT_FORMATS
from annotate.io.interop.drafts import name_map
from annotate.models import ARTICLE_TEXT_LIMIT, MAX_ID, Annotation, Article, Label, Source
from annotate.read import reports
from annotate.web.http import id_from_text

# The browser's own date picker; it sends YYYY-MM-DD, as the API takes.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AnnotationExportForm(forms.Form):
    """The download's options; unknown values and unknown parameters are
    form errors (400), not empty or unfiltered files. The choices are what
    the user may see (a reviewer: their own name and their articles'
    outlets), so the page itself names no one else."""

    format = forms.ChoiceField(choices=[(f, FORMAT_NAMES[f]) for f in EXPORT_FORMATS], initial="csv")
    source = forms.ModelChoiceField(Source.objects.none(), required=False, to_field_name="name")
    label = forms.ModelChoiceField(Label.objects.all(), required=False, to_field_name="slug")
    reviewer = forms.ModelChoiceField(get_user_model().objects.none(), required=False, to_field_name="username")
    article = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    layer = forms.ChoiceField(choices=[("", "All layers"), *Annotation.Layer.choices], required=False)
    published_from = forms.DateField(required=False, widget=DATE, help_text="Articles published on or after.")
    published_to = forms.DateField(required=False, widget=DATE, help_text="… and on or before.")
    created_from = forms.DateField(required=False, widget=DATE, help_text="Spans made on or after (UTC).")
    created_to = forms.DateField(required=False, widget=DATE, help_text="… and on or before.")
    # 1 or 0, as the API takes it (a checkbox would read "0" as yes).
    include_orphans = forms.TypedChoiceField(
        choices=[("0", "No"), ("1", "Yes")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=False,
        label="Include orphaned spans",
        help_text="Spans whose words the article's current text no longer has, with their old offsets.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(permissions.sources_visible_to(user))
        users = get_user_model().objects.order_by("username")
        self.fields["reviewer"].queryset = users if permissions.is_lead(user) else users.filter(pk=user.pk)

    def clean(self):
        cleaned = super().clean()
        unknown = sorted(set(self.data) - set(self.fields))
        if unknown:
            raise forms.ValidationError(
                f"Unknown parameter(s) {', '.join(map(repr, unknown))}; the filters are {', '.join(FILTER_PARAMETERS)}."
            )
        return cleaned

    def criteria(self) -> AnnotationFilter:
        data = self.cleaned_data
        return AnnotationFilter(
            source=data["source"].name if data["source"] else None,
            label=data["label"].slug if data["label"] else None,
            reviewer=data["reviewer"].username if data["reviewer"] else None,
            article=data["article"],
            layer=data["layer"] or None,
            **{name: data[name] for name in ("published_from", "published_to", "created_from", "created_to")},
            include_orphans=data["include_orphans"],
        )


class ArticleListForm(forms.Form):
    """Search, filter and sort for the article list; bad values are ignored
    field by field (a stale bookmark still shows the list)."""

    # Undated articles go last in both directions, and the same on every
    # database (PostgreSQL would put NULLs first when sorting newest first).
    SORTS = {
        "newest": (F("published").desc(nulls_last=True), "title", "id"),
        "oldest": (F("published").asc(nulls_last=True), "title", "id"),
    }

    q = forms.CharField(required=False, max_length=200, label="Search")
    source = forms.ModelChoiceField(Source.objects.all(), required=False, empty_label="All sources")
    label = forms.ModelChoiceField(Label.objects.all(), required=False, to_field_name="slug", empty_label="Any label")
    sort = forms.ChoiceField(choices=[("newest", "Newest first"), ("oldest", "Oldest first")], required=False)

    def filters(self) -> dict:
        data = {}
        if self.is_bound:
            # Validation leaves cleaned_data holding just the fields that are
            # valid, even when others are not: those are the filters to keep.
            self.is_valid()
            data = self.cleaned_data
        return {
            "query": (data.get("q") or "").strip(),
            "source": data.get("source"),
            "label": data.get("label"),
            "ordering": self.SORTS[data.get("sort") or "newest"],
        }


class RowsByIdField(forms.ModelMultipleChoiceField):
    """Rows chosen by id. A value that is no id in the databases' range is
    refused as an unknown row is, before any query: SQLite cannot compare
    an integer past 64 bits at all (the look-up raised OverflowError)."""

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            if id_from_text(str(pk)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)


class AssignForm(forms.Form):
    """A lead's assignment: articles picked by hand or by a filter, reviewers,
    and optionally how many reviewers each article should get."""

    articles = RowsByIdField(
        Article.objects.select_related("source").defer("text"), required=False,
        help_text="Leave empty to use the filter below.",
    )  # fmt: skip
    source = forms.ModelChoiceField(Source.objects.all(), required=False, empty_label="Any source")
    only_unassigned = forms.BooleanField(required=False, label="Only articles nobody is assigned yet")
    reviewers = RowsByIdField(
        get_user_model().objects.filter(permissions.assignable_reviewers()).order_by("username"),
        help_text="Active members of the Reviewer group (add people to it in the admin).",
    )
    per_article = forms.IntegerField(
        required=False, min_value=1, label="Reviewers per article",
        help_text="Empty: every chosen reviewer gets every article. k: each article to k of them, spread evenly.",
    )  # fmt: skip

    def chosen_articles(self):
        data = self.cleaned_data
        if data["articles"]:
            return list(data["articles"])
        articles = Article.objects.defer("text").order_by("id")
        if data["source"]:
            articles = articles.filter(source=data["source"])
        if data["only_unassigned"]:
            articles = articles.filter(assignments__isnull=True)
        return list(articles)


class ReportForm(forms.Form):
    """The reports' filters. Unlike the article list's, a bad value is an
    error the user sees (the page) or a 400 (a download): a report quietly
    computed over other filters than asked for would mislead."""

    layer = forms.ChoiceField(choices=list(reports.LAYERS.items()), required=False, label="Spans from")
    date_from = forms.DateField(required=False, label="Published from", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="to", widget=forms.DateInput(attrs={"type": "date"}))
    labels = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple, label="Labels", help_text="None ticked: all."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["labels"].choices = list(Label.objects.values_list("slug", "name"))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def criteria(self, **extra) -> "reports.ReportFilter":
        data = self.cleaned_data if self.is_bound else {}
        return reports.ReportFilter(
            layer=data.get("layer") or "auto",
            published_from=data.get("date_from"),
            published_to=data.get("date_to"),
            labels=tuple(data.get("labels") or ()),
            **extra,
        )

    def error_text(self) -> str:
        return " ".join(
            f"{self.fields[name].label if name in self.fields else ''}: {' '.join(errors)}".lstrip(": ")
            for name, errors in self.errors.items()
        )


class AnnotationFileImportForm(forms.Form):
    """The admin's annotation import: any format the command and the API read."""

    AUTO = ""

    file = forms.FileField(
        help_text="A Sourcemark export, a W3C Web Annotation file, a doccano JSONL file, Label Studio tasks or "
        "Hypothesis annotations."
    )
    file_format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[
            (AUTO, "From the file's extension (and content)"),
            *((name, FILE_FORMATS[name].title) for name in IMPORT_FORMATS),
        ],
    )
    reviewer = forms.CharField(
        required=False,
        max_length=150,
        help_text="W3C/doccano/Label Studio: the username for spans whose file names no author "
        "(Label Studio: or names someone who is no user here).",
    )
    source = forms.CharField(
        required=False,
        max_length=200,
        help_text="doccano/Label Studio: the outlet for new articles whose line or task names none.",
    )
    user_map = forms.CharField(
        required=False,
        label="User map",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Label Studio, Hypothesis: one THEIRS=USERNAME a line, an annotator's id, email or Hypothesis "
        "account and whose spans they are (7=ana, alice@example.org=ana, acct:alice@hypothes.is=ana).",
    )
    label_map = forms.CharField(
        required=False,
        label="Label map",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Label Studio, Hypothesis: one THEIRS=SLUG a line, a label or tag of the file's and which of ours "
        "it is (PER=fact).",
    )
    keep_authors = forms.BooleanField(
        required=False,
        help_text="Restoring data: take each span's reviewer and created/updated times from the file. "
        "Without it, every row must be yours to write and new spans are made now.",
    )

    def clean_user_map(self) -> dict[str, str]:
        return self._name_map("user_map")

    def clean_label_map(self) -> dict[str, str]:
        return self._name_map("label_map")

    def _name_map(self, name: str) -> dict[str, str]:
        try:
            return name_map(self.cleaned_data[name].splitlines(), option=self.fields[name].label)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and not cleaned.get("file_format"):
            head = upload.read()
            upload.seek(0)
            cleaned["file_format"] = import_format_of(head, upload.name)
            if cleaned["file_format"] is None:
                self.add_error("file_format", "The file's extension names no format Sourcemark reads; choose one.")
        return cleaned


# How many URLs one paste may queue: a desk's morning links, not a crawl.
MAX_URLS_PER_PASTE = 50


class ArticleUrlsForm(forms.Form):
    """The New article page's URLs: one per line, blank lines ignored."""

    urls = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        max_length=MAX_URLS_PER_PASTE * 2001,
        label="Article URLs",
        help_text="One per line. Each page is fetched in the background and imported as an article.",
    )

    def clean_urls(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]
        if not lines:
            raise ValidationError("Paste at least one URL.")
        if len(lines) > MAX_URLS_PER_PASTE:
            raise ValidationError(f"Paste at most {MAX_URLS_PER_PASTE} URLs at a time; this has {len(lines)}.")
        return list(dict.fromkeys(lines))  # the same URL twice is one fetch


class ArticleTextForm(forms.Form):
    """An article pasted whole: imported at once, as a file would be."""

    title = forms.CharField(max_length=500)
    source = forms.CharField(max_length=200, help_text="The outlet, as its readers know it.")
    url = forms.URLField(max_length=2000, required=False, assume_scheme="https", label="URL (optional)")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), strip=False, max_length=ARTICLE_TEXT_LIMIT, label="Text"
    )


class FeedFollowForm(forms.Form):
    """The /feeds/ page's "Follow a feed": the feed's address, and the
    outlet its articles go under when the lead names one."""

    url = forms.CharField(
        max_length=2000,
        label="Feed address",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off", "inputmode": "url"}),
        help_text="The RSS or Atom feed's URL, e.g. https://www.example.org/world/rss.xml.",
    )
    source_name = forms.CharField(
        max_length=200,
        required=False,
        label="Outlet (optional)",
        widget=forms.TextInput(attrs={"list": "outlet-names", "autocomplete": "off"}),
        help_text="Its articles go under this outlet (made when new); "
        "left empty, under the outlet its first article is matched to.",
    )
