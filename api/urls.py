"""The REST API, mounted at /api/ (see docs/api.md)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from . import views
from .attachments import ProblemAttachmentsViewSet
from .contacts import ProblemContactsViewSet
from .meetings import MeetingViewSet
from .people import PersonViewSet, PlaceViewSet, ProblemPeopleViewSet, ProblemPlacesViewSet
from .police_uk import locate_neighbourhood
from .risk import RiskAssessmentViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("problems", views.ProblemViewSet, basename="problem")
router.register("actions", views.ActionViewSet, basename="action")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("updates", views.ProgressUpdateViewSet, basename="update")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("neighbourhoods", views.NeighbourhoodViewSet, basename="neighbourhood")
router.register("districts", views.DistrictViewSet, basename="district")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("people", PersonViewSet, basename="person")
router.register("places", PlaceViewSet, basename="place")
router.register("risk-assessments", RiskAssessmentViewSet, basename="risk-assessment")
router.register(r"problems/(?P<problem_pk>[0-9]{1,18})/people", ProblemPeopleViewSet, basename="problem-person")
router.register(r"problems/(?P<problem_pk>[0-9]{1,18})/places", ProblemPlacesViewSet, basename="problem-place")
router.register(r"problems/(?P<problem_pk>[0-9]{1,18})/contacts", ProblemContactsViewSet, basename="problem-contact")
router.register(
    r"problems/(?P<problem_pk>[0-9]{1,18})/attachments", ProblemAttachmentsViewSet, basename="problem-attachment"
)

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("locate-neighbourhood", locate_neighbourhood, name="api-locate-neighbourhood"),  # data.police.uk's
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path(
        "docs/",
        # The split view serves Swagger UI's start-up script as its own response (?script), so the
        # page needs no inline script under the Content Security Policy; the template drops the inline style.
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", permission_classes=[AllowAny], template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("", include("api.case_reviews")),
    path("", include("api.panels")),
    path("", include("api.webhooks")),
    path("", include("api.residents")),
    path("", include("api.team_messages")),  # residents' messages to the neighbourhood team (issue 20)
    path("", include(router.urls)),
]
