"""Demo contact agreements: the Doyle family kept informed, some contacts on time, one overdue (issue 18).

Through ``jps.services`` as the Canterbury officer, as a user would; only the dates are moved back
afterwards (agreed weeks ago), the way the demo loader backdates its problems, so the contacts then
logged in the past answer real due dates and the dashboard's "contacts made on time" has something
to count. Idempotent: nothing is added when the family already has an agreement.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from jps import models as m
from jps import services

#: (person, role, method, every days, times to avoid, agreed days ago, [(days ago, reached, summary)]).
AGREEMENTS = [
    (
        "Sharon Doyle",
        "victim",
        "phone",
        7,
        "Not before 10am; not after 8pm",
        35,
        [
            (28, True, "Told her about the extra patrols on Friday and Saturday nights; she feels listened to."),
            (20, True, "Called a day late: noise down since the warning letter; she is sleeping better."),
            (14, False, "No answer; left a voicemail asking her to call back."),
            (13, True, "She called back: two quiet weekends; asked about the housing meeting."),
        ],
    ),
    ("Kieran Doyle", "complainant", "email", 14, "", 10, []),
    (
        "Sharon Doyle",
        "victim",
        "visit",
        14,
        "School run 8–9am and 3–4pm",
        20,
        [(6, True, "Visited with the housing officer: the tenancy warning is served; she is reassured.")],
    ),
    ("Sharon Doyle", "victim", "phone", 28, "Not after 8pm", 0, []),
]


@transaction.atomic
def load_demo_contacts(*, log: Callable[[str], None] = print) -> None:
    officer = m.User.objects.filter(username="officer").first()
    if officer is None or m.Contact.objects.filter(link__person__name="Sharon Doyle").exists():
        return
    victim_links = list(
        m.ProblemPerson.objects.filter(person__name="Sharon Doyle", role="victim").order_by("problem__created_at")
    )
    complainant = m.ProblemPerson.objects.filter(person__name="Kieran Doyle", role="complainant").first()
    links = [*victim_links[:1], complainant, *victim_links[1:]]
    now = timezone.now()
    made = 0
    for link, (_, _, method, every, avoid, agreed_ago, contacts) in zip(links, AGREEMENTS, strict=False):
        if link is None or not link.problem.is_open:
            continue
        contact = services.contact_agree(
            link=link, by=officer, preferred_method=method, contact_every_days=every, times_to_avoid=avoid
        )
        agreed = now - datetime.timedelta(days=agreed_ago)
        first_due = timezone.localdate(agreed) + datetime.timedelta(days=every)
        m.Contact.objects.filter(pk=contact.pk).update(agreed_at=agreed, next_contact_due=first_due)
        contact.refresh_from_db()
        for days_ago, reached, summary in contacts:
            services.contact_log(
                contact=contact,
                by=officer,
                contacted_at=now - datetime.timedelta(days=days_ago, hours=2),
                method=method,
                summary=summary,
                reached=reached,
            )
        made += 1
    log(f"Demo contacts: {made} contact agreements with the Doyle family, one of them overdue.")
