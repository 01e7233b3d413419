"""What every viewset of the API shares: JSON in and out, throttled writes, stable and keyset pages,
objects looked up in the user's scope, and fields a write does not take refused by name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from jps import selectors
from jps.db_router import replica_reads
from jps.security import refused

from . import filters
from .permissions import WriteThrottle, exception_handler


def _field_default(model: type[Model], name: str) -> Any:
    """The default of a concrete field (what a PUT that leaves the field out sets it back to)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field.get_default()


class StablePagination(PageNumberPagination):
    """Numbered pages over a total ordering (every ordering ends with the id)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class KeysetPagination(CursorPagination):
    """Keyset pages: ``WHERE (sort key) < (last row's key) LIMIT n``, as fast at any depth as on page one."""

    page_size = StablePagination.page_size
    page_size_query_param = "page_size"
    max_page_size = StablePagination.max_page_size
    ordering = "-created_at"
    KEYS = ("created_at", "updated_at")

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        """Newest first, or ``?ordering=`` by ``created_at`` or ``updated_at`` (either way), ties by id.

        A keyset needs a sort key that is never null: other orderings are a 400 with a cursor.
        """
        requested = filters.StableOrderingFilter().get_ordering(request, queryset, view) or [self.ordering]
        first = requested[0]
        if first.lstrip("-") not in self.KEYS:
            message = f"With a cursor, order by one of: {', '.join(self.KEYS)}."
            raise drf_exceptions.ValidationError({"ordering": [message]})
        return (first, "-id" if first.startswith("-") else "id")


class ProblemPagination(StablePagination):
    """Numbered pages with a count, or, with ``?cursor=`` (empty for the first page), keyset pages.

    A numbered page N makes the database count every visible problem and skip (N-1) x size
    rows; keyset pages do neither, so a client walking a national list (an initial sync)
    follows ``next`` instead. Both answer ``{"count", "next", "previous", "results"}``;
    ``count`` is null on keyset pages.
    """

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any] | None:
        self.keyset: KeysetPagination | None = None
        if self.cursor_query_param in request.query_params:
            self.keyset = KeysetPagination()
            return self.keyset.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self.keyset is not None:
            return Response(
                {
                    "count": None,
                    "next": self.keyset.get_next_link(),
                    "previous": self.keyset.get_previous_link(),
                    "results": data,
                }
            )
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "Problems in the list; null on keyset pages (?cursor=).",
        }
        return paginated

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Keyset paging: empty for the first page, then follow `next`. Fast at any depth.",
                "schema": {"type": "string"},
            },
        ]


class BaseViewSet(viewsets.GenericViewSet):
    """JSON in, JSON out; writes throttled; domain exceptions mapped to 400/403/409."""

    parser_classes = [JSONParser]
    throttle_classes = [WriteThrottle]
    pagination_class = StablePagination
    filter_backends = [DjangoFilterBackend, filters.StableOrderingFilter]
    ordering_fields: list[str] = []
    ordering: list[str] = ["id"]

    #: A list asked with one of these is a partner's incremental sync, which can be a second old:
    #: it may read the replica (jps/db_router.py). Authentication has read the primary by then.
    replica_list_params = ("updated_since",)

    def get_exception_handler(self) -> Any:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.action == "list" and any(p in request.query_params for p in self.replica_list_params):
            self.get = replica_reads()(self.get)  # type: ignore[has-type]

    def get_object(self) -> Any:
        """The object by id within the user's scope (filters in the query string do not apply).

        Out of scope is 404 like a missing id, and logged (``selectors.scoped_get``).
        """
        queryset = self.get_queryset()
        try:
            obj = selectors.scoped_get(queryset, user=self.request.user, pk=self.kwargs["pk"])
        except (queryset.model.DoesNotExist, TypeError, ValueError, DjangoValidationError):
            raise NotFound() from None
        self.check_object_permissions(self.request, obj)
        return obj

    def respond(self, serializer_class: type[serializers.BaseSerializer], obj: Any, code: int = 200) -> Response:
        return Response(serializer_class(obj, context=self.get_serializer_context()).data, status=code)

    def validated(self, serializer_class: type[serializers.BaseSerializer], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        refuse_unknown_fields(self.request, serializer)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def refuse_unknown_fields(request: Request, serializer: serializers.BaseSerializer) -> None:
    """A field this operation does not take is a 400 naming it, never silently dropped.

    DRF ignores unknown and read-only fields; for a client that believes it set an owner,
    a lead agency or a public title, that silence is the hole. The attempt is logged too.
    """
    sent = set(request.data) if isinstance(request.data, dict) else set()
    fields = getattr(serializer, "fields", {})
    unknown = sorted(name for name in sent if name not in fields or fields[name].read_only)
    if unknown:
        refused("fields refused", user=request.user, object=request.path, fields=unknown)
        raise drf_exceptions.ValidationError(dict.fromkeys(unknown, ["This field cannot be set here."]))
