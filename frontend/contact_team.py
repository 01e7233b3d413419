"""Contact the neighbourhood team (issue 20; Policing Pledge commitment 4): the resident's form.

At ``/contact/<force>/<district>/<neighbourhood>/``, the slugs of the neighbourhood's public page, which
links here ("Send a message to the team"). A name, an email address (required: the team replies by
email), a topic, a subject and the message. The same protection as "report a problem"
(``frontend.residents``): a per-address limit (``jps.limits``), the honeypot field people never see,
and an acknowledgement that goes only while the recipient's own limit allows. Nothing a resident
sends is published; the team reads it in its inbox (``frontend.inbox``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from jps import services
from jps.limits import limit_hit
from jps.models import Neighbourhood, TeamMessage
from jps.net import client_ip

from .govuk_forms import GovukForm

T = "residents/"
SENT = "team_message_sent"


class ContactForm(GovukForm, forms.Form):
    govuk_messages = {
        "name": {"required": "Enter your name"},
        "email": {"required": "Enter your email address, so the team can reply", "invalid": "Enter an email "
                  "address in the correct format, like name@example.com"},
        "subject": {"required": "Enter a subject"},
        "body": {"required": "Enter your message"},
        "topic": {"required": "Select what your message is about"},
    }  # fmt: skip

    name = forms.CharField(label="Your name", max_length=160)
    email = forms.EmailField(label="Your email address", max_length=254, help_text="The team replies to this address.")
    topic = forms.ChoiceField(label="What is it about?", choices=TeamMessage.Topic.choices, widget=forms.RadioSelect)
    subject = forms.CharField(label="Subject", max_length=160)
    body = forms.CharField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Do not use this form to report a crime or an emergency.",
    )
    #: The honeypot: hidden from people (CSS and aria-hidden), filled in by bots that fill every field.
    website = forms.CharField(required=False, label="Leave this empty")


def _neighbourhood(force: str, district: str, neighbourhood: str) -> Neighbourhood:
    found = (
        Neighbourhood.objects.select_related("district", "district__force")
        .filter(slug=neighbourhood, district__slug=district, district__force__slug=force)
        .first()
    )
    if found is None:
        raise Http404("No such neighbourhood.")
    return found


def _page(request: HttpRequest, form: ContactForm, area: Neighbourhood, status: int = 200) -> HttpResponse:
    return render(request, T + "contact.html", {"form": form, "area": area}, status=status)


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, force: str, district: str, neighbourhood: str) -> HttpResponse:
    """The form; a valid message is stored and acknowledged by email, then "sent" with its reference."""
    area = _neighbourhood(force, district, neighbourhood)
    if request.method != "POST":
        return _page(request, ContactForm(), area)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _page(request, form, area, 400)
    wait = limit_hit("team-message-address", client_ip(request), settings.JPS_TEAM_MESSAGES_PER_ADDRESS)
    if wait:
        form.add_error(None, "Too many messages from your connection. Please try again later, or call 101.")
        response = _page(request, form, area, 429)
        response["Retry-After"] = str(wait)
        return response
    data: dict[str, Any] = form.cleaned_data
    if data["website"]:  # a bot: answer as if all went well, and keep nothing
        request.session[SENT] = {"reference": "M-" + "X" * 8, "neighbourhood": area.display_name}
        return redirect("team_message_sent")
    acknowledge = not limit_hit("team-message-recipient", data["email"], settings.JPS_PUBLIC_EMAILS_PER_RECIPIENT)
    try:
        message = services.team_message_create(
            neighbourhood=area,
            sender_name=data["name"],
            sender_email=data["email"],
            topic=data["topic"],
            subject=data["subject"],
            body=data["body"],
            acknowledge=acknowledge,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _page(request, form, area, 400)
    request.session[SENT] = {"reference": message.reference, "neighbourhood": area.display_name}
    return redirect("team_message_sent")


def sent(request: HttpRequest) -> HttpResponse:
    done = request.session.get(SENT)
    if not done:
        raise Http404("Nothing was sent.")
    return render(request, T + "contact_sent.html", {"done": done})


urlpatterns = [
    path("contact/sent/", sent, name="team_message_sent"),
    path("contact/<slug:force>/<slug:district>/<slug:neighbourhood>/", contact, name="team_message_form"),
]
