"""Report a problem (issue 20): the resident's pages, served by the web application beside the alerts.

One short page that works on a phone without JavaScript: a postcode (or, with JavaScript, a point on
the map or the phone's position, and the neighbourhood proposed as soon as it is known), a category,
what is happening, up to three photos, and a name and email for updates with consent. Protection
without friction: a per-address limit (``jps.limits``), a honeypot field people never see, size and
type checks on photos (then re-encoded without metadata, ``jps.residents.photos``). Nothing a resident
sends is ever public. The signed links in the emails lead to the questionnaire and to one-click
unsubscribe. The domain work is ``jps.services``'.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jps import selectors, services
from jps.limits import limit_hit
from jps.models import Category, Neighbourhood
from jps.net import client_ip
from jps.residents.notices import FEEDBACK_MAX_AGE, FEEDBACK_SALT, UNSUBSCRIBE_SALT, report_from_token
from jps.residents.photos import photo_check
from jps.residents.places import Found

from .govuk_forms import GovukForm

T = "residents/"
CONSENT = (
    "I agree that the neighbourhood team may keep my name and email address with this report and email me "
    "about it (you can stop the emails with one click)"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to ``JPS_RESIDENT_PHOTOS_MAX`` files, each checked for size and declared type."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > settings.JPS_RESIDENT_PHOTOS_MAX:
            raise ValidationError(f"Choose {settings.JPS_RESIDENT_PHOTOS_MAX} photos or fewer")
        for upload in files:
            photo_check(upload, size=upload.size, content_type=getattr(upload, "content_type", ""))
        return files


class ReportForm(GovukForm, forms.Form):
    govuk_messages = {
        "description": {"required": "Enter what is happening"},
        "category": {"required": "Select what kind of problem it is"},
    }

    postcode = forms.CharField(
        label="Postcode", required=False, max_length=10, help_text="Where it is happening, for example CT1 2EH."
    )
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    category = forms.ModelChoiceField(
        queryset=Category.objects.order_by("group", "name"), label="What kind of problem is it?"
    )
    description = forms.CharField(
        label="What is happening?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Where exactly, when it happens and how it affects you. Do not name people you suspect.",
    )
    photos = PhotosField(label="Photos (optional)", required=False, help_text="Up to 3 photos, each under 8 MB.")
    name = forms.CharField(label="Your name (optional)", required=False, max_length=160)
    email = forms.EmailField(label="Your email address (optional)", required=False, max_length=254)
    consent = forms.BooleanField(label=CONSENT, required=False)
    #: The honeypot: hidden from people (CSS and aria-hidden), filled in by bots that fill every field.
    website = forms.CharField(required=False, label="Leave this empty")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email") and not data.get("consent"):
            self.add_error("consent", "Select the box to agree to emails, or leave your email address empty")
        self.place: Found | None = None
        lat, lon = data.get("latitude"), data.get("longitude")
        if lat is not None and lon is not None:
            self.place = selectors.place_for_point(latitude=lat, longitude=lon)
            if self.place is None:
                self.add_error(
                    "postcode", "The point you chose is outside our area: choose another, or enter a postcode"
                )
        elif data.get("postcode"):
            self.place = selectors.place_for_postcode(data["postcode"])
            if self.place is None:
                self.add_error(
                    "postcode", "We could not find that postcode in our area: check it, or choose a point on the map"
                )
        elif "postcode" not in self.errors:
            self.add_error("postcode", "Enter the postcode where it is happening, or choose a point on the map")
        return data


def _linked_from(request: HttpRequest) -> str:
    """The neighbourhood whose public page the resident came from (``?neighbourhood=``), to name it."""
    wanted = request.GET.get("neighbourhood", "")
    found = Neighbourhood.objects.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 12 else None
    return found.display_name if found else ""


def _page(request: HttpRequest, form: ReportForm, status: int = 200, proposed: str = "") -> HttpResponse:
    context = {
        "form": form,
        "tiles": settings.JPS_MAP_TILES_URL,
        "days": settings.JPS_RESIDENT_TRIAGE_DAYS,
        "proposed": proposed,
    }
    return render(request, T + "report.html", context, status=status)


def _too_many(request: HttpRequest) -> int:
    return limit_hit("resident-report-address", client_ip(request), settings.JPS_RESIDENT_REPORTS_PER_ADDRESS)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The report form; a valid report is stored and acknowledged by email, then "sent" with its reference."""
    if request.method != "POST":
        return _page(request, ReportForm(), proposed=_linked_from(request))
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, 400)
    wait = _too_many(request)
    if wait:
        form.add_error(None, "Too many reports from your connection. Please try again later, or call 101.")
        response = _page(request, form, 429)
        response["Retry-After"] = str(wait)
        return response
    data = form.cleaned_data
    if data["website"]:  # a bot: answer as if all went well, and keep nothing
        request.session["resident_report_sent"] = {"reference": "R-" + "X" * 8, "neighbourhood": ""}
        return redirect("resident_report_sent")
    assert form.place is not None
    email = data["email"] if data["consent"] else ""
    acknowledge = bool(email) and not limit_hit(
        "resident-report-recipient", email, settings.JPS_PUBLIC_EMAILS_PER_RECIPIENT
    )
    try:
        created = services.resident_report_create(
            neighbourhood=form.place.neighbourhood,
            category=data["category"],
            description=data["description"],
            location=data["postcode"] or "Point chosen on the map",
            latitude=form.place.latitude,
            longitude=form.place.longitude,
            reporter_name=data["name"],
            reporter_email=email,
            consent=bool(data["consent"]),
            photos=data["photos"],
            acknowledge=acknowledge,
        )
    except ValidationError as error:
        form.add_error("photos" if "photo" in str(error.messages) else None, error.messages)
        return _page(request, form, 400)
    request.session["resident_report_sent"] = {
        "reference": created.reference,
        "neighbourhood": created.neighbourhood.display_name,
        "email": bool(email),
    }
    return redirect("resident_report_sent")


def sent(request: HttpRequest) -> HttpResponse:
    done = request.session.get("resident_report_sent")
    if not done:
        return redirect("resident_report")
    return render(request, T + "sent.html", {"done": done, "days": settings.JPS_RESIDENT_TRIAGE_DAYS})


@require_http_methods(["GET"])
def where(request: HttpRequest) -> JsonResponse:
    """The neighbourhood proposed for a postcode or a point (the form's script asks as the resident types)."""
    if limit_hit("resident-report-where", client_ip(request), "60/hour"):
        return JsonResponse({"error": "Too many requests"}, status=429)
    found = None
    try:
        if request.GET.get("lat") and request.GET.get("lng"):
            found = selectors.place_for_point(latitude=float(request.GET["lat"]), longitude=float(request.GET["lng"]))
        elif request.GET.get("postcode"):
            found = selectors.place_for_postcode(request.GET["postcode"])
    except ValueError:
        found = None
    if found is None:
        return JsonResponse({"error": "Not in our area"}, status=404)
    has_point = found.latitude is not None and found.longitude is not None
    point = [float(found.latitude or 0), float(found.longitude or 0)] if has_point else None
    return JsonResponse({"neighbourhood": found.neighbourhood.display_name, "point": point})


class FeedbackForm(GovukForm, forms.Form):
    govuk_messages = {"fixed": {"required": "Select yes if it has been fixed"}}

    fixed = forms.TypedChoiceField(
        label="Has it been fixed?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Anything to add? (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    found = report_from_token(token, salt=FEEDBACK_SALT, max_age=FEEDBACK_MAX_AGE)
    if found is None or found.problem is None:
        return render(request, T + "invalid.html", status=400)
    initial = {"fixed": request.GET.get("fixed")} if request.GET.get("fixed") in ("yes", "no") else {}
    form = FeedbackForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        services.resident_report_feedback(
            report=found, fixed=form.cleaned_data["fixed"], comment=form.cleaned_data["comment"]
        )
        return render(request, T + "feedback_thanks.html", {"report": found})
    return render(request, T + "feedback.html", {"form": form, "report": found})


@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs come without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = report_from_token(token, salt=UNSUBSCRIBE_SALT)
    if found is None:
        return render(request, T + "invalid.html", status=400)
    if request.method == "POST":
        services.resident_report_unsubscribe(report=found)
        return render(request, T + "unsubscribed.html")
    return render(request, T + "unsubscribe.html")  # GET shows a button: link scanners must not unsubscribe


urlpatterns = [
    path("report/", report, name="resident_report"),
    path("report/sent/", sent, name="resident_report_sent"),
    path("report/where/", where, name="resident_report_where"),
    path("report/feedback/<str:token>/", feedback, name="resident_feedback"),
    path("report/unsubscribe/<str:token>/", unsubscribe, name="resident_unsubscribe"),
]
