"""Demo PACT meetings: a year of four-weekly meetings for four Canterbury neighbourhoods.

Every meeting and decision goes through ``jps.meetings`` (so history rows, dates adopted
and sign-offs are what users would produce). Each ward's story: a priority agreed at
the first meeting is carried over for a few months, worked through the response and
signed off; a second is agreed mid-year and still carried over; residents raise other
things along the way. The web editor published each agreed priority the morning after its
meeting, except one Northgate adopted at its latest meeting, still in the editor's queue.
Wincheap has no next meeting booked and Chartham has never met, so the supervisor's page
shows the monthly standard failing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from jps import meetings, services
from jps import models as m

from . import data

# ward: (officer, venue, address, weekday of the month's meeting, priorities)
WARDS: dict[str, tuple[str, str, str, list[tuple[str, str, str]]]] = {
    "Northgate": (
        "officer",
        "Northgate Community Centre",
        "Military Road, Canterbury CT1 1BE",
        [
            (
                "Cycling on the pavement in Northgate",
                "Cyclists riding fast on the pavement along Northgate between 8am and 9am, near-misses with pupils.",
                "Speeding and road safety",
            ),
            (
                "Litter and fly-tipping behind the Northgate shops",
                "Bags and bulky waste dumped in the service lane behind Northgate parade, weekends.",
                "Fly-tipping and litter",
            ),
        ],
    ),
    "Westgate": (
        "officer",
        "Westgate Hall",
        "Westgate Hall Road, Canterbury CT1 2BT",
        [
            (
                "Night-time noise on St Peter's Street",
                "Groups leaving bars on St Peter's Street shouting and fighting, 1am-3am, Fridays and Saturdays.",
                "Alcohol-related disorder",
            ),
            (
                "Graffiti in the Westgate Gardens underpass",
                "Tagging renewed weekly on the underpass by Westgate Gardens, mostly overnight at weekends.",
                "Criminal damage and graffiti",
            ),
        ],
    ),
    "Wincheap": (
        "officer",
        "Wincheap Community Room",
        "Hollow Lane, Canterbury CT1 3SA",
        [
            (
                "Parking on the verges of Hollow Lane",
                "Cars parked on the verges and footway of Hollow Lane during school runs, blocking buggies.",
                "Inconsiderate parking",
            ),
            (
                "Vehicle break-ins at Wincheap park and ride",
                "Cars broken into at the Wincheap park and ride in the afternoons, sat-navs and bags taken.",
                "Vehicle crime",
            ),
        ],
    ),
    "Herne Bay Heron": (
        "pcso_herne",
        "Heron Ward Library",
        "High Street, Herne Bay CT6 5JY",
        [
            (
                "Youths on the seafront shelters at night",
                "Youths gathering in the seafront shelters by the pier, 9pm-midnight, drinking and damaging seats.",
                "Anti-social behaviour: nuisance",
            ),
            (
                "Off-road bikes on the Downs",
                "Off-road motorbikes ridden across the Downs on summer evenings, scaring walkers.",
                "Anti-social behaviour: personal",
            ),
        ],
    ),
}
NO_NEXT_MEETING = "Wincheap"
#: The ward whose latest meeting adopted a priority the web editor has still to check.
WAITING_FOR_EDITOR = "Northgate"
RAISED = [
    ("Dog fouling on the recreation ground", "Referred to the council's dog warden, who now patrols weekly."),
    ("Street lights out on two roads", "Reported to Kent County Council highways; repaired within a fortnight."),
    ("Speeding on the main road", "A speed watch group is being set up with volunteers; training is booked."),
    ("Overgrown hedges blocking the footpath", "Passed to the landowner through the council."),
]
AGENCIES = ["Kent Police", "Canterbury City Council", "Kent County Council Community Wardens", "Orbit Housing"]


def meeting_times(now: datetime.datetime) -> tuple[list[datetime.datetime], list[datetime.datetime]]:
    """Thirteen four-weekly Tuesday 7pm meetings up to ``now`` (a year, oldest first) and the next three.

    Four-weekly rather than "the second Tuesday" so that every neighbourhood with a
    full calendar meets the monthly standard on any day the demo is loaded.
    """
    today = timezone.localtime(now).date()
    last_tuesday = today - datetime.timedelta(days=(today.weekday() - 1) % 7 or 7)
    anchor = timezone.make_aware(datetime.datetime.combine(last_tuesday, datetime.time(19, 0)))
    every = datetime.timedelta(days=28)
    return [anchor - every * k for k in range(12, -1, -1)], [anchor + every * k for k in range(1, 4)]


@transaction.atomic
def load_demo_meetings(*, log: Callable[[str], None] = print) -> int:
    """Load the demo meetings once (skipped if a ward already has meetings); returns how many were made."""
    force = m.Force.objects.get(code="KNT")
    names = ["officer", "pcso_herne", "supervisor", "webeditor"]
    users = {u.username: u for u in m.User.objects.filter(username__in=names)}
    agencies = list(m.Agency.objects.filter(name__in=AGENCIES))
    council = m.Agency.objects.get(name="Canterbury City Council")
    made = 0
    for ward_name, (officer_name, venue, address, priorities) in WARDS.items():
        ward = m.Neighbourhood.objects.get(district__force=force, name=ward_name)
        if ward.meetings.exists():
            continue
        made += _load_ward(
            ward=ward,
            officer=users[officer_name],
            supervisor=users["supervisor"],
            editor=users["webeditor"],
            council=council,
            agencies=agencies,
            venue=venue,
            address=address,
            priorities=priorities,
        )
    log(f"Demo meetings: {made} created.")
    return made


def _load_ward(
    *,
    ward: m.Neighbourhood,
    officer: m.User,
    supervisor: m.User,
    editor: m.User,
    council: m.Agency,
    agencies: list[m.Agency],
    venue: str,
    address: str,
    priorities: list[tuple[str, str, str]],
) -> int:
    past, future = meeting_times(timezone.now())
    held: list[m.Meeting] = []
    for index, starts in enumerate(past):
        meeting = meetings.meeting_create(
            by=officer,
            neighbourhoods=[ward],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1, minutes=30),
            venue=venue,
            address=address,
            chair=officer if index % 2 else None,
            chair_name="" if index % 2 else "Community chair (residents' association)",
            agencies=agencies[: 2 + index % 3],
            residents_attending=8 + (index * 7) % 19,
            public_agenda="Review the ward's priorities, hear residents' concerns and agree what to do next.",
            notes="Minutes taken by the neighbourhood officer.",
        )
        held.append(meeting)
    upcoming = [] if ward.name == NO_NEXT_MEETING else future
    for starts in upcoming:
        meetings.meeting_create(
            by=officer,
            neighbourhoods=[ward],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1, minutes=30),
            venue=venue,
            address=address,
            public_agenda="Agree the ward's priorities for the coming months. All residents welcome.",
        )
    agreed = [(0, priorities[0]), (6, priorities[1])]
    first, second = (_agree(held[i], officer, ward, row, editor=editor) for i, row in agreed)
    for meeting in held[1:4]:
        meetings.meeting_carry_over(
            meeting=meeting,
            by=officer,
            problem=first,
            progress_note="Patrols at the reported times; partners updated on progress.",
            public_response="Patrols are running at the times you told us about; partners are working with us.",
        )
    _walk_to_response(first, officer=officer, council=council)
    meetings.meeting_sign_off(
        meeting=held[4],
        by=officer,
        problem=first,
        public_outcome="Reports have fallen by more than half since the joint action began; residents agreed to "
        "close the priority.",
        outcome="reduced",
        reduction_percent=60,
        objective_met="Reports more than halved, meeting the objective.",
        evidence="Calls and partner reports, three months before and after.",
        displacement_checked=True,
    )
    services.problem_transition(problem=first, to=m.Stage.CLOSED, by=supervisor, reason="Signed off at PACT")
    for meeting in held[7:]:
        meetings.meeting_carry_over(
            meeting=meeting,
            by=officer,
            problem=second,
            progress_note="Work continues with the council.",
            public_response="Work continues with the council; we will report back next month.",
        )
    for index, meeting in enumerate(held[2::3]):
        summary, response = RAISED[index % len(RAISED)]
        meetings.meeting_raise(meeting=meeting, by=officer, summary=summary, public_response=response)
    if ward.name == WAITING_FOR_EDITOR:
        _adopt_awaiting_editor(held[-1], officer)
    return len(held) + len(upcoming)


def _agree(
    meeting: m.Meeting, officer: m.User, ward: m.Neighbourhood, row: tuple[str, str, str], *, editor: m.User
) -> m.Problem:
    """A priority agreed at the meeting (the officer saw the duplicate check's suggestions and confirmed it
    new) and published by the web editor the next morning, with the words as recorded."""
    title, statement, category_name = row
    item = meetings.meeting_agree_new_priority(
        meeting=meeting,
        by=officer,
        neighbourhood=ward,
        category=m.Category.objects.get(name=category_name),
        title=title,
        description=f"{statement} Agreed at the {meeting}.",
        problem_statement=statement,
        location=ward.name,
        confirm_new=True,
    )
    assert item.problem is not None
    meetings.meeting_priority_decide(
        item=item, by=editor, approve=True, public_title=item.problem.public_name, summary=item.summary
    )
    created = timezone.make_aware(datetime.datetime.combine(meeting.date, datetime.time(21, 0)))
    decided = created + datetime.timedelta(hours=12)
    m.Problem.objects.filter(pk=item.problem.pk).update(created_at=created)
    m.MeetingItem.objects.filter(pk=item.pk).update(recorded_at=created, decided_at=decided)
    return item.problem


def _adopt_awaiting_editor(meeting: m.Meeting, officer: m.User) -> None:
    """At the latest meeting, an open problem already on the tracker adopted as a priority: it waits in the
    web editor's queue, so the demo shows the check (and the public site does not show it yet)."""
    problem = meetings.meeting_problem_choices(user=officer, meeting=meeting, kind=m.MeetingItem.Kind.AGREED).first()
    if problem is not None:
        meetings.meeting_adopt_existing(
            meeting=meeting, by=officer, problem=problem, summary=f"Residents asked for action on: {problem.title}"
        )


def _walk_to_response(problem: m.Problem, *, officer: m.User, council: m.Agency) -> None:
    services.problem_transition(problem=problem, to=m.Stage.ANALYSIS, by=officer)
    services.analysis_save(
        problem=problem,
        by=officer,
        victim="Residents and passers-by; guardians: shop staff and the council's wardens.",
        offender="A small number of repeat offenders.",
        location="The place and times residents described at the meeting.",
        objective="Halve related reports within three months.",
    )
    services.problem_transition(problem=problem, to=m.Stage.RESPONSE, by=officer)
    names = [name for name, _group in data.CATEGORIES]
    prevention = next(
        text
        for kind, text, _who, _due in data.RESPONSES[names.index(problem.category.name)]["actions"]
        if kind == "prevention"
    )
    action = services.action_add(
        problem=problem,
        by=officer,
        action_type="prevention",
        description=prevention,
        agency=council,
    )
    services.action_update(action=action, by=officer, status="done", result="Completed; the hotspot was improved.")
