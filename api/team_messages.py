"""``/api/team-messages/``: residents' messages to their neighbourhood team (issue 20).

Reads start from ``jps.selectors.team_messages_visible_to`` (the team's: anyone else, partners
included, gets an empty list and a 404); ``?state=`` filters (``new``, ``assigned``, ``answered``,
``closed``), ``?mine=1`` the ones assigned to the caller. Every message returned shows its sender, so
every list page and detail is written to the access log (``services.team_message_views_record``).
``assign``, ``reply`` and ``close`` call ``jps.services``, which check ``jps.rules`` and the state (a
change the state no longer allows is a 400). Mounted by one ``include`` in ``api/urls.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from jps import selectors, services
from jps.models import ProblemView, TeamMessage, TeamMessageReply
from jps.residents.inbox import team_members

from .base import BaseViewSet


class TeamMessageReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamMessageReply
        fields = ["id", "kind", "author", "body", "created_at", "sent_at"]
        read_only_fields = fields


class TeamMessageSerializer(serializers.ModelSerializer):
    neighbourhood_name = serializers.CharField(source="neighbourhood.display_name", read_only=True)
    replies = TeamMessageReplySerializer(many=True, read_only=True)

    class Meta:
        model = TeamMessage
        fields = ["id", "reference", "neighbourhood", "neighbourhood_name", "sender_name", "sender_email", "topic",
                  "subject", "body", "received_at", "state", "assigned_to", "first_response_at", "answered_by",
                  "close_reason", "close_note", "closed_at", "closed_by", "replies"]  # fmt: skip
        read_only_fields = fields


class TeamMessageAssignSerializer(serializers.Serializer):
    assigned_to = serializers.IntegerField(help_text="A user in the message's neighbourhood team.")


class TeamMessageAnswerSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000, help_text="Emailed to the sender as written.")


class TeamMessageCloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=TeamMessage.CloseReason.choices, required=False, help_text="Required unless the message is answered."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


_DETAIL = {200: TeamMessageSerializer}


@extend_schema_view(
    list=extend_schema(summary="Messages to your neighbourhood team (?state=, ?mine=1)"),
    retrieve=extend_schema(summary="One message to your team"),
)
class TeamMessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = TeamMessageSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[TeamMessage]:
        found = (
            selectors.team_messages_visible_to(self.request.user)
            .prefetch_related("replies")
            .order_by("received_at", "id")
        )
        wanted = self.request.query_params.get("state")
        if wanted in TeamMessage.State.values:
            found = found.filter(state=wanted)
        if self.request.query_params.get("mine") == "1":
            found = found.filter(assigned_to=self.request.user)
        return found

    def _logged(self, ids: list[int]) -> None:
        services.team_message_views_record(
            user=self.request.user,
            message_ids=ids,
            channel=ProblemView.Channel.API,
            request_id=getattr(self.request, "request_id", ""),
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else response.data
        self._logged([row["id"] for row in rows])
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        self._logged([response.data["id"]])
        return response

    def _detail(self, message: TeamMessage, code: int = 200) -> Response:
        self._logged([message.pk])
        return self.respond(TeamMessageSerializer, self.get_queryset().get(pk=message.pk), code)

    @extend_schema(request=TeamMessageAssignSerializer, responses=_DETAIL)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        """Assign to someone in the neighbourhood's team (yourself included)."""
        message = self.get_object()
        to = (
            team_members(message.neighbourhood)
            .filter(pk=self.validated(TeamMessageAssignSerializer)["assigned_to"])
            .first()
        )
        if to is None:
            raise ValidationError({"assigned_to": ["Choose someone in this neighbourhood's team."]})
        services.team_message_assign(message=message, by=request.user, to=to)
        return self._detail(message)

    @extend_schema(request=TeamMessageAnswerSerializer, responses={201: TeamMessageSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str) -> Response:
        """Reply to the sender: recorded, and emailed from JPS (Reply-To the team's address)."""
        message = self.get_object()
        services.team_message_reply(message=message, by=request.user, **self.validated(TeamMessageAnswerSerializer))
        return self._detail(message, status.HTTP_201_CREATED)

    @extend_schema(request=TeamMessageCloseSerializer, responses=_DETAIL)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close: once answered, or without a reply with a reason (spam, a duplicate...)."""
        message = self.get_object()
        services.team_message_close(message=message, by=request.user, **self.validated(TeamMessageCloseSerializer))
        return self._detail(message)


router = DefaultRouter()
router.include_root_view = False
router.register("team-messages", TeamMessageViewSet, basename="team-message")
urlpatterns = router.urls
