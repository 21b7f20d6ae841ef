"""Spans: listed, read, marked, changed and deleted under the workspace's rules."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotate import permissions
from annotate.api import filters, serializers
from annotate.api.views.common import LoginExempt
from annotate.models import Adjudication, Annotation, Article
from annotate.read import history
from annotate.rules import offsets
from annotate.web import workspace
from annotate.web.http import id_from_text


@extend_schema_view(
    list=extend_schema(summary="Spans the caller may see", responses=serializers.AnnotationSerializer(many=True)),
    retrieve=extend_schema(summary="One span", responses=serializers.AnnotationSerializer),
    destroy=extend_schema(
        summary="Delete a span (its author, or a lead for consensus spans)",
        parameters=[
            OpenApiParameter("version", int, description="Only if the span is still at this version (else 409).")
        ],
    ),
)
class AnnotationViewSet(
    LoginExempt,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Spans, under the workspace's rules: a reviewer sees their own spans
    (and colleagues' once they have submitted), the consensus once closed;
    creating, changing and deleting go through annotate/web/workspace.py."""

    filterset_class = filters.AnnotationFilter
    serializer_class = serializers.AnnotationSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Annotation.objects.filter(permissions.annotations_visible_to(self.request.user))
            .select_related("label", "reviewer")
            .order_by("article_id", "start", "end", "id")
        )

    def get_serializer_class(self):
        return {
            "create": serializers.AnnotationCreateSerializer,
            "partial_update": serializers.AnnotationChangeSerializer,
        }.get(self.action, serializers.AnnotationSerializer)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(_payloads(page, request.user))

    def retrieve(self, request, *args, **kwargs):
        annotation = self._visible(kwargs["pk"])
        return Response(_payloads([annotation], request.user)[0])

    @extend_schema(
        summary="Mark a span",
        request=serializers.AnnotationCreateSerializer,
        responses={201: serializers.AnnotationSerializer},
    )
    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            return Response({"error": {"message": "the request body must be a JSON object"}}, status=400)
        data = dict(request.data)
        article_id = data.pop("article", None)
        if isinstance(article_id, bool) or not isinstance(article_id, int):
            return Response({"error": {"message": "article must be an article's id", "field": "article"}}, status=400)
        article = get_object_or_404(Article, pk=article_id)
        payload = workspace.annotation_create_answer(article=article, data=data, user=request.user)
        return Response({"article": article.pk, **payload}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a span's label, note, speaker, evidence or reason",
        request=serializers.AnnotationChangeSerializer,
        responses=serializers.AnnotationSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            return Response({"error": {"message": "the request body must be a JSON object"}}, status=400)
        annotation = self._any(kwargs["pk"])
        payload = workspace.annotation_change_answer(annotation=annotation, data=dict(request.data), user=request.user)
        return Response({"article": annotation.article_id, **payload})

    def destroy(self, request, *args, **kwargs):
        workspace.annotation_delete_from_browser(
            annotation=self._any(kwargs["pk"]), user=request.user, version=request.query_params.get("version")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Every version of a span (leads)", responses=serializers.HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def history(self, request, pk=None):
        annotation = self._any(pk)
        permissions.require_history_visible(request.user, annotation)
        return Response(history.annotation_history(annotation))

    def _any(self, pk) -> Annotation:
        """The span whatever the caller may see; the workspace functions (and
        permissions.require_history_visible) decide between 404 and 403 as
        the page does."""
        pk = id_from_text(str(pk))
        if pk is None:
            raise Http404
        return get_object_or_404(Annotation.objects.select_related("article", "label", "reviewer"), pk=pk)

    def _visible(self, pk) -> Annotation:
        annotation = self._any(pk)
        if not permissions.can_see_annotation(self.request.user, annotation):
            raise Http404("No such annotation.")
        return annotation


def _payloads(annotations, user) -> list[dict]:
    """``workspace.annotation_payload`` for many spans in three queries:
    the articles' texts (for UTF-16 offsets), the caller's assignment
    statuses and which articles are adjudicated."""
    annotations = list(annotations)
    article_ids = {a.article_id for a in annotations}
    texts = dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "text")) if article_ids else {}
    statuses = permissions.assignment_statuses(user, article_ids)
    adjudicated = (
        set(Adjudication.objects.filter(article_id__in=article_ids).values_list("article_id", flat=True))
        if article_ids
        else set()
    )
    maps = {pk: offsets.Utf16Map(text) for pk, text in texts.items()}
    return [
        {
            "article": a.article_id,
            **workspace.annotation_payload(
                a, maps[a.article_id], user, status=statuses.get(a.article_id), adjudicated=a.article_id in adjudicated
            ),
        }
        for a in annotations
    ]
