"""Demo ASB case reviews: one application in every state, in Canterbury, led by the council's ASB
officer (``partner``), through ``jps.services`` so the history is what users would produce. Idempotent."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from jps import models as m
from jps import services
from jps.selectors import problems_visible_to

State = m.CaseReviewState
#: (applicant, days ago received, the state to walk it to, what they say)
APPLICATIONS = [
    ("Patricia Okoye", 2, State.RECEIVED, "Drug dealing from the flat next door, every night for months."),
    ("Derek Mills", 6, State.ACKNOWLEDGED, "Youths kicking footballs at my windows; nobody comes."),
    ("Joan Pearce", 20, State.THRESHOLD_NOT_MET, "Neighbour's dog barks all day."),
    ("Amir Haddad", 15, State.THRESHOLD_MET, "Racist graffiti on my door, reported three times."),
    ("Lucy Brennan", 40, State.MEETING_HELD, "Motorbikes on the estate at night; I have told everyone."),
    ("Colin Shaw", 55, State.OUTCOME_SENT, "Noise and threats from the flat above."),
    ("Margaret Ellis", 80, State.HANDLING_REVIEW, "Street drinking outside my house; the review changed nothing."),
    ("Sunita Rao", 120, State.CLOSED, "Fly-tipping behind the shops, and abuse when I complain."),
]


@transaction.atomic
def load_demo_case_reviews(*, log: Callable[[str], None] = print) -> None:
    lead = m.User.objects.filter(username="partner").select_related("agency").first()
    district = m.District.objects.filter(name="Canterbury").first()
    if lead is None or lead.agency is None or district is None or m.CaseReviewApplication.objects.exists():
        return
    police = m.Agency.objects.filter(kind=m.Agency.Kind.POLICE, force_id=district.force_id).first()
    problems = list(problems_visible_to(lead).filter(district=district).open().order_by("created_at")[:3])
    if not problems:
        return
    district.community_safety_lead = lead
    district.save(update_fields=["community_safety_lead"])
    m.CaseReviewSettings.objects.get_or_create(force_id=district.force_id, district=None)
    today = timezone.localdate()
    for name, ago, state, summary in APPLICATIONS:
        applicant = services.person_create(by=lead, name=name)
        application = services.case_review_create(
            by=lead, district=district, applicant=applicant, received_on=today - datetime.timedelta(days=ago),
            channel="phone", summary=summary, lead_agency=lead.agency, lead_officer=lead,
            problems=problems[:1],
            incidents=[services.Incident(occurred_on=today - datetime.timedelta(days=ago + 10),
                                         description=summary, hate_incident="Racist" in summary)],
        )  # fmt: skip
        _walk(application, lead=lead, police=police, to=state, problems=problems)
    log(f"Demo case reviews: {len(APPLICATIONS)} applications in Canterbury, one in every state.")


def _walk(
    application: m.CaseReviewApplication, *, lead: m.User, police: m.Agency | None, to: str, problems: list[m.Problem]
) -> None:
    assert lead.agency is not None
    if to == State.RECEIVED:
        return
    services.case_review_acknowledge(application=application, by=lead)
    if to == State.ACKNOWLEDGED:
        return
    if to == State.THRESHOLD_NOT_MET:
        services.case_review_decide(application=application, by=lead, met=False, reasons="One complaint in six months.")
        return
    services.case_review_decide(
        application=application, by=lead, met=True, reasons="Repeated reports to three agencies."
    )
    if to == State.THRESHOLD_MET:
        return
    agencies = [a for a in (lead.agency, police) if a is not None]
    services.case_review_meeting(application=application, by=lead, held_on=timezone.localdate(), agencies=agencies,
                                 findings="Reports went to three agencies and none knew of the others.")  # fmt: skip
    due = timezone.localdate() + datetime.timedelta(days=28)
    for text in ("Visit the applicant with the housing officer", "Share incident logs weekly until it stops"):
        services.case_review_recommend(application=application, by=lead, problem=problems[0], text=text,
                                       agency=lead.agency, assignee=lead, due_on=due)  # fmt: skip
    if to == State.MEETING_HELD:
        return
    services.case_review_outcome(application=application, by=lead, text="We are sorry this needed a review.")
    if to == State.OUTCOME_SENT:
        return
    if to == State.HANDLING_REVIEW:
        services.case_review_handling_review(application=application, by=lead, requested_on=timezone.localdate())
        return
    services.case_review_close(application=application, by=lead)
