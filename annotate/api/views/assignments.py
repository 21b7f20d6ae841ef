"""Assignments: listed, made (leads), submitted and reopened (leads)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from annotate import permissions
from annotate.actions import assignments
from annotate.api import filters, serializers
from annotate.api.views.common import LoginExempt, require_lead
from annotate.models import Assignment


class AssignmentViewSet(LoginExempt, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reviewers see their own assignments; leads see and make everyone's."""

    filterset_class = filters.AssignmentFilter
    serializer_class = serializers.AssignmentSerializer

    def get_queryset(self):
        return (
            Assignment.objects.filter(permissions.assignments_visible_to(self.request.user))
            .select_related("reviewer", "assigned_by", "article")
            .defer("article__text")
            .order_by("id")
        )

    def get_serializer_class(self):
        return serializers.AssignmentCreateSerializer if self.action == "create" else serializers.AssignmentSerializer

    @extend_schema(
        summary="Assign articles to reviewers (leads)",
        request=serializers.AssignmentCreateSerializer,
        responses={201: serializers.AssignmentCreateResultSerializer},
    )
    def create(self, request, *args, **kwargs):
        require_lead(request.user, "assign articles")
        data = serializers.AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made, skipped = assignments.assignments_create(
            articles=data.validated_data["articles"],
            reviewers=data.validated_data["reviewers"],
            per_article=data.validated_data.get("per_article"),
            assigned_by=request.user,
        )
        made = Assignment.objects.filter(pk__in=[a.pk for a in made]).select_related(
            "reviewer", "assigned_by", "article"
        )
        body = {"created": serializers.AssignmentSerializer(made, many=True).data, "already_existed": skipped}
        return Response(body, status=201)

    @extend_schema(
        summary="Submit your review of the article", request=None, responses=serializers.AssignmentSerializer
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        assignment = self.get_object()
        assignments.assignment_submit(assignment, user=request.user)
        return Response(serializers.AssignmentSerializer(assignment).data)

    @extend_schema(
        summary="Reopen a submitted review (leads)", request=None, responses=serializers.AssignmentSerializer
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        require_lead(request.user, "reopen a submitted article")
        assignment = self.get_object()
        assignments.assignment_reopen(assignment, user=request.user)
        return Response(serializers.AssignmentSerializer(assignment).data)
