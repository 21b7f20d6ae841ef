"""Shapes the API reads and writes. Output of spans is the workspace's own
payload (``workspace.annotation_payload``), so the page and the API cannot
drift; input serializers document the bodies, while the rules themselves
stay in the service functions the views call."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from annotate import permissions
from annotate.io.file_formats import IMPORT_FORMATS
from annotate.io.interop.drafts import name_map
from annotate.models import (
    ARTICLE_TEXT_LIMIT,
    SPAN_TEXT_LIMITS,
    Annotation,
    AnnotationImportJob,
    Article,
    ArticleFetch,
    Assignment,
    Label,
    Source,
)


class SourceSerializer(serializers.ModelSerializer):
    homepage = serializers.CharField(read_only=True, help_text="A URL, or empty when unknown.")

    class Meta:
        model = Source
        fields = ("id", "name", "homepage", "domain")


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ("id", "slug", "name", "colour", "shortcut", "description", "order")


class ArticleSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name", read_only=True)
    url = serializers.CharField(read_only=True, help_text="A URL, or empty when the article has none.")

    class Meta:
        model = Article
        fields = ("id", "title", "source", "byline", "published", "url", "language", "word_count", "sha256",
                  "original_filename", "imported_at", "text_version", "text_recorded_at")  # fmt: skip
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = (*ArticleSerializer.Meta.fields, "text")
        read_only_fields = fields


class ArticleImportSerializer(serializers.Serializer):
    """An article to import: its ``text`` (with any of the other fields),
    normalised and validated as files are, imported at once; or only a
    ``url``, fetched and imported in the background (202, with the fetch
    to follow)."""

    text = serializers.CharField(
        required=False, trim_whitespace=False, max_length=ARTICLE_TEXT_LIMIT,
        help_text="The article's text. Leave it out, and give only url, to have the page fetched.",
    )  # fmt: skip
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    source = serializers.CharField(required=False, allow_blank=True, max_length=200)
    byline = serializers.CharField(required=False, allow_blank=True, max_length=300)
    url = serializers.URLField(required=False, allow_blank=True, max_length=2000)
    published = serializers.DateField(required=False, allow_null=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=16)
    original_filename = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ArticleImportResultSerializer(ArticleDetailSerializer):
    outcome = serializers.ChoiceField(choices=["created", "updated", "revised", "unchanged"], read_only=True)

    class Meta(ArticleDetailSerializer.Meta):
        fields = (*ArticleDetailSerializer.Meta.fields, "outcome")
        read_only_fields = fields


class ArticleFetchSerializer(serializers.ModelSerializer):
    """A URL being fetched: follow ``self`` until ``status`` is done (the
    ``article`` is there) or failed (``outcome`` says why)."""

    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True, default=None)
    self = serializers.HyperlinkedIdentityField(view_name="api-article-fetch-detail", help_text="Poll this.")
    outcome = serializers.CharField(read_only=True, help_text="What happened, in words; empty while it runs.")

    class Meta:
        model = ArticleFetch
        fields = ("id", "self", "url", "status", "outcome", "article", "requested_by", "created_at", "finished_at")
        read_only_fields = fields


class AnnotationImportJobSerializer(serializers.ModelSerializer):
    """A background annotation import: follow ``self`` until ``status`` is
    done (``result`` has the counts) or failed (``result.errors`` has every
    reason; nothing was written). ``done`` of ``total`` rows while it runs."""

    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    self = serializers.HyperlinkedIdentityField(view_name="api-annotation-import-job-detail", help_text="Poll this.")

    class Meta:
        model = AnnotationImportJob
        fields = ("id", "self", "file_name", "file_format", "size", "dry_run", "status", "stage", "done", "total",
                  "result", "requested_by", "created_at", "started_at", "finished_at")  # fmt: skip
        read_only_fields = fields


class AnnotationSerializer(serializers.Serializer):
    """A span as the workspace sees it: code point offsets, the same in
    UTF-16 units for browsers, and whether the caller may change it."""

    id = serializers.IntegerField()
    article = serializers.IntegerField()
    label = serializers.SlugField()
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    start16 = serializers.IntegerField(min_value=0)
    end16 = serializers.IntegerField(min_value=1)
    quote = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    speaker = serializers.CharField(allow_blank=True)
    evidence_url = serializers.CharField(allow_blank=True)
    decision_reason = serializers.CharField(allow_blank=True)
    reviewer = serializers.CharField()
    layer = serializers.ChoiceField(choices=Annotation.Layer.values)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField(min_value=1, help_text="Send it back with a change to refuse stale edits.")
    article_version = serializers.IntegerField(min_value=1, help_text="The article version the offsets count in.")
    anchor_state = serializers.ChoiceField(
        choices=["exact", "moved", "fuzzy"],
        help_text="exact or moved: in place; fuzzy: moved onto edited words by a new version, not yet confirmed.",
    )
    client_id = serializers.UUIDField(allow_null=True, help_text="The id the client made when creating the span.")
    can_change = serializers.BooleanField()

    def to_representation(self, instance):
        return instance  # views pass the payload dicts themselves


class SpanTextSerializer(serializers.Serializer):
    """The free text a span carries, with the workspace's limits."""

    note = serializers.CharField(
        required=False, allow_blank=True, max_length=SPAN_TEXT_LIMITS["note"], trim_whitespace=False
    )
    speaker = serializers.CharField(required=False, allow_blank=True, max_length=SPAN_TEXT_LIMITS["speaker"])
    evidence_url = serializers.CharField(required=False, allow_blank=True, max_length=SPAN_TEXT_LIMITS["evidence_url"])
    decision_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=SPAN_TEXT_LIMITS["decision_reason"]
    )


class AnnotationCreateSerializer(SpanTextSerializer):
    """Give ``start``/``end`` in code points, or ``start16``/``end16`` in
    UTF-16 units (what a browser selection reports); ``quote`` must be the
    text between them exactly. Leads add to the consensus with
    ``layer: "consensus"`` and an optional ``decision_reason``."""

    article = serializers.IntegerField(min_value=1)
    client_id = serializers.UUIDField(
        required=False, help_text="A UUID the client makes per new span: resending it returns the same span."
    )
    label = serializers.SlugField()
    start = serializers.IntegerField(required=False, min_value=0)
    end = serializers.IntegerField(required=False, min_value=1)
    start16 = serializers.IntegerField(required=False, min_value=0)
    end16 = serializers.IntegerField(required=False, min_value=1)
    quote = serializers.CharField(trim_whitespace=False)
    layer = serializers.ChoiceField(choices=Annotation.Layer.values, required=False)


class AnnotationChangeSerializer(SpanTextSerializer):
    """Offsets never change (delete and re-create the span instead). With
    ``version``, the change is refused with 409 (and the span as it is now)
    if someone changed the span since the caller read it."""

    version = serializers.IntegerField(required=False, min_value=1)
    label = serializers.SlugField(required=False)


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.CharField()
    who = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True, allow_null=True, default=None)
    article_title = serializers.CharField(source="article.title", read_only=True)

    class Meta:
        model = Assignment
        fields = ("id", "article", "article_title", "reviewer", "status", "assigned_by", "assigned_at", "submitted_at")
        read_only_fields = fields


class AssignmentCreateSerializer(serializers.Serializer):
    articles = serializers.PrimaryKeyRelatedField(queryset=Article.objects.defer("text"), many=True, allow_empty=False)
    reviewers = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(permissions.assignable_reviewers()),
        many=True,
        allow_empty=False,
        help_text="Usernames of active members of the Reviewer group.",
    )
    per_article = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class AssignmentCreateResultSerializer(serializers.Serializer):
    created = AssignmentSerializer(many=True)
    already_existed = serializers.IntegerField()


class AnnotationImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    keep_authors = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Staff restoring data: take each span's reviewer and times from the file (else refused).",
    )
    format = serializers.ChoiceField(choices=IMPORT_FORMATS)
    dry_run = serializers.BooleanField(required=False, default=False)
    background = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Import in the background (202 with a job to follow), whatever the size; a file over "
        "ANNOTATION_IMPORT_BACKGROUND_BYTES always is.",
    )
    reviewer = serializers.CharField(
        required=False, allow_blank=True, help_text="w3c/doccano/labelstudio: default author."
    )
    source = serializers.CharField(
        required=False, allow_blank=True, help_text="doccano/labelstudio: outlet for new articles."
    )
    user_map = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="labelstudio/hypothesis: THEIRS=USERNAME, an annotator's id, email or account; one each.",
    )
    label_map = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="labelstudio/hypothesis: THEIRS=SLUG, a label or tag of the file's and ours; one each.",
    )

    def validate_user_map(self, entries: list[str]) -> dict[str, str]:
        return _name_map(entries, "user_map")

    def validate_label_map(self, entries: list[str]) -> dict[str, str]:
        return _name_map(entries, "label_map")


def _name_map(entries: list[str], option: str) -> dict[str, str]:
    try:
        return name_map(entries, option=option)
    except ValueError as error:
        raise serializers.ValidationError(str(error)) from None


class ImportReportSerializer(serializers.Serializer):
    summary = serializers.CharField()
    written = serializers.BooleanField()
    total = serializers.IntegerField()
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class FigureSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    units = serializers.IntegerField()
    spans = serializers.IntegerField()
    warning = serializers.CharField(allow_null=True)


class PairSerializer(serializers.Serializer):
    reviewer_a = serializers.CharField()
    reviewer_b = serializers.CharField()
    exact_f1 = FigureSerializer()
    overlap_f1 = FigureSerializer()
    exact_matches = serializers.IntegerField()
    overlap_matches = serializers.IntegerField()
    label_disagreements = serializers.IntegerField()
    boundary_disagreements = serializers.IntegerField()
    unmatched = serializers.IntegerField()


class AgreementSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    available = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    reviewers = serializers.ListField(child=serializers.CharField())
    alpha = FigureSerializer(allow_null=True)
    alpha_by_label = serializers.DictField(child=FigureSerializer())
    pairs = PairSerializer(many=True)


class ReportSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())
