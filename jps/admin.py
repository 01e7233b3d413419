"""Django admin for reference data and support; the audit history is visible on every object."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from . import models as m
from . import services, two_factor


def _default_tiers_text() -> str:
    tiers = sorted(m.DEFAULT_REVIEW_TIERS.items(), key=lambda item: (-m.RISK_ORDER.index(item[0][0]), item[1]))
    return "; ".join(f"{m.Risk(risk).label}: {m.Tier(tier).label.lower()} every {days}" for (risk, tier), days in tiers)


class ReviewTierInline(admin.TabularInline):
    """A force's review tiers, on the force's page; each row keeps its history (``ReviewTierAdmin``)."""

    model = m.ReviewTier
    extra = 0
    verbose_name_plural = "review tiers (none: the national default applies)"


@admin.register(m.Force)
class ForceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "welsh_enabled"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ReviewTierInline]


@admin.register(m.ReviewTier)
class ReviewTierAdmin(SimpleHistoryAdmin):
    """Who reviews problems at each risk, how often. A force with no rows follows the national default;
    a force with rows follows its rows alone (the sergeant's cadence falls back to the default)."""

    list_display = ["force", "risk", "tier", "every_days"]
    list_filter = ["force", "risk", "tier"]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        default = f"National default, for forces with no rows — {_default_tiers_text()}"
        return super().changelist_view(request, {"subtitle": default, **(extra_context or {})})


@admin.register(m.District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "force", "inspector", "chief_inspector"]
    list_filter = ["force"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["inspector", "chief_inspector"]


@admin.register(m.Neighbourhood)
class NeighbourhoodAdmin(SimpleHistoryAdmin):
    list_display = ["name", "public_name", "district", "character"]
    list_filter = ["district__force", "character"]
    search_fields = ["name", "public_name"]
    list_select_related = ["district"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "force", "manager", "requires_two_factor"]
    list_filter = ["kind", "force"]
    search_fields = ["name"]
    raw_id_fields = ["manager"]


@admin.register(m.User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "role", "agency", "is_active"]
    list_filter = ["role", "is_active", "agency__kind"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["districts", "neighbourhoods"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Work", {"fields": ["agency", "role", "districts", "neighbourhoods"]}))  # type: ignore[misc]
    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor authentication (they set it up again at next sign-in)")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[m.User]) -> None:
        removed = 0
        try:
            for user in queryset:
                removed += two_factor.two_factor_reset(user=user, by=request.user)  # type: ignore[arg-type]
        except PermissionDenied as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return
        self.message_user(
            request, f"Two-factor authentication reset for {queryset.count()} people ({removed} devices)."
        )


class SuperuserOnly:
    """Two-factor devices are for superusers alone: a device is a way into someone's account."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)


class AuditedTOTPDeviceAdmin(SuperuserOnly, SimpleHistoryAdmin, TOTPDeviceAdmin):
    """django-otp's admin (secrets hidden: OTP_ADMIN_HIDE_SENSITIVE_DATA), superusers only, with history."""


class SuperuserStaticDeviceAdmin(SuperuserOnly, StaticDeviceAdmin):
    pass


for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):  # django-otp's own admin, replaced
        admin.site.unregister(_model)
admin.site.register(TOTPDevice, AuditedTOTPDeviceAdmin)
admin.site.register(StaticDevice, SuperuserStaticDeviceAdmin)


class AccessLoggedAdmin:
    """Change, history and past-version pages of a problem's record go into the access log (channel admin).

    Logged where the page is rendered, after the permission checks, so a refusal or a missing
    object logs nothing: one row per problem the page shows, in one INSERT. Lists show no
    personal data and are not logged.
    """

    def problem_ids_shown(self, obj: Any) -> list[int]:
        """The problems whose personal data this object's page shows."""
        return [obj.problem_id]

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if context.get("original") is not None:  # a change page (an add page has none)
            self._log(request, context["original"])
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]

    def render_history_view(self, request: HttpRequest, template: str, context: dict[str, Any], **kwargs: Any) -> Any:
        """simple-history's history list and past-version pages both render here."""
        shown = context.get("original") or context.get("object")
        if shown is not None:
            self._log(request, shown)
        return super().render_history_view(request, template, context, **kwargs)  # type: ignore[misc]

    def _log(self, request: HttpRequest, obj: Any) -> None:
        services.problem_views_record(
            user=request.user,  # type: ignore[arg-type]
            problem_ids=self.problem_ids_shown(obj),
            channel=m.ProblemView.Channel.ADMIN,
            request_id=getattr(request, "request_id", ""),
        )


@admin.register(m.Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "group"]
    prepopulated_fields = {"slug": ["name"]}


class ActionInline(admin.TabularInline):
    model = m.Action
    extra = 0
    raw_id_fields = ["assignee", "created_by"]


@admin.register(m.Problem)
class ProblemAdmin(AccessLoggedAdmin, SimpleHistoryAdmin):
    """Read-mostly: stage changes go through the workflow, not the admin."""

    list_display = ["reference", "title", "stage", "neighbourhood", "owner", "next_review_due", "public_priority"]
    list_filter = ["stage", "risk", "public_priority", "district", "category"]
    list_select_related = ["neighbourhood", "owner"]
    search_fields = ["reference", "title"]
    raw_id_fields = ["owner", "neighbourhood", "originator_agency"]
    readonly_fields = ["reference", "stage", "next_review_due", "closed_at", "closed_by", "district", "force"]
    inlines = [ActionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # problems are never hard-deleted

    def problem_ids_shown(self, obj: Any) -> list[int]:
        return [obj.pk]


class ProblemPartAdmin(AccessLoggedAdmin, SimpleHistoryAdmin):
    """A part of a problem's case file (contacts, analysis, notes...): its pages are reads of that problem."""


class TransferAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    """A hand-over and its reason: part of the problem's case file, with no history of its own."""


for model in [
    m.Contact,
    m.Analysis,
    m.Assessment,
    m.SupervisoryReview,
    m.ProgressUpdate,
    m.Evaluation,
]:
    admin.site.register(model, ProblemPartAdmin)
for model in [m.Participation, m.LearningNeed]:  # an agency's part, a skill: nothing personal
    admin.site.register(model, SimpleHistoryAdmin)
admin.site.register(m.Transfer, TransferAdmin)


@admin.register(m.ContactLog)
class ContactLogAdmin(AccessLoggedAdmin, SimpleHistoryAdmin):
    """Contacts made with victims and complainants, for support: read-only, since logging one moves the
    agreement's next date (``services.contact_log``). What was said may name people: a read of the problem."""

    list_display = ["contacted_at", "contact", "by", "method", "reached", "final"]
    list_select_related = ["contact__problem", "by"]
    search_fields = ["contact__problem__reference"]

    def problem_ids_shown(self, obj: Any) -> list[int]:
        return [obj.contact.problem_id]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.StageChange)
class StageChangeAdmin(AccessLoggedAdmin, admin.ModelAdmin):
    """A problem's stage changes, for support: read-only, since only the workflow writes them.

    A reason may name people, so a change page is a read of the problem (the access log).
    """

    list_display = ["at", "problem", "from_stage", "to_stage", "by"]
    list_filter = ["to_stage", "force"]
    search_fields = ["problem__reference"]
    list_select_related = ["problem", "by"]
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


admin.site.register(m.BestPracticeTag)


class MeetingItemInline(admin.TabularInline):
    model = m.MeetingItem
    extra = 0
    raw_id_fields = ["problem", "recorded_by"]


@admin.register(m.Meeting)
class MeetingAdmin(AccessLoggedAdmin, SimpleHistoryAdmin):
    list_display = ["title", "starts_at", "status", "residents_attending"]
    list_filter = ["status", "force"]
    search_fields = ["title", "venue"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["chair"]
    filter_horizontal = ["neighbourhoods", "agencies"]
    inlines = [MeetingItemInline]
    # Its online link is published: an address typed without a scheme is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def problem_ids_shown(self, obj: Any) -> list[int]:
        """Its items' internal notes are about problems: each problem with an item is read."""
        items = m.MeetingItem.objects.filter(meeting_id=obj.pk, problem__isnull=False)
        return list(items.values_list("problem_id", flat=True))


@admin.register(m.ProblemView)
class ProblemViewAdmin(admin.ModelAdmin):
    """Searchable, never editable: the access log is append-only, administrators included."""

    list_display = ["at", "user", "problem", "channel", "request_id"]
    list_filter = ["channel"]
    search_fields = ["user__username", "problem__reference"]
    list_select_related = ["user", "problem"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RiskQuestionInline(admin.TabularInline):
    model = m.RiskQuestion
    fields = ["position", "key", "text", "weight"]
    extra = 1
    min_num = 1
    validate_min = True


@admin.register(m.RiskQuestionnaire)
class RiskQuestionnaireAdmin(SimpleHistoryAdmin):
    """A force's victim risk questions and thresholds (no force: the national default).

    A version some assessment was scored against is never changed: saving it saves the changes as the
    force's next version, and the old one stays as it was, with the assessments that used it. The
    latest active version is the one used (``RiskQuestionnaire.for_force``).
    """

    list_display = ["__str__", "force", "version", "medium_threshold", "high_threshold", "is_active", "created_at"]
    list_filter = ["force", "is_active"]
    readonly_fields = ["version", "created_by", "created_at"]
    inlines = [RiskQuestionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.is_used

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and obj.is_used:
            return  # kept or revised in save_related, once it is known whether the questions changed
        if not change:
            obj.version = m.RiskQuestionnaire.next_version(obj.force_id)
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A used version whose questions or thresholds changed is saved as a new version, taking every
        question as posted (changed or not) as rows of its own; turning one off or on changes it in place."""
        obj = form.instance
        if not (change and obj.is_used):
            super().save_related(request, form, formsets, change)
            return
        if not (set(form.changed_data) - {"is_active"} or any(formset.has_changed() for formset in formsets)):
            super().save_model(request, obj, form, change)
            super().save_related(request, form, formsets, change)  # nothing in them changed
            return
        used = obj.version
        obj.pk, obj._state.adding = None, True
        obj.version = m.RiskQuestionnaire.next_version(obj.force_id)
        obj.created_by, obj.created_at = request.user, timezone.now()
        super().save_model(request, obj, form, False)
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # the change message
            for question_form in formset.forms:
                data = question_form.cleaned_data
                if not data or data.get("DELETE") or (data.get("id") is None and not question_form.has_changed()):
                    continue
                fields = {name: data[name] for name in ("position", "key", "text", "weight")}
                formset.new_objects.append(m.RiskQuestion.objects.create(questionnaire=obj, **fields))
        self.message_user(
            request,
            f"Version {used} has been used by risk assessments, so it is kept as it was: "
            f"your changes are version {obj.version}.",
            messages.WARNING,
        )


from .webhooks import admin as _webhook_admin  # noqa: E402, F401  (the endpoints and their log)
