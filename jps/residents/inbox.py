"""Writes on residents' messages to their neighbourhood team, and the emails that answer them.

A resident writes (``team_message_create``: nobody is signed in; the acknowledgement, with the reference
and the 24-hour aim, is queued). The team assigns it (``team_message_assign``), replies
(``team_message_reply``: the reply is recorded and emailed to the sender, from JPS with Reply-To the
team's published address) or closes it, with a reason when unanswered (``team_message_close``). Every
state change is a conditional ``UPDATE ... WHERE state IN (...)`` first, so two of the team acting at
once cannot both win, then a save that writes the history row with who and why.

Emails are ``TeamMessageReply`` rows. The worker (``team_message_emails_send``, queued on commit and
on a schedule) claims each unsent row with a conditional UPDATE, sends it, and marks it sent: two
workers never send one row twice, and a crash leaves the row for the next run.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..base import require, save
from ..models import Neighbourhood, ProblemView, TeamMessage, TeamMessageReply, User

logger = logging.getLogger("jps.residents")

State = TeamMessage.State
Reason = TeamMessage.CloseReason
Kind = TeamMessageReply.Kind
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 5
#: The Policing Pledge's standard (commitment 4), and when the team is reminded before it runs out.
STANDARD = datetime.timedelta(hours=24)
REMIND_AFTER = datetime.timedelta(hours=20)


def _emails_soon() -> None:
    from tasks import residents as resident_tasks  # jps never imports tasks at module level
    from tasks.queue import enqueue_on_commit

    enqueue_on_commit(resident_tasks.send_team_message_emails)


def _acknowledgement(message: TeamMessage) -> str:
    team = message.neighbourhood.display_name
    return (
        f"Thank you for your message to the {team} neighbourhood team. Your reference is {message.reference}.\n\n"
        "We aim to reply within 24 hours. If it is an emergency, call 999; for anything urgent, call 101.\n\n"
        f"You wrote:\n\n{message.subject}\n\n{message.body}"
    )


@transaction.atomic
def team_message_create(
    *,
    neighbourhood: Neighbourhood,
    sender_name: str,
    sender_email: str,
    subject: str,
    body: str,
    topic: str = TeamMessage.Topic.QUESTION,
    acknowledge: bool = True,
) -> TeamMessage:
    """Store a message from a resident to ``neighbourhood``'s team; acknowledge it unless ``acknowledge`` is False
    (a per-recipient limit was reached)."""
    message = TeamMessage(
        neighbourhood=neighbourhood,
        sender_name=sender_name.strip()[:160],
        sender_email=sender_email.strip().lower(),
        topic=topic,
        subject=subject.strip()[:160],
        body=body.strip(),
    )
    message.full_clean()
    message._change_reason = "Sent by a resident through the contact form"  # type: ignore[attr-defined]
    message.save()
    if acknowledge:
        TeamMessageReply.objects.create(message=message, kind=Kind.ACKNOWLEDGEMENT, body=_acknowledgement(message))
        _emails_soon()
    return message


def team_members(neighbourhood: Neighbourhood) -> QuerySet[User]:
    """Who may be given a message of ``neighbourhood``: its officers and PCSOs, and its district's."""
    return (
        User.objects.filter(is_active=True, role__in=(User.Role.OFFICER, User.Role.SUPERVISOR))
        .filter(Q(neighbourhoods=neighbourhood) | Q(districts=neighbourhood.district_id))
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


def _claim(message: TeamMessage, *, by: User, states: tuple[str, ...], error: str, **values: object) -> TeamMessage:
    """The conditional UPDATE every change starts with; then the row as it now is, locked."""
    require(by, "jps.see_team_message", message)  # the state is checked by the UPDATE, with a clear error
    if TeamMessage.objects.filter(pk=message.pk, state__in=states).update(**values) != 1:
        raise ValidationError({"state": error})
    return TeamMessage.objects.select_for_update().get(pk=message.pk)


@transaction.atomic
def team_message_assign(*, message: TeamMessage, by: User, to: User) -> TeamMessage:
    """Give a waiting message to ``to`` (``by`` themselves, or someone else in the team)."""
    if not team_members(message.neighbourhood).filter(pk=to.pk).exists():
        raise ValidationError({"assigned_to": "Choose someone in this neighbourhood's team"})
    message = _claim(
        message,
        by=by,
        states=TeamMessage.WAITING,
        error="This message has been answered or closed: it cannot be assigned.",
        state=State.ASSIGNED,
        assigned_to=to,
    )
    who = "themselves" if to.pk == by.pk else str(to)
    save(message, by=by, reason=f"Assigned to {who}"[:100], update_fields=["state", "assigned_to"])
    return message


@transaction.atomic
def team_message_reply(*, message: TeamMessage, by: User, body: str) -> TeamMessageReply:
    """Reply to the sender: recorded, then emailed by the worker once this commits.

    The first reply answers the message (``first_response_at``, ``answered_by``: what the 24-hour
    standard measures); later ones follow up. A closed message takes no reply.
    """
    if not body.strip():
        raise ValidationError({"body": "Enter your reply"})
    message = _claim(
        message,
        by=by,
        states=(*TeamMessage.WAITING, State.ANSWERED),
        error="This message has been closed: it cannot be replied to.",
        state=State.ANSWERED,
    )
    fields = ["state"]
    if message.first_response_at is None:
        message.first_response_at, message.answered_by = timezone.now(), by
        fields += ["first_response_at", "answered_by"]
    save(message, by=by, reason="Replied to the sender", update_fields=fields)
    reply = TeamMessageReply(message=message, kind=Kind.REPLY, author=by, body=body.strip())
    save(reply, by=by, reason="Reply to the sender")
    _emails_soon()
    return reply


@transaction.atomic
def team_message_close(*, message: TeamMessage, by: User, reason: str = "", note: str = "") -> TeamMessage:
    """Close a message: once answered (the reason is "answered"), or without a reply for a stated reason."""
    answered = message.state == State.ANSWERED
    if not answered and (reason not in Reason.values or reason == Reason.ANSWERED):
        raise ValidationError({"reason": "Select why you are closing this message without a reply"})
    message = _claim(
        message,
        by=by,
        states=(State.ANSWERED,) if answered else TeamMessage.WAITING,
        error="Someone in your team has already answered or closed this message.",
        state=State.CLOSED,
    )
    message.close_reason = Reason.ANSWERED if answered else reason
    message.close_note, message.closed_at, message.closed_by = note.strip()[:300], timezone.now(), by
    label = "Closed" if answered else f"Closed without a reply: {message.get_close_reason_display()}"
    save(message, by=by, reason=label, update_fields=["state", "close_reason", "close_note", "closed_at", "closed_by"])
    return message


def team_message_views_record(*, user: User, message_ids: Iterable[int], channel: str, request_id: str = "") -> int:
    """Log that ``user`` was shown these messages' senders (name, email, what they wrote), in the access log.

    The page of a message, and each message the API returns, call it; the inbox's list shows
    subjects and references only and is not a read of the sender. One ``bulk_create``.
    """
    at = timezone.now()
    rows = [
        ProblemView(team_message_id=pk, user=user, at=at, channel=channel, request_id=request_id[:64])
        for pk in dict.fromkeys(message_ids)
    ]
    if rows:
        ProblemView.objects.bulk_create(rows)
    return len(rows)


# --- the emails to the sender ---------------------------------------------------------------------


def reply_email(reply: TeamMessageReply) -> EmailMessage:
    """The email for one row: from JPS, with Reply-To the team's published address when it has one."""
    message = reply.message
    team = message.neighbourhood
    if reply.kind == Kind.ACKNOWLEDGEMENT:
        subject = f"We have your message {message.reference}"
        text = reply.body
    else:
        subject = f"Re: {message.subject} ({message.reference})"
        text = (
            f"{reply.body}\n\n--\nThe {team.display_name} neighbourhood team, replying to your message "
            f"{message.reference}."
        )
    return EmailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.sender_email],
        reply_to=[team.team_email] if team.team_email else None,
    )


def _claim_email(reply: TeamMessageReply, now: datetime.datetime) -> bool:
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    taken = TeamMessageReply.objects.filter(free, pk=reply.pk, sent_at__isnull=True).update(
        claimed_at=now, attempts=F("attempts") + 1
    )
    return taken == 1


def team_message_emails_send(*, now: datetime.datetime | None = None) -> int:
    """Send every unsent acknowledgement and reply this worker can claim; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    pending = (
        TeamMessageReply.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .select_related("message", "message__neighbourhood")
        .order_by("id")
    )
    for reply in pending.iterator(chunk_size=200):
        if not _claim_email(reply, now):
            continue
        reply_email(reply).send()
        TeamMessageReply.objects.filter(pk=reply.pk).update(sent_at=timezone.now())
        sent += 1
    if sent:
        logger.info("Messages to neighbourhood teams: %d emails sent", sent)
    return sent
