"""The neighbourhood team's inbox of residents' messages (issue 20; Policing Pledge commitment 4).

The list shows the team's messages by view (waiting, new, assigned, mine, answered, closed) with the
time left to the 24-hour standard; it shows references and subjects, not senders. A message's page
shows the sender (that read goes into the access log) and lets the team assign it, reply (emailed to
the sender by the worker once the change commits) or close it, with a reason when unanswered. A
message outside the user's team is a 404, never telling "exists" from "hidden". Each change is one
service call (``jps.services``); "My work" links here with the count of messages waiting.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jps import selectors, services
from jps.models import ProblemView, TeamMessage, User
from jps.residents.inbox import team_members
from jps.residents.inbox_selectors import INBOX_VIEWS, due_by

from .forms import add_service_errors
from .govuk_forms import GovukForm
from .http import AuthedHttpRequest

T = "frontend/inbox/"
PAGE_SIZE = 100


class AssignForm(GovukForm, forms.Form):
    govuk_messages = {"assigned_to": {"required": "Select who will answer it"}}

    assigned_to = forms.ModelChoiceField(queryset=User.objects.none(), label="Who will answer it?")

    def __init__(self, *args: object, message: TeamMessage, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = team_members(message.neighbourhood)


class ReplyForm(GovukForm, forms.Form):
    govuk_messages = {"body": {"required": "Enter your reply"}}

    body = forms.CharField(
        label="Your reply",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Emailed to the sender as you write it, from JPS, with replies going to the team's address.",
    )


class CloseForm(GovukForm, forms.Form):
    govuk_messages = {"reason": {"required": "Select why you are closing it without a reply"}}

    reason = forms.ChoiceField(
        label="Why close it without a reply?",
        choices=[c for c in TeamMessage.CloseReason.choices if c[0] != TeamMessage.CloseReason.ANSWERED],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Note for the team (optional)", required=False, max_length=300)


def time_left(message: TeamMessage, now: datetime.datetime) -> tuple[str, bool]:
    """How long is left to reply within 24 hours (or how late it is), and whether the standard is missed."""
    if message.first_response_at is not None:
        took = message.first_response_at - message.received_at
        hours = int(took.total_seconds() // 3600)
        return (f"Answered in {hours} hour{'s' if hours != 1 else ''}", took > datetime.timedelta(hours=24))
    if not message.is_waiting:
        return ("Closed without a reply", False)
    left = due_by(message) - now
    hours, minutes = divmod(int(abs(left.total_seconds()) // 60), 60)
    span = f"{hours} h {minutes:02d} min"
    return (f"{span} left", False) if left.total_seconds() >= 0 else (f"Late by {span}", True)


@login_required
def inbox(request: AuthedHttpRequest) -> HttpResponse:
    view = request.GET.get("view", "waiting")
    view = view if view in INBOX_VIEWS else "waiting"
    wanted = request.GET.get("neighbourhood", "")
    neighbourhood = int(wanted) if wanted.isdigit() and len(wanted) < 12 else None
    now = timezone.now()
    found = list(selectors.team_message_inbox(user=request.user, view=view, neighbourhood=neighbourhood)[:PAGE_SIZE])
    context = {
        "rows": [(m, *time_left(m, now)) for m in found],
        "views": INBOX_VIEWS,
        "view": view,
        "view_label": INBOX_VIEWS[view],
        "neighbourhoods": selectors.team_message_neighbourhoods(user=request.user),
        "neighbourhood": neighbourhood,
        "page_size": PAGE_SIZE,
    }
    return render(request, T + "inbox.html", context)


def _message(request: AuthedHttpRequest, pk: int) -> TeamMessage:
    try:
        return selectors.team_messages_visible_to(request.user).get(pk=pk)
    except TeamMessage.DoesNotExist as missing:
        raise Http404("No such message, or it is not your team's.") from missing


def _page(request: AuthedHttpRequest, message: TeamMessage, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    services.team_message_views_record(
        user=request.user,
        message_ids=[message.pk],
        channel=ProblemView.Channel.WEB,
        request_id=getattr(request, "request_id", ""),
    )
    context = {
        "message": message,
        "replies": message.replies.select_related("author").order_by("created_at", "id"),
        "left": time_left(message, timezone.now()),
        "due": due_by(message),
        "may_answer": request.user.has_perm("jps.answer_team_message", message),
        "assign_form": forms_.get("assign") or AssignForm(message=message, initial={"assigned_to": request.user.pk}),
        "reply_form": forms_.get("reply") or ReplyForm(),
        "close_form": forms_.get("close") or CloseForm(),
    }
    return render(request, T + "message.html", context, status=status)


@login_required
def message_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _page(request, _message(request, pk))


@login_required
@require_POST
def decide(request: AuthedHttpRequest, pk: int, decision: str) -> HttpResponse:
    message = _message(request, pk)
    form: forms.Form
    try:
        if decision == "assign":
            form = AssignForm(request.POST, message=message)
            if form.is_valid():
                to = form.cleaned_data["assigned_to"]
                services.team_message_assign(message=message, by=request.user, to=to)
                flash.success(request, f"Message {message.reference} assigned to {to}.")
                return redirect("team_message", pk=message.pk)
        elif decision == "reply":
            form = ReplyForm(request.POST)
            if form.is_valid():
                services.team_message_reply(message=message, by=request.user, body=form.cleaned_data["body"])
                flash.success(request, f"Your reply to {message.reference} is on its way to the sender.")
                return redirect("team_message", pk=message.pk)
        elif decision == "close":
            answered = message.state == TeamMessage.State.ANSWERED
            form = CloseForm(request.POST) if not answered else forms.Form(request.POST)
            if form.is_valid():
                reason = "" if answered else form.cleaned_data["reason"]
                note = "" if answered else form.cleaned_data["note"]
                services.team_message_close(message=message, by=request.user, reason=reason, note=note)
                flash.success(request, f"Message {message.reference} closed.")
                return redirect("team_messages")
        else:
            raise Http404("No such decision.")
    except ValidationError as error:
        add_service_errors(form, error)
    return _page(request, message, 400, **{decision: form})


urlpatterns = [
    path("", inbox, name="team_messages"),
    path("<int:pk>/", message_page, name="team_message"),
    path("<int:pk>/<str:decision>/", decide, name="team_message_decide"),
]
