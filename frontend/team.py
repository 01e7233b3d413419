"""The public team page and the Pledge, for staff (issue 20).

- "Your entry on the team page" (``/team/me/``): an officer or PCSO gives or withdraws consent to be
  named, sets their rank, and uploads or removes their photo (shown back to them from storage, never
  from a public URL).
- A neighbourhood's team details (``/neighbourhoods/<id>/team/``): the team email and "where to
  find us", in English and Welsh; its district's supervisors and the force's web editors.
- "Explain the Pledge" (``/pledge/``): a supervisor's months missed without an explanation, each with
  its form. Every write is one service call; a refusal is a 403, a neighbourhood out of scope a 404.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from jps import selectors, services
from jps.models import Neighbourhood, User
from jps.models.fields import REASON
from jps.pledge.commitments import commitment_by_slug
from jps.pledge.selectors import PledgeMiss

from .forms import add_service_errors
from .govuk_forms import GovukForm
from .http import AuthedHttpRequest

T = "frontend/team/"


class TeamEntryForm(GovukForm, forms.Form):
    publish = forms.BooleanField(
        required=False,
        label="Name me, with my rank and photo, on my neighbourhoods' public pages",
        help_text="You can withdraw this at any time: your name and photo then leave the public site at once.",
    )
    rank = forms.CharField(
        required=False, max_length=60, label="Rank or title residents see", help_text="For example PCSO, PC, Sergeant."
    )


class TeamPhotoForm(GovukForm, forms.Form):
    govuk_messages = {"photo": {"required": "Choose a photo to upload"}}

    photo = forms.FileField(
        label="Your photo",
        help_text="A JPG, PNG, WEBP or GIF. Location and camera details are removed when it is stored.",
        widget=forms.FileInput(attrs={"accept": "image/*", "class": "govuk-file-upload"}),
    )


class TeamDetailsForm(GovukForm, forms.Form):
    team_email = forms.EmailField(required=False, label="Team email", help_text="Published: the team's shared address.")
    team_base = forms.CharField(
        required=False,
        max_length=1000,
        label="Where to find us",
        help_text="Published: the police station or office, surgeries and opening hours. No personal details.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    team_base_cy = forms.CharField(
        required=False,
        max_length=1000,
        label="Where to find us, in Welsh",
        help_text="Shown on the Welsh page; when empty the Welsh page shows the English.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ExplanationForm(GovukForm, forms.Form):
    govuk_messages = {"text": {"required": "Enter why the commitment was not met"}}

    neighbourhood = forms.IntegerField(widget=forms.HiddenInput)
    commitment = forms.CharField(widget=forms.HiddenInput, max_length=40)
    month = forms.DateField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="Why it was not met",
        max_length=REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Published on the neighbourhood's Pledge page as you write it: no names, nothing internal.",
    )
    text_cy = forms.CharField(
        required=False, label="The same in Welsh", max_length=REASON, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- one's own entry --------------------------------------------------------------------------


def _me(request: AuthedHttpRequest) -> User:
    """The signed-in user as a model instance (the services save it; ``request.user`` is a lazy wrapper)."""
    return User.objects.get(pk=request.user.pk)


def _team_page(request: AuthedHttpRequest, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    user = request.user
    context = {
        "person": user,
        "entry_form": forms_.get("entry")
        or TeamEntryForm(initial={"publish": user.publish_on_team_page, "rank": user.rank}),
        "photo_form": forms_.get("photo") or TeamPhotoForm(),
        "has_name": bool(user.get_full_name().strip()),
    }
    return render(request, T + "me.html", context, status=status)


@login_required
def team_me(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("jps.change_own_team_entry", request.user):
        raise PermissionDenied("Only neighbourhood officers, PCSOs and supervisors appear on team pages.")
    if request.method != "POST":
        return _team_page(request)
    form = TeamEntryForm(request.POST)
    if form.is_valid():
        try:
            services.team_entry_set(
                person=_me(request),
                by=request.user,
                publish=form.cleaned_data["publish"],
                rank=form.cleaned_data["rank"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = "You will be named" if form.cleaned_data["publish"] else "You will not be named"
            messages.success(request, f"{done} on your neighbourhoods' public pages.")
            return redirect("team_me")
    return _team_page(request, 400, entry=form)


@login_required
@require_POST
def team_photo_upload(request: AuthedHttpRequest) -> HttpResponse:
    form = TeamPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            services.team_photo_set(
                person=_me(request), by=request.user, upload=upload, size=upload.size,
                content_type=getattr(upload, "content_type", ""),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your photo is saved.")
            return redirect("team_me")
    return _team_page(request, 400, photo=form)


@login_required
@require_POST
def team_photo_delete(request: AuthedHttpRequest) -> HttpResponse:
    services.team_photo_remove(person=_me(request), by=request.user)
    messages.success(request, "Your photo is removed.")
    return redirect("team_me")


@login_required
def team_photo_own(request: AuthedHttpRequest) -> FileResponse:
    """One's own photo, from storage: private, not cached."""
    if not request.user.team_photo:
        raise Http404("No photo.")
    response = FileResponse(request.user.team_photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


# --- a neighbourhood's team details -------------------------------------------------------------


@login_required
def neighbourhood_team(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood.objects.select_related("district"), pk=pk)
    if not request.user.has_perm("jps.change_team_details", neighbourhood):
        raise PermissionDenied("Only the district's supervisors and the force's web editors change the team details.")
    initial = {f: getattr(neighbourhood, f) for f in ("team_email", "team_base", "team_base_cy")}
    form = TeamDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.neighbourhood_team_set(neighbourhood=neighbourhood, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Team details of {neighbourhood.display_name} saved.")
            return redirect("neighbourhood", pk=neighbourhood.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, T + "details.html", {"neighbourhood": neighbourhood, "form": form}, status=status)


# --- explaining the Pledge --------------------------------------------------------------------


def _miss_form(miss: PledgeMiss) -> ExplanationForm:
    return ExplanationForm(
        prefix=f"{miss.neighbourhood.pk}-{miss.commitment.slug}-{miss.month:%Y-%m}",
        initial={"neighbourhood": miss.neighbourhood.pk, "commitment": miss.commitment.slug, "month": miss.month},
    )


@login_required
def pledge_explanations(request: AuthedHttpRequest) -> HttpResponse:
    """A supervisor's months missed, not yet explained, each with its form; posting records one."""
    if request.user.role != request.user.Role.SUPERVISOR:
        raise PermissionDenied("Supervisors explain their neighbourhoods' Pledge.")
    misses = selectors.pledge_misses_for(user=request.user)
    posted: ExplanationForm | None = None
    if request.method == "POST":
        prefix = request.POST.get("prefix", "")
        posted = ExplanationForm(request.POST, prefix=prefix)
        if posted.is_valid() and _record(request, posted):
            return redirect("pledge_explanations")
    rows = []
    for miss in misses:
        form = _miss_form(miss)
        if posted is not None and posted.prefix == form.prefix:
            form = posted
        rows.append((miss, form))
    status = 400 if posted is not None else 200
    return render(request, T + "pledge.html", {"rows": rows}, status=status)


def _record(request: AuthedHttpRequest, form: ExplanationForm) -> bool:
    data = form.cleaned_data
    neighbourhood = Neighbourhood.objects.filter(pk=data["neighbourhood"]).first()
    if neighbourhood is None:
        raise Http404("No such neighbourhood.")
    try:
        services.pledge_explanation_record(
            neighbourhood=neighbourhood, commitment=data["commitment"], month=data["month"],
            text=data["text"], text_cy=data["text_cy"], by=request.user,
        )  # fmt: skip
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    commitment = commitment_by_slug(data["commitment"])
    month: datetime.date = data["month"]
    messages.success(request, f"Explanation recorded: {commitment.title if commitment else ''}, {month:%B %Y}.")
    return True


urlpatterns = [
    path("team/me/", team_me, name="team_me"),
    path("team/me/photo/", team_photo_own, name="team_photo_own"),
    path("team/me/photo/upload/", team_photo_upload, name="team_photo_upload"),
    path("team/me/photo/remove/", team_photo_delete, name="team_photo_remove"),
    path("neighbourhoods/<int:pk>/team/", neighbourhood_team, name="neighbourhood_team"),
    path("pledge/", pledge_explanations, name="pledge_explanations"),
]
