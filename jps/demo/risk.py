"""Demo risk assessments: the Doyle family's mother assessed on each of her problems (high on two), and a
shopkeeper in Dover targeted because of his religion (high), so both district sergeants have a high-risk victim.

All through ``jps.services`` against the national default questionnaire, as the officers who would do it;
idempotent (nothing is added once any assessment exists). Runs after ``load_demo_people``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction

from jps import models as m
from jps import selectors, services

Occasion = m.RiskAssessment.Occasion

#: Sharon Doyle on each of her problems, oldest first: (occasion, questions answered yes), in order.
SHARON = [
    [
        (Occasion.FIRST_CONTACT, {"repeat", "health", "sleep", "isolated"}),  # 7: medium
        (Occasion.CHANGED, {"repeat", "health", "sleep", "isolated", "afraid_at_home", "vulnerable"}),  # 12: high
    ],
    [(Occasion.FIRST_CONTACT, {"repeat", "health", "vulnerable", "afraid_at_home", "children", "reprisals"})],  # 13
    [(Occasion.FIRST_CONTACT, {"repeat", "sleep", "not_acted_on", "moving"})],  # 5: standard
]
ARJUN = ("Arjun Mehta", "Shopkeeper; windows smashed and abuse shouted about his religion.")
ARJUN_YES = {"targeted", "repeat", "threatened", "property", "reprisals", "daily_life"}  # 12: high


def _answers(questionnaire: m.RiskQuestionnaire, yes: set[str]) -> dict[str, bool]:
    return {q.key: q.key in yes for q in questionnaire.questions.all()}


def _assess(link: m.ProblemPerson, by: m.User, rounds: Sequence[tuple[str, set[str]]]) -> None:
    questionnaire = selectors.risk_questionnaire_for(problem=link.problem)
    if questionnaire is None:
        return
    for occasion, yes in rounds:
        services.risk_assess(link=link, answers=_answers(questionnaire, yes), occasion=occasion, by=by)


@transaction.atomic
def load_demo_risk(*, log: Callable[[str], None] = print) -> None:
    if m.RiskAssessment.objects.exists():
        return
    services.risk_questionnaire_default_ensure()
    officer = m.User.objects.filter(username="officer").first()
    sharon = m.ProblemPerson.objects.filter(person__name="Sharon Doyle", role=m.PersonRole.VICTIM)
    links = list(sharon.select_related("problem").order_by("problem__created_at"))
    if officer is not None:
        for link, rounds in zip(links, SHARON, strict=False):
            if officer.has_perm("jps.assess_risk", link.problem):
                _assess(link, officer, rounds)
    dover = m.User.objects.filter(username="pc_dover").first()
    problem = None
    if dover is not None:
        open_here = m.Problem.objects.filter(stage__in=m.OPEN_STAGES, district_id__in=dover.scope_district_ids)
        problem = next((p for p in open_here.order_by("created_at") if dover.has_perm("jps.assess_risk", p)), None)
    if dover is not None and problem is not None:
        name, note = ARJUN
        arjun = services.person_create(by=dover, name=name, vulnerability_note=note)
        link = services.problem_person_link(problem=problem, person=arjun, role="victim", by=dover)
        _assess(link, dover, [(Occasion.FIRST_CONTACT, ARJUN_YES)])
    high = selectors.risk_assessments_current().filter(level=m.Risk.HIGH).count()
    log(f"Demo risk assessments: {m.RiskAssessment.objects.count()} made, {high} victims at high risk now.")
