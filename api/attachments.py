"""Attachments on ``/api/problems/{id}/attachments/``: list, upload (multipart), download, remove.

Thin, like the rest of the API: the problem is looked up in the user's scope (out of sight: 404),
the attachment within what ``jps.attachments.rules`` lets the user see (else 404, never telling
which). Uploads are ``multipart/form-data``; ``jps.attachments.services`` checks permission, size,
count and type (by content) and re-encodes images; its ``ValidationError`` is a 400 naming the field.
A download streams the file as an attachment with ``nosniff``, and goes into the access log.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from jps import selectors
from jps.attachments import selectors as attachment_selectors
from jps.attachments import services as attachment_services
from jps.attachments.responses import attachment_response
from jps.models import Action, Attachment, Problem, ProblemView, ResidentReport

from .base import BaseViewSet


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.StringRelatedField()
    published = serializers.SerializerMethodField(help_text="Published on the public site with a public update.")

    class Meta:
        model = Attachment
        fields = ["id", "problem", "action", "resident_report", "original_name", "content_type", "size", "kind",
                  "description", "shared_with_partners", "uploaded_by", "uploaded_at", "published"]  # fmt: skip
        read_only_fields = fields

    def get_published(self, obj: Attachment) -> bool:
        return obj.public_update_id is not None


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="An image (re-encoded, metadata removed) or a PDF/DOCX/XLSX/ODT/ODS/CSV/TXT."
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    action = serializers.IntegerField(required=False, allow_null=True, help_text="An action on this problem.")
    resident_report = serializers.IntegerField(
        required=False, allow_null=True, help_text="A resident's report attached to this problem."
    )
    shared_with_partners = serializers.BooleanField(required=False, default=False)


class AttachmentRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the file is removed (kept in its history).")


_PROBLEM = OpenApiParameter("problem_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The problem's id.")
_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The attachment's id.")


@extend_schema_view(
    list=extend_schema(summary="The problem's attachments the user may see", parameters=[_PROBLEM]),
    create=extend_schema(
        summary="Add a photo or document (multipart/form-data)",
        parameters=[_PROBLEM],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    ),
    retrieve=extend_schema(summary="One attachment's details", parameters=[_PROBLEM, _ID]),
)
class ProblemAttachmentsViewSet(BaseViewSet):
    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = None  # type: ignore[assignment]
    filter_backends: list[Any] = []
    lookup_value_regex = r"[0-9]{1,18}"

    def problem(self) -> Problem:
        try:
            return selectors.problem_get_for(self.request.user, self.kwargs["problem_pk"])
        except (Problem.DoesNotExist, ValueError):
            raise NotFound() from None

    def attachment(self, problem: Problem) -> Attachment:
        try:
            found = attachment_selectors.attachment_get_for(
                self.request.user, problem_id=problem.pk, pk=self.kwargs["pk"]
            )
        except (Attachment.DoesNotExist, ValueError):
            raise NotFound() from None
        if found.is_removed:
            raise NotFound()
        return found

    def list(self, request: Request, problem_pk: str) -> Response:
        problem = self.problem()
        rows = attachment_selectors.attachments_for(request.user, problem)
        return Response(AttachmentSerializer(rows, many=True).data)

    def retrieve(self, request: Request, problem_pk: str, pk: str) -> Response:
        return Response(AttachmentSerializer(self.attachment(self.problem())).data)

    def create(self, request: Request, problem_pk: str) -> Response:
        problem = self.problem()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        attachment = attachment_services.attachment_add(
            problem=problem,
            by=request.user,
            upload=upload,
            filename=upload.name,
            size=upload.size,
            description=data["description"],
            action=_on_problem(Action, problem, data.get("action"), "action"),
            resident_report=_on_problem(ResidentReport, problem, data.get("resident_report"), "resident_report"),
            shared_with_partners=data["shared_with_partners"],
        )
        return Response(AttachmentSerializer(attachment).data, status=201)

    @extend_schema(
        summary="Remove an attachment (its file is deleted; the removal is kept in its history)",
        parameters=[_PROBLEM, _ID],
        request=AttachmentRemoveSerializer,
        responses={204: None},
    )
    def destroy(self, request: Request, problem_pk: str, pk: str) -> Response:
        attachment = self.attachment(self.problem())
        serializer = AttachmentRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment_services.attachment_remove(
            attachment=attachment, by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(status=204)

    @extend_schema(
        summary="Download the file (logged in the access log)",
        parameters=[_PROBLEM, _ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file's bytes; its type is the attachment's content_type."
            )
        },
    )
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request: Request, problem_pk: str, pk: str) -> Any:
        attachment = self.attachment(self.problem())
        handle = attachment_services.attachment_open(
            attachment=attachment, by=request.user, channel=ProblemView.Channel.FILE,
            request_id=getattr(request, "request_id", ""),
        )  # fmt: skip
        response = attachment_response(handle, attachment)
        response["Content-Type"] = "application/octet-stream"  # the type is the metadata's content_type
        return response


def _on_problem(model: Any, problem: Problem, pk: int | None, field: str) -> Any:
    """The action or resident's report ``pk`` on this problem, or None; another problem's is a 400."""
    if pk is None:
        return None
    found = model.objects.filter(problem=problem, pk=pk).first()
    if found is None:
        raise serializers.ValidationError({field: ["Not on this problem."]})
    return found
