"""Messages to the neighbourhood team as personal data: the subject-access export finds them by the sender,
and retention removes what the sender and the team wrote (``jps.privacy`` calls both)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from ..models import ProblemView, TeamMessage, TeamMessageReply, User

REDACTED = "[redacted]"
MESSAGE_FIELDS = {"sender_name": REDACTED, "sender_email": "", "subject": REDACTED, "body": REDACTED, "close_note": ""}


def team_messages_of(*, name: str = "", email: str = "") -> list[TeamMessage]:
    """The messages a person sent, by the name or the email address they gave (either, exactly)."""
    wanted = Q(pk__in=[])
    if name.strip():
        wanted |= Q(sender_name__iexact=name.strip())
    if email.strip():
        wanted |= Q(sender_email__iexact=email.strip())
    return list(TeamMessage.objects.filter(wanted).select_related("neighbourhood").prefetch_related("replies"))


def team_messages_export(*, by: User, messages: list[TeamMessage]) -> list[dict[str, Any]]:
    """The messages as sent, with every email the team sent back; each read goes into the access log."""
    ProblemView.objects.bulk_create(
        [ProblemView(team_message_id=m.pk, user=by, channel=ProblemView.Channel.SAR) for m in messages]
    )
    return [
        {
            "reference": m.reference,
            "sent": m.received_at.isoformat(),
            "to": m.neighbourhood.display_name,
            "name": m.sender_name,
            "email": m.sender_email,
            "subject": m.subject,
            "message": m.body,
            "state": m.state,
            "emails_from_the_team": [
                {"sent": r.sent_at.isoformat() if r.sent_at else None, "text": r.body} for r in m.replies.all()
            ],
        }
        for m in messages
    ]


def team_messages_redact(*, cutoff: datetime.datetime) -> int:
    """Redact the messages received before ``cutoff`` and the team's replies, live and history rows.

    The reference, neighbourhood, topic, dates and states stay: the 24-hour figure counts them.
    """
    ids = list(TeamMessage.objects.filter(received_at__lt=cutoff).exclude(body=REDACTED).values_list("pk", flat=True))
    with transaction.atomic():
        TeamMessage.objects.filter(pk__in=ids).update(**MESSAGE_FIELDS)
        TeamMessage.history.filter(id__in=ids).update(**MESSAGE_FIELDS)
        TeamMessageReply.objects.filter(message_id__in=ids).update(body=REDACTED)
        TeamMessageReply.history.filter(message_id__in=ids).update(body=REDACTED)
    return len(ids)
