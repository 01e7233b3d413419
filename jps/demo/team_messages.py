"""Demo messages to the Canterbury neighbourhood teams (issue 20): one new, one past the 24-hour standard
(assigned, unanswered), one answered within the standard, one answered late and one closed as spam.

Through ``jps.services`` as the Canterbury officer; only the times are moved back afterwards. The emails
the story implies are recorded as sent, so loading the demo emails no one. Idempotent: nothing is added
when the demo already has messages.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from jps import models as m
from jps import reminders, services

#: (key, neighbourhood, hours ago, topic, subject, body, name, email).
MESSAGES = [
    ("new", "Northgate", 2, "question", "When is the next PACT meeting?",
     "I'd like to raise the parking outside the school at the next meeting. When and where is it?",
     "Grace Okafor", "grace.okafor@example.org"),
    ("overdue", "Wincheap", 30, "information", "Car broken into on Wincheap Grove",
     "Just letting you know three cars were broken into on Wincheap Grove on Sunday night. Reported on 101.",
     "Daniel Byrne", "daniel.byrne@example.org"),
    ("answered", "Northgate", 52, "question", "Bike marking event",
     "Are you doing another bike marking event this spring? We missed the last one.",
     "Lucy Chen", "lucy.chen@example.org"),
    ("late", "Westgate", 120, "problem", "Speeding on St Dunstan's Street",
     "Cars speed down St Dunstan's Street after 10pm. Could you do some speed checks?",
     "Owen Price", "owen.price@example.org"),
    ("spam", "Northgate", 8, "other", "Cheap watches", "Best prices on watches, click here.",
     "Promo", "promo@example.net"),
]  # fmt: skip
REPLIES = {
    "answered": (
        5,
        "Thank you for asking. We are marking bikes at Northgate Community Centre on the first Saturday of next "
        "month, 10am to 1pm. Bring proof of ownership if you can.",
    ),
    "late": (
        40,
        "Thank you, and sorry for the slow reply. We have asked the roads policing unit for speed checks on St "
        "Dunstan's Street and will patrol there in the evenings over the next month.",
    ),
}


@transaction.atomic
def load_demo_team_messages(*, log: Callable[[str], None] = print) -> None:
    officer = m.User.objects.filter(username="officer").first()
    if officer is None or m.TeamMessage.objects.exists():
        return
    now = timezone.now()
    for key, ward, hours_ago, topic, subject, body, name, email in MESSAGES:
        area = m.Neighbourhood.objects.filter(name=ward, district__name="Canterbury").first()
        if area is None:
            continue
        message = services.team_message_create(
            neighbourhood=area, sender_name=name, sender_email=email, topic=topic, subject=subject, body=body
        )
        received = now - datetime.timedelta(hours=hours_ago)
        m.TeamMessage.objects.filter(pk=message.pk).update(received_at=received)
        message.refresh_from_db()
        if key == "overdue":
            services.team_message_assign(message=message, by=officer, to=officer)
        elif key == "spam":
            services.team_message_close(message=message, by=officer, reason=m.TeamMessage.CloseReason.SPAM)
        elif key in REPLIES:
            after, text = REPLIES[key]
            services.team_message_reply(message=message, by=officer, body=text)
            answered = received + datetime.timedelta(hours=after)
            m.TeamMessage.objects.filter(pk=message.pk).update(first_response_at=answered)
            m.TeamMessageReply.objects.filter(message=message, kind="reply").update(created_at=answered)
        m.TeamMessageReply.objects.filter(message=message, kind="ack").update(created_at=received)
    m.TeamMessageReply.objects.filter(sent_at__isnull=True).update(claimed_at=now, sent_at=now, attempts=1)
    # The overdue message's 20-hour reminder went when it fell due.
    reminders.collect(
        "team_message_due", now=now, result=reminders.JobResult(job="demo"), progress=reminders.NoProgress()
    )
    m.Reminder.objects.filter(kind=m.Reminder.Kind.TEAM_MESSAGE_DUE, sent_at__isnull=True).update(sent_at=now)
    log("Demo messages to the team: 5, one past the 24-hour standard.")
