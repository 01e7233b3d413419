"""Resident email alerts: subscribe (double opt-in), confirm, one-click unsubscribe.

The only part of the public site served by the web application. A subscription
request is not stored: it travels inside a signed, time-limited confirmation link
(``django.core.signing``), and only a confirmed subscription is saved — the email,
the neighbourhoods and timestamps, nothing else. Every digest carries a signed
unsubscribe link and ``List-Unsubscribe`` headers (RFC 8058 one-click).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jps import services
from jps.limits import public_email_allowed
from jps.models import AlertSubscription, Neighbourhood
from jps.publishing import DigestItem, public_neighbourhoods
from tasks import emails
from tasks.queue import enqueue

from .public_site.renderer import priority_path

CONFIRM_SALT = "jps.alerts.confirm"
UNSUBSCRIBE_SALT = "jps.alerts.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600


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


def confirm_token(*, email: str, neighbourhood_ids: Iterable[int]) -> str:
    return signing.dumps({"e": email.strip().lower(), "n": sorted(neighbourhood_ids)}, salt=CONFIRM_SALT)


def unsubscribe_token(email: str) -> str:
    return signing.dumps(email.strip().lower(), salt=UNSUBSCRIBE_SALT)


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def unsubscribe_url(email: str) -> str:
    return _absolute(reverse("alerts_unsubscribe", args=[unsubscribe_token(email)]))


def confirmation_message(*, email: str, neighbourhood_ids: list[int]) -> EmailMessage | None:
    """The double opt-in email, built by the worker; None if none of the neighbourhoods is public any more."""
    chosen = list(public_neighbourhoods().filter(pk__in=neighbourhood_ids))
    if not chosen:
        return None
    ids = [n.pk for n in chosen]
    link = _absolute(reverse("alerts_confirm", args=[confirm_token(email=email, neighbourhood_ids=ids)]))
    names = ", ".join(n.display_name for n in chosen)
    return EmailMessage(
        subject="Confirm your neighbourhood priority alerts",
        body=(
            f"Someone (we hope you) asked for email alerts about neighbourhood priorities in: {names}.\n\n"
            f"To confirm, open this link within 7 days:\n{link}\n\n"
            "If you did not ask for this, ignore this email: nothing has been stored."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
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


def digest_message(
    *, subscription: AlertSubscription, neighbourhoods: list[Neighbourhood], items: list[DigestItem]
) -> EmailMessage:
    """The digest email: newly approved updates and outcomes, grouped by neighbourhood."""
    names = {n.pk: n.display_name for n in neighbourhoods}
    site = settings.PUBLIC_SITE_URL.rstrip("/") + "/"
    lines = ["What's new in your neighbourhood priorities", ""]
    for nid in sorted({i.neighbourhood_id for i in items}, key=lambda k: names.get(k, "")):
        lines += [names.get(nid, ""), "=" * len(names.get(nid, ""))]
        for item in (i for i in items if i.neighbourhood_id == nid):
            label = "Outcome" if item.kind == "outcome" else "Update"
            lines += [
                f"{item.title} — {label}, {item.date:%d %B %Y}",
                item.text,
                site + priority_path(item.reference),
                "",
            ]
    link = unsubscribe_url(subscription.email)
    lines += ["", f"Unsubscribe with one click: {link}"]
    return EmailMessage(
        subject="Neighbourhood priorities: what's new",
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


urlpatterns = [
    path("alerts/subscribe/", subscribe, name="alerts_subscribe"),
    path("alerts/confirm/<str:token>/", confirm, name="alerts_confirm"),
    path("alerts/unsubscribe/<str:token>/", unsubscribe, name="alerts_unsubscribe"),
]
