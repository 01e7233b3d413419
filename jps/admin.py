"""Django admin for reference data and support; the audit history is visible on every object."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import models as m


@admin.register(m.Force)
class ForceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "welsh_enabled"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "force", "inspector"]
    list_filter = ["force"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["inspector"]


@admin.register(m.Neighbourhood)
class NeighbourhoodAdmin(SimpleHistoryAdmin):
    list_display = ["name", "public_name", "district", "character"]
    list_filter = ["district__force", "character"]
    search_fields = ["name", "public_name"]
    list_select_related = ["district"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "force", "requires_two_factor"]
    list_filter = ["kind", "force"]
    search_fields = ["name"]


@admin.register(m.User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "role", "agency", "is_active"]
    list_filter = ["role", "is_active", "agency__kind"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["districts", "neighbourhoods"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Work", {"fields": ["agency", "role", "districts", "neighbourhoods"]}))  # type: ignore[misc]


@admin.register(m.Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "group"]
    prepopulated_fields = {"slug": ["name"]}


class ActionInline(admin.TabularInline):
    model = m.Action
    extra = 0
    raw_id_fields = ["assignee", "created_by"]


@admin.register(m.Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    """Read-mostly: stage changes go through the workflow, not the admin."""

    list_display = ["reference", "title", "stage", "neighbourhood", "owner", "next_review_due", "public_priority"]
    list_filter = ["stage", "risk", "public_priority", "district", "category"]
    list_select_related = ["neighbourhood", "owner"]
    search_fields = ["reference", "title"]
    raw_id_fields = ["owner", "neighbourhood", "originator_agency"]
    readonly_fields = ["reference", "stage", "next_review_due", "closed_at", "closed_by", "district", "force"]
    inlines = [ActionInline]

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # problems are never hard-deleted


for model in [
    m.Participation,
    m.Contact,
    m.Analysis,
    m.Assessment,
    m.SupervisoryReview,
    m.ProgressUpdate,
    m.Evaluation,
    m.LearningNeed,
]:
    admin.site.register(model, SimpleHistoryAdmin)
admin.site.register([m.Transfer, m.BestPracticeTag])


@admin.register(m.ProblemView)
class ProblemViewAdmin(admin.ModelAdmin):
    """Searchable, never editable: the access log is append-only, administrators included."""

    list_display = ["at", "user", "problem", "channel", "request_id"]
    list_filter = ["channel"]
    search_fields = ["user__username", "problem__reference"]
    list_select_related = ["user", "problem"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
