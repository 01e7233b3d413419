"""Demo residents' reports (issue 20): new ones waiting for the Canterbury team (one past the triage target),
one accepted as a new problem, one attached to a problem the team works, one declined with its reason, and
residents' answers to "has it been fixed?" on closed problems, one of them "no".

Through ``jps.services`` as the Canterbury officer, as a user would; only the dates are moved back afterwards,
as the demo loader backdates its problems. The emails the story implies (acknowledgements, "taken on",
closure, questionnaire) are recorded as sent then, so loading the demo emails no one. Idempotent: nothing is
added when the demo already has residents' reports.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jps import models as m
from jps import services
from jps.residents.notices import notices_collect

Status = m.ResidentReport.Status

#: (key, neighbourhood, category, days ago, what the resident wrote, name, email).
REPORTS = [
    ("new", "Northgate", "Inconsiderate parking", 0,
     "Vans parked on the pavement outside the school on Northgate every morning; pushchairs go in the road.",
     "Amira Hassan", "amira.hassan@example.org"),
    ("overdue", "Wincheap", "Anti-social behaviour: nuisance", settings.JPS_RESIDENT_TRIAGE_DAYS + 3,
     "Fireworks let off in the park behind Wincheap Grove most evenings around 9pm; the dogs are terrified.",
     "", ""),
    ("accepted", "Westgate", "Criminal damage and graffiti", 12,
     "New graffiti tags on the bus shelter and the wall of the Westgate Gardens toilets, worse every week.",
     "Tom Fielding", "tom.fielding@example.org"),
    ("attached", "Northgate", "Anti-social behaviour: personal", 9,
     "Young people drinking and shouting outside the off-licence on the parade again last Friday.",
     "", "northgate.resident@example.org"),
    ("declined", "Wincheap", "Fly-tipping and litter", 6,
     "Mattresses dumped in the lane behind the garages on Wincheap again.",
     "Jan Price", "jan.price@example.org"),
    ("not_fixed", "Northgate", "Anti-social behaviour: nuisance", 0,
     "Motorbikes racing round the estate late at night, several nights a week.",
     "Pat Morgan", "pat.morgan@example.org"),
    ("fixed", "Northgate", "Anti-social behaviour: nuisance", 0,
     "People gathering and drinking by the flats' bin store every weekend.",
     "", "resident.flats@example.org"),
]  # fmt: skip
DECLINED = (
    "Fly-tipping is dealt with by Canterbury City Council, not the neighbourhood policing team. We have passed "
    "your report on; you can also report it at canterbury.gov.uk/flytipping."
)
ANSWERS = {
    "not_fixed": (False, "Still happening. Quieter for a fortnight after the patrols, now back every Friday."),
    "fixed": (True, "Much better since the fence went up. Thank you."),
}


@transaction.atomic
def load_demo_residents(*, log: Callable[[str], None] = print) -> None:
    officer = m.User.objects.filter(username="officer").first()
    if officer is None or m.ResidentReport.objects.exists():
        return
    now = timezone.now()
    closed = list(
        m.Problem.objects.filter(
            neighbourhood=_ward("Northgate"), stage__in=m.CLOSED_STAGES, closed_at__isnull=False
        ).order_by("-closed_at")[: len(ANSWERS)]
    )
    made: dict[str, m.ResidentReport] = {}
    for key, ward, category, days_ago, text, name, email in REPORTS:
        report = services.resident_report_create(
            neighbourhood=_ward(ward),
            category=m.Category.objects.get(name=category),
            description=text,
            location=f"{ward}, Canterbury",
            reporter_name=name,
            reporter_email=email,
            consent=bool(email),
        )
        m.ResidentReport.objects.filter(pk=report.pk).update(created_at=now - datetime.timedelta(days=days_ago))
        made[key] = report
    _triage(made, officer=officer, now=now)
    for (key, (fixed, comment)), problem in zip(ANSWERS.items(), closed, strict=False):
        _answer(made[key], problem=problem, officer=officer, fixed=fixed, comment=comment, now=now)
    _sent_already(list(made.values()), now=now)
    log(f"Demo residents' reports: {len(made)}, two of them waiting for triage.")


def _ward(name: str) -> m.Neighbourhood:
    return m.Neighbourhood.objects.get(name=name, district__name="Canterbury")


def _triage(made: dict[str, m.ResidentReport], *, officer: m.User, now: datetime.datetime) -> None:
    services.resident_report_accept(
        report=made["accepted"], by=officer, title="Graffiti tags on the bus shelter and Westgate Gardens toilets"
    )
    parade = (
        m.Problem.objects.filter(neighbourhood=_ward("Northgate"), stage__in=m.OPEN_STAGES)
        .order_by("created_at")
        .first()
    )
    if parade is not None:
        services.resident_report_attach(report=made["attached"], by=officer, problem=parade)
    services.resident_report_decline(report=made["declined"], by=officer, reason=DECLINED)
    for key in ("accepted", "attached", "declined"):
        report = made[key]
        report.refresh_from_db()
        m.ResidentReport.objects.filter(pk=report.pk).update(triaged_at=report.created_at + datetime.timedelta(days=1))


def _answer(
    report: m.ResidentReport,
    *,
    problem: m.Problem,
    officer: m.User,
    fixed: bool,
    comment: str,
    now: datetime.datetime,
) -> None:
    """Taken on before the problem closed (as the story goes), then answered four weeks after it closed."""
    assert problem.closed_at is not None
    taken_on = problem.closed_at - datetime.timedelta(days=30)
    m.ResidentReport.objects.filter(pk=report.pk).update(
        status=Status.ACCEPTED,
        problem=problem,
        triaged_by=officer,
        triaged_at=taken_on,
        created_at=taken_on - datetime.timedelta(days=1),
    )
    services.resident_report_feedback(report=report, fixed=fixed, comment=comment)
    answered = min(now - datetime.timedelta(hours=3), problem.closed_at + datetime.timedelta(days=29))
    m.ResidentReport.objects.filter(pk=report.pk).update(feedback_at=answered)


def _sent_already(reports: list[m.ResidentReport], *, now: datetime.datetime) -> None:
    """The emails of the story went when it happened: recorded as sent, so the demo's worker sends nothing.

    Collected as of four weeks on, so the questionnaires the residents answered count as sent even where
    the demo's problem closed more recently than that.
    """
    notices_collect(now=now + datetime.timedelta(days=settings.JPS_RESIDENT_QUESTIONNAIRE_DAYS))
    m.ResidentNotice.objects.filter(report__in=reports, sent_at__isnull=True).update(
        claimed_at=now, sent_at=now, attempts=1
    )
