"""The reminders sent, read-only, for support ("did the sergeant get told?")."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jps.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "problem", "recipient_key", "period_key", "created_at", "sent_at", "attempts"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient_key", "email", "problem__reference"]
    list_select_related = ["problem"]
    raw_id_fields = ["problem", "action", "recipient"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
