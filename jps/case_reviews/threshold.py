"""The case review threshold, checked from what JPS holds: the one home of "is it met, and on what".

What counts as a complaint (``COMPLAINT_SOURCES``): a problem logged, or a further report on it,
from a complaint, a member of the public, a call or a partner's referral (not an officer's own
observation, an analysis or a PACT meeting's agenda), and the victim's (or applicant's) own links as
complainant or victim on any problem of the force, whichever agency recorded them; plus the incidents
the applicant cites that JPS does not hold. An application is about one problem as the victim lives
it, so its linked problems, cited incidents and the victim's complaints are counted together, each
complaint once: items on the same day about the same problem are one complaint.

Single-incident rule (where the area has it): one complaint is enough when it is a hate incident (a
cited incident marked so, or a problem whose category names hate) or when the victim is vulnerable
(any ``Person.vulnerabilities`` flag).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from ..models import (
    OPEN_STAGES,
    CaseReviewApplication,
    CaseReviewSettings,
    CitedIncident,
    District,
    Person,
    PersonRole,
    Problem,
    ProblemPerson,
    ProblemReport,
    Source,
)
from ..rules import problem_ids_visible_to
from .calendar import months_before

#: How a problem or a further report came to notice for it to count as a complaint.
COMPLAINT_SOURCES = (Source.COMPLAINT, Source.COMMUNITY_CONTACT, Source.CALL_INCIDENT, Source.PARTNER_REFERRAL)
#: The roles on a problem that make a person's link a complaint of theirs.
COMPLAINT_ROLES = (PersonRole.COMPLAINANT, PersonRole.VICTIM)
#: Evidence rows shown (and counted): far above any threshold, so the list is bounded.
MAX_EVIDENCE = 200


def local_rules(district: District) -> CaseReviewSettings:
    """The area's rules: the district's row, else the force's, else the defaults (unsaved)."""
    row = (
        CaseReviewSettings.objects.filter(Q(district=district) | Q(force_id=district.force_id, district__isnull=True))
        .order_by(F("district_id").asc(nulls_last=True))
        .first()
    )
    return row or CaseReviewSettings(force_id=district.force_id)


@dataclass(frozen=True)
class EvidenceItem:
    kind: str  # "problem", "report", "person_link", "incident"
    day: datetime.date
    problem_id: int | None
    reference: str  # empty when the reader may not see the problem
    agency: str
    text: str
    hate: bool

    @property
    def complaint_key(self) -> tuple[datetime.date, str]:
        return self.day, f"problem:{self.problem_id}" if self.problem_id else f"{self.kind}:{self.text}"


@dataclass
class ThresholdCheck:
    met: bool
    rule: str  # "count", "hate", "vulnerable" or "" (not met)
    complaints: int
    required: int
    since: datetime.date
    until: datetime.date
    vulnerable: bool
    items: list[EvidenceItem] = field(default_factory=list)

    @property
    def agencies(self) -> list[str]:
        return sorted({i.agency for i in self.items if i.agency})


def _hate_q(prefix: str) -> Q:
    return Q(**{f"{prefix}category__name__icontains": "hate"}) | Q(**{f"{prefix}category__group__icontains": "hate"})


def _columns(qs: QuerySet[Any], *, kind: str, day: Any, problem: Any, agency: Any, text: Any, hate: Any) -> Any:
    # No ordering of its own: SQLite refuses ORDER BY in the parts of a UNION (the union is ordered whole).
    return (
        qs.order_by()
        .annotate(
            e_kind=Value(kind, output_field=CharField()),
            e_day=Cast(day, output_field=DateField()),
            e_problem=Cast(problem, output_field=IntegerField()),
            e_agency=Coalesce(agency, Value(""), output_field=CharField()),
            e_text=Cast(text, output_field=CharField()),
            e_hate=Cast(hate, output_field=BooleanField()),
        )
        .values_list("e_kind", "e_day", "e_problem", "e_agency", "e_text", "e_hate")
    )


def evidence_queryset(
    *,
    problem_ids: Iterable[int],
    person_ids: Iterable[int],
    application_id: int | None,
    since: datetime.date,
    until: datetime.date,
) -> Any:
    """Every complaint in the window, from the four places JPS holds them: one ``UNION ALL`` query."""
    tz = timezone.get_current_timezone()
    problems, people = list(problem_ids), list(person_ids)
    hate = Q(_hate_q(""))
    logged = Problem.objects.alias(on=TruncDate("created_at", tzinfo=tz)).filter(
        pk__in=problems, source__in=COMPLAINT_SOURCES, on__gte=since, on__lte=until
    )
    reports = ProblemReport.objects.alias(on=TruncDate("reported_at", tzinfo=tz)).filter(
        problem_id__in=problems, source__in=COMPLAINT_SOURCES, on__gte=since, on__lte=until
    )
    linked = ProblemPerson.objects.alias(on=TruncDate("added_at", tzinfo=tz)).filter(
        person_id__in=people, role__in=COMPLAINT_ROLES, on__gte=since, on__lte=until
    )
    incidents = CitedIncident.objects.filter(
        application_id=application_id, problem__isnull=True, occurred_on__gte=since, occurred_on__lte=until
    )
    first_agency = CitedIncident.reported_to.through.objects.filter(citedincident_id=OuterRef("pk")).order_by(
        "agency__name"
    )
    parts = [
        _columns(
            logged, kind="problem", day=TruncDate("created_at", tzinfo=tz), problem=F("pk"),
            agency=Coalesce("originator_agency__name", "lead_agency__name"), text=F("originator"),
            hate=Exists(Problem.objects.filter(hate, pk=OuterRef("pk"))),
        ),
        _columns(
            reports, kind="report", day=TruncDate("reported_at", tzinfo=tz), problem=F("problem_id"),
            agency=F("reported_by__agency__name"), text=F("originator"),
            hate=Exists(Problem.objects.filter(hate, pk=OuterRef("problem_id"))),
        ),
        _columns(
            linked, kind="person_link", day=TruncDate("added_at", tzinfo=tz), problem=F("problem_id"),
            agency=F("added_by__agency__name"), text=F("role"),
            hate=Exists(Problem.objects.filter(hate, pk=OuterRef("problem_id"))),
        ),
        _columns(
            incidents, kind="incident", day=F("occurred_on"), problem=Value(None),
            agency=Subquery(first_agency.values("agency__name")[:1]), text=F("description"),
            hate=F("hate_incident"),
        ),
    ]  # fmt: skip
    return parts[0].union(*parts[1:], all=True).order_by("e_day", "e_kind")[:MAX_EVIDENCE]


def threshold_check(*, application: CaseReviewApplication, user: Any = None) -> ThresholdCheck:
    """The threshold for ``application`` from what JPS holds, with the items counted.

    Everything is counted, whoever reads (the threshold is the victim's right, as a repeat count
    is a safeguarding fact); the problems the reader may not see are listed without their reference.
    """
    rules = local_rules(application.district)
    until = application.received_on
    since = months_before(until, rules.window_months)
    problem_ids = set(application.problems.values_list("pk", flat=True))
    problem_ids |= set(application.incidents.filter(problem__isnull=False).values_list("problem_id", flat=True))
    person_ids = [pk for pk in (application.applicant_id, application.behalf_of_id) if pk]
    rows = list(
        evidence_queryset(
            problem_ids=problem_ids, person_ids=person_ids, application_id=application.pk, since=since, until=until
        )
    )
    referenced = {row[2] for row in rows if row[2]}
    references = dict(Problem.objects.filter(pk__in=referenced).values_list("pk", "reference"))
    visible = referenced
    if user is not None:
        scope = Problem.objects.filter(pk__in=problem_ids_visible_to(user))
        visible = set(scope.filter(pk__in=referenced).values_list("pk", flat=True))
    items = [
        EvidenceItem(
            kind=kind,
            day=day,
            problem_id=problem_id,
            reference=references.get(problem_id, "") if problem_id in visible else "",
            agency=agency or "",
            text=(text or "") if (problem_id is None or problem_id in visible) else "",
            hate=bool(hate),
        )
        for kind, day, problem_id, agency, text, hate in rows
    ]
    return _decide(rules, items, since=since, until=until, victim=application.victim)


def _decide(
    rules: CaseReviewSettings, items: list[EvidenceItem], *, since: datetime.date, until: datetime.date, victim: Any
) -> ThresholdCheck:
    complaints = len({item.complaint_key for item in items})
    vulnerable = bool(getattr(victim, "vulnerabilities", None))
    rule = ""
    if complaints >= rules.complaints:
        rule = "count"
    elif complaints and rules.single_incident_hate and any(item.hate for item in items):
        rule = "hate"
    elif complaints and rules.single_incident_vulnerable and vulnerable:
        rule = "vulnerable"
    return ThresholdCheck(
        met=bool(rule), rule=rule, complaints=complaints, required=rules.complaints, since=since, until=until,
        vulnerable=vulnerable, items=items,
    )  # fmt: skip


# --- before anyone asks: problems and people crossing the threshold ---------------------------------


def _rule_groups() -> dict[tuple[int, int, bool, bool], list[int]]:
    """Districts grouped by the rules they follow, so each group is one query."""
    groups: dict[tuple[int, int, bool, bool], list[int]] = {}
    rows = {(r.force_id, r.district_id): r for r in CaseReviewSettings.objects.all()}
    for pk, force_id in District.objects.order_by("id").values_list("pk", "force_id"):
        rule = rows.get((force_id, pk)) or rows.get((force_id, None)) or CaseReviewSettings()
        key = (rule.complaints, rule.window_months, rule.single_incident_hate, rule.single_incident_vulnerable)
        groups.setdefault(key, []).append(pk)
    return groups


def problems_crossing_threshold(*, today: datetime.date) -> list[QuerySet[Any]]:
    """Open problems whose complaints in the window meet their area's threshold, with no application yet.

    One aggregate query per group of areas with the same rules (``complaints_n``, ``rule`` annotated).
    """
    out: list[QuerySet[Any]] = []
    on_application = CaseReviewApplication.problems.through.objects.filter(problem_id=OuterRef("pk"))
    for (n, months, hate_rule, vulnerable_rule), district_ids in _rule_groups().items():
        since = months_before(today, months)
        tz = timezone.get_current_timezone()
        reports = (
            ProblemReport.objects.alias(on=TruncDate("reported_at", tzinfo=tz))
            .filter(problem_id=OuterRef("pk"), source__in=COMPLAINT_SOURCES, on__gte=since, on__lte=today)
            .order_by()
            .values("problem_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        own = Q(source__in=COMPLAINT_SOURCES, created_at__date__gte=since)
        vulnerable = ProblemPerson.objects.filter(problem_id=OuterRef("pk"), role=PersonRole.VICTIM).exclude(
            person__vulnerabilities=[]
        )
        single = Q(pk__in=[])
        if hate_rule:
            single |= _hate_q("")
        if vulnerable_rule:
            single |= Q(Exists(vulnerable))
        queryset = (
            Problem.objects.filter(district_id__in=district_ids, stage__in=OPEN_STAGES)
            .annotate(
                complaints_n=Coalesce(Subquery(reports), 0)
                + Count("pk", filter=own)  # the problem's own report: 0 or 1
            )
            .filter(Q(complaints_n__gte=n) | (Q(complaints_n__gte=1) & single))
            .exclude(Exists(on_application))
        )
        out.append(queryset)
    return out


def people_crossing_threshold(*, today: datetime.date) -> list[QuerySet[Any]]:
    """People with as many complaints (as complainant or victim, on any problem, whichever agency
    recorded them) in the window as the threshold, who have not applied: each annotated with the
    latest such problem (``latest_problem``), whose owner and area hear of it.

    A person's problems may span areas, so the force's rules apply (its default row, else the law's
    maximum): one aggregate query per group of forces with the same rules.
    """
    groups: dict[tuple[int, int], list[int]] = {}
    rows = {r.force_id: r for r in CaseReviewSettings.objects.filter(district__isnull=True)}
    for force_id in District.objects.order_by().values_list("force_id", flat=True).distinct():
        rule = rows.get(force_id) or CaseReviewSettings()
        groups.setdefault((rule.complaints, rule.window_months), []).append(force_id)
    latest = (
        ProblemPerson.objects.filter(person_id=OuterRef("pk"), role__in=COMPLAINT_ROLES)
        .order_by("-added_at", "-id")
        .values("problem_id")[:1]
    )
    out: list[QuerySet[Any]] = []
    for (n, months), force_ids in sorted(groups.items()):
        since = months_before(today, months)
        window = Q(links__role__in=COMPLAINT_ROLES, links__added_at__date__gte=since)
        applied = CaseReviewApplication.objects.filter(
            Q(applicant_id=OuterRef("pk")) | Q(behalf_of_id=OuterRef("pk")), received_on__gte=since
        )
        out.append(
            Person.objects.filter(force_id__in=force_ids, merged_into__isnull=True)
            .annotate(complaints_n=Count("links__problem", filter=window, distinct=True))
            .filter(complaints_n__gte=n)
            .exclude(Exists(applied))
            .annotate(latest_problem=Subquery(latest))
        )
    return out
