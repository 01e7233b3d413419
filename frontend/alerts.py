"""Resident email alerts, the pages: subscribe (double opt-in), confirm, one-click unsubscribe.

The only part of the public site served by the web application. A subscription
request is not stored: it travels inside a signed, time-limited confirmation link
(``django.core.signing``), and only a confirmed subscription is saved — the email,
the neighbourhoods and timestamps, nothing else. The tokens and the emails (confirmation,
digest with its signed unsubscribe link) are built in ``jps.alerts``, which the worker calls.
"""

from __future__ import annotations

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jps import services
from jps.alerts import CONFIRM_MAX_AGE, CONFIRM_SALT, UNSUBSCRIBE_SALT, unsubscribe_url
from jps.limits import public_email_allowed
from jps.models import Neighbourhood
from jps.publishing import public_neighbourhoods
from tasks import emails
from tasks.queue import enqueue


class NeighbourhoodChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Neighbourhood) -> str:
        return f"{obj.display_name} ({obj.district.name})"


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)
    neighbourhoods = NeighbourhoodChoice(
        queryset=public_neighbourhoods(),
        widget=forms.CheckboxSelectMultiple,
        label="Neighbourhoods",
        error_messages={"required": "Choose at least one neighbourhood."},
    )


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The subscription form. A valid request queues the confirmation email, within the limits.

    Past the per-address limit the form answers 429 and sends nothing; past the
    per-recipient limit it answers "check your email" as usual and sends nothing, so the
    page never tells whether that inbox was written to (``jps.limits.public_email_allowed``).
    """
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            wait, send = public_email_allowed(request=request, recipient=email)
            if wait:
                form.add_error(None, "Too many requests from your connection. Please try again later.")
                response = render(request, "alerts/subscribe.html", {"form": form}, status=429)
                response["Retry-After"] = str(wait)
                return response
            if send:
                # Nothing is written here, so there is no commit to wait for: queue at once.
                ids = [n.pk for n in form.cleaned_data["neighbourhoods"]]
                enqueue(emails.alert_confirmation_email, email=email, neighbourhood_ids=ids)
            return render(request, "alerts/check_email.html", {"email": email})
    else:
        initial = []
        wanted = request.GET.get("neighbourhood", "")
        if wanted.isdigit():
            initial = [int(wanted)]
        form = SubscribeForm(initial={"neighbourhoods": initial})
    return render(request, "alerts/subscribe.html", {"form": form})


@require_http_methods(["GET"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        subscription = services.alert_subscription_confirm(email=data["e"], neighbourhood_ids=data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValidationError):
        return render(request, "alerts/invalid.html", status=400)
    names = [n.display_name for n in subscription.neighbourhoods.all()]
    return render(request, "alerts/confirmed.html", {"names": names, "unsubscribe": unsubscribe_url(data["e"])})


@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs come without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "alerts/invalid.html", status=400)
    if request.method == "POST":
        services.alert_unsubscribe(email=email)
        return render(request, "alerts/unsubscribed.html")
    # GET only shows the one button: link scanners that prefetch must not unsubscribe people.
    return render(request, "alerts/unsubscribe.html")


urlpatterns = [
    path("alerts/subscribe/", subscribe, name="alerts_subscribe"),
    path("alerts/confirm/<str:token>/", confirm, name="alerts_confirm"),
    path("alerts/unsubscribe/<str:token>/", unsubscribe, name="alerts_unsubscribe"),
]
