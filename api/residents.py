"""``/api/resident-reports/``: residents' reports for their neighbourhood's team (issue 20).

Reads start from ``jps.selectors.resident_reports_visible_to`` (the team's: anyone else gets an empty
list and a 404, partners, call handlers and other districts included); ``?status=new`` is the triage
queue. ``accept``, ``attach`` and ``decline`` call ``jps.services``, which check ``jps.rules`` and that
the report is still new (a second decision is a 400). Photos are listed by id, never by URL: the staff
interface streams them to the team. Every answer that shows a named report (the list's page, one
report, a decision's answer) is written to the access log (``services.resident_report_views_record``).
Mounted by one ``include`` in ``api/urls.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from jps import selectors, services
from jps.models import ProblemView, ResidentReport

from .base import BaseViewSet


class ResidentReportSerializer(serializers.ModelSerializer):
    neighbourhood_name = serializers.CharField(source="neighbourhood.display_name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    problem_reference = serializers.CharField(source="problem.reference", allow_null=True, default=None)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = ResidentReport
        fields = ["id", "reference", "channel", "status", "neighbourhood", "neighbourhood_name", "category",
                  "category_name", "description", "location", "latitude", "longitude", "reporter_name",
                  "reporter_email", "problem", "problem_reference", "decline_reason", "triaged_by", "triaged_at",
                  "fixed", "feedback", "feedback_at", "photos", "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_photos(self, obj: ResidentReport) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class AcceptSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)


class AttachSerializer(serializers.Serializer):
    problem = serializers.IntegerField(help_text="An open problem you can see, in the report's district.")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Emailed to the resident as written.")


_DETAIL = {200: ResidentReportSerializer}


@extend_schema_view(
    list=extend_schema(summary="Residents' reports of your neighbourhood team (?status=new: the triage queue)"),
    retrieve=extend_schema(summary="One resident report of your team"),
)
class ResidentReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = ResidentReportSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ResidentReport]:
        reports = selectors.resident_reports_visible_to(self.request.user).order_by("created_at", "id")
        wanted = self.request.query_params.get("status")
        return reports.filter(status=wanted) if wanted in ResidentReport.Status.values else reports

    def _shown(self, reports: Any) -> None:
        services.resident_report_views_record(
            user=self.request.user,
            reports=reports,
            channel=ProblemView.Channel.API,
            request_id=getattr(self.request, "request_id", ""),
        )

    def paginate_queryset(self, queryset: QuerySet[ResidentReport]) -> list[ResidentReport] | None:
        page = super().paginate_queryset(queryset)
        self._shown(page if page is not None else queryset)
        return page

    def get_object(self) -> ResidentReport:
        report: ResidentReport = super().get_object()
        self._shown([report])
        return report

    @extend_schema(request=AcceptSerializer, responses={201: ResidentReportSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept as a new problem (source "Resident report"; the reporter its originator and complainant)."""
        report = self.get_object()
        services.resident_report_accept(report=report, by=request.user, **self.validated(AcceptSerializer))
        return self.respond(ResidentReportSerializer, self.get_queryset().get(pk=report.pk), status.HTTP_201_CREATED)

    @extend_schema(request=AttachSerializer, responses=_DETAIL)
    @action(detail=True, methods=["post"])
    def attach(self, request: Request, pk: str) -> Response:
        """Attach to an open problem as a further report of it."""
        report = self.get_object()
        wanted = self.validated(AttachSerializer)["problem"]
        problem = selectors.problems_visible_to(request.user).filter(pk=wanted).first()
        if problem is None:
            raise NotFound()
        services.resident_report_attach(report=report, by=request.user, problem=problem)
        return self.respond(ResidentReportSerializer, self.get_queryset().get(pk=report.pk))

    @extend_schema(request=DeclineSerializer, responses=_DETAIL)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """Decline, with the reason the resident receives by email."""
        report = self.get_object()
        services.resident_report_decline(report=report, by=request.user, **self.validated(DeclineSerializer))
        return self.respond(ResidentReportSerializer, self.get_queryset().get(pk=report.pk))


router = DefaultRouter()
router.include_root_view = False
router.register("resident-reports", ResidentReportViewSet, basename="resident-report")
urlpatterns = router.urls
