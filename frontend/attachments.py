"""Staff pages for attachments (issue 20): add a photo or document, download it, remove it, and a web
editor's approval of a public update with one of the problem's photos.

Thin: ``jps.attachments.services`` checks permissions, sizes and types and writes; the selectors
scope every read. Files are never linked from storage: every download comes through ``download``,
which checks the user may see the file, logs the read and streams it as an attachment (or, for an
image we re-encoded, inline with ``?inline=1``, for thumbnails), with ``nosniff`` and no caching.
Mounted under ``/problems/<id>/attachments/`` (and the photo approval under ``/updates/``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from jps import selectors, services
from jps.attachments import selectors as attachment_selectors
from jps.attachments import services as attachment_services
from jps.attachments.responses import attachment_response
from jps.models import Action, Attachment, Problem

from .forms import UpdateDecideForm, add_service_errors
from .govuk_forms import GovukForm
from .http import AuthedHttpRequest
from .views import problem_for

T = "frontend/attachments/"


class _ActionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Action) -> str:
        return f"{obj.get_action_type_display()}: {obj.description[:60]} ({obj.agency.name})"


class _PhotoChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Attachment) -> str:
        return obj.description or obj.original_name


class AttachmentForm(GovukForm, forms.Form):
    govuk_messages = {"file": {"required": "Choose a file to add"}}

    file = forms.FileField(label="File", allow_empty_file=False)
    description = forms.CharField(
        max_length=300, required=False, label="Description (optional)", help_text="What it shows or is."
    )
    action = _ActionChoice(queryset=Action.objects.none(), required=False, label="On an action (optional)")
    shared_with_partners = forms.BooleanField(
        required=False, label="Share with the partner agencies on this problem", help_text="Never a victim's document."
    )

    def __init__(self, *args: Any, problem: Problem, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = actions_user_may_update(user, problem)
        field = self.fields["action"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Action.objects.filter(pk__in=[a.pk for a in actions]).select_related("agency")
        if user.role == user.Role.PARTNER:
            field.required = True
            field.label = "On your agency's action"
            del self.fields["shared_with_partners"]


def actions_user_may_update(user: Any, problem: Problem) -> list[Action]:
    """The problem's actions ``user`` may update, asking ``jps.update_action`` once per agency, not per action:
    the rule looks at an action's problem (here, one) and its agency only, so the page's queries do not
    grow with its actions."""
    actions = list(problem.actions.select_related("agency"))
    allowed: dict[int, bool] = {}
    for action in actions:
        action.problem = problem
        if action.agency_id not in allowed:
            allowed[action.agency_id] = user.has_perm("jps.update_action", action)
    return [a for a in actions if allowed[a.agency_id]]


def may_add(user: Any, problem: Problem) -> bool:
    """May ``user`` add a file here: working the problem, or updating one of its actions (a partner's own)."""
    return user.has_perm("jps.work_problem", problem) or bool(actions_user_may_update(user, problem))


def panel(request: AuthedHttpRequest, problem: Problem) -> dict[str, Any]:
    """The problem page's "Attachments" section: the files the user may see, and the form to add one."""
    user = request.user
    adding = may_add(user, problem)
    return {
        "attachments": list(attachment_selectors.attachments_for(user, problem)),
        "attachment_form": AttachmentForm(problem=problem, user=user) if adding else None,
        "may_work": user.has_perm("jps.work_problem", problem),
    }


@login_required
def page(request: AuthedHttpRequest, pk: int, *, form: AttachmentForm | None = None, status: int = 200) -> HttpResponse:
    problem = problem_for(request, pk)
    context = {"problem": problem, **panel(request, problem)}
    if form is not None:
        context["attachment_form"] = form
    return render(request, T + "page.html", context, status=status)


@login_required
@require_POST
def upload(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    problem = problem_for(request, pk)
    form = AttachmentForm(request.POST, request.FILES, problem=problem, user=request.user)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            attachment_services.attachment_add(
                problem=problem,
                by=request.user,
                upload=file,
                filename=file.name,
                size=file.size,
                description=form.cleaned_data["description"],
                action=form.cleaned_data["action"],
                shared_with_partners=form.cleaned_data.get("shared_with_partners", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{file.name} added.")
            return redirect(reverse("problem", args=[pk]) + "#attachments")
    return page(request, pk, form=form, status=400)


def _attachment(request: AuthedHttpRequest, pk: int, attachment_pk: int) -> Attachment:
    """An attachment of problem ``pk`` the user may see; a 404 for anything else (never telling which)."""
    try:
        return attachment_selectors.attachment_get_for(request.user, problem_id=pk, pk=attachment_pk)
    except Attachment.DoesNotExist as missing:
        raise Http404("No such file, or you cannot see it.") from missing


@login_required
def download(request: AuthedHttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = _attachment(request, pk, attachment_pk)
    if attachment.is_removed:
        raise Http404("This file was removed.")
    handle = attachment_services.attachment_open(
        attachment=attachment, by=request.user, request_id=getattr(request, "request_id", "")
    )
    inline = attachment.kind == Attachment.Kind.IMAGE and request.GET.get("inline") == "1"
    return attachment_response(handle, attachment, inline=inline)


class RemoveForm(GovukForm, forms.Form):
    govuk_messages = {"reason": {"required": "Say why the file is removed"}}
    reason = forms.CharField(max_length=500, label="Why remove it?", widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def remove(request: AuthedHttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = _attachment(request, pk, attachment_pk)
    if attachment.is_removed:
        raise Http404("This file was removed.")
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment_services.attachment_remove(
                attachment=attachment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{attachment.original_name} removed.")
            return redirect(reverse("problem", args=[pk]) + "#attachments")
    return render(request, T + "remove.html", {"attachment": attachment, "form": form})


class PhotoApproveForm(UpdateDecideForm):
    """Approve a public update with one of the problem's photos (chosen here) and its alt text."""

    govuk_messages = {"photo": {"required": "Choose the photo to publish"}}

    photo = _PhotoChoice(queryset=Attachment.objects.none(), widget=forms.RadioSelect, label="Photo")
    photo_alt = forms.CharField(
        max_length=250, label="Describe the photo", help_text="For people who cannot see it: what it shows."
    )

    def __init__(self, *args: Any, photos: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["photo"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = photos
        self.fields["decision"].required = False


@login_required
def update_photo(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A web editor approves a public update and publishes one of the problem's photos with it."""
    update = get_object_or_404(selectors.updates_awaiting_approval(user=request.user), pk=pk)
    photos = attachment_selectors.photos_to_publish(request.user, update)
    form = PhotoApproveForm(request.POST or None, photos=photos, initial={"public_text": update.text})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.update_decide(
                    update=update, by=request.user, approve=True, public_text=form.cleaned_data["public_text"]
                )
                attachment_services.attachment_publish(
                    attachment=form.cleaned_data["photo"],
                    update=update,
                    by=request.user,
                    alt_text=form.cleaned_data["photo_alt"],
                )
        except ValidationError as error:
            update.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, f"Update on {update.problem.reference} approved with a photo.")
            return redirect("home")
    return render(request, T + "update_photo.html", {"update": update, "form": form, "photos": list(photos)})


urlpatterns = [
    path("", page, name="attachments"),
    path("add/", upload, name="attachment_add"),
    path("<int:attachment_pk>/", download, name="attachment_download"),
    path("<int:attachment_pk>/remove/", remove, name="attachment_remove"),
]
update_urlpatterns = [path("<int:pk>/photo/", update_photo, name="update_photo")]
