from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .meetings import MeetingViewSet

meetings_router = DefaultRouter()
meetings_router.include_root_view = False
meetings_router.register("meetings", MeetingViewSet, basename="meeting")

urlpatterns: list = [path("", include(meetings_router.urls))]
