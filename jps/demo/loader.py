"""Load the demo force idempotently, walking each problem through the real services.

Going through ``jps.services`` (not bulk inserts) means the demo's history rows,
references and review dates are exactly what users would produce.
"""

from __future__ import annotations

import datetime
from base64 import b32decode
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from jps import models as m
from jps import publishing, services, two_factor

from . import data
from .attachments import load_demo_attachments
from .case_reviews import load_demo_case_reviews
from .contacts import load_demo_contacts
from .meetings import load_demo_meetings
from .panels import load_demo_panels
from .people import load_demo_people
from .residents import load_demo_residents
from .risk import load_demo_risk
from .team_messages import load_demo_team_messages
from .tiers import load_demo_tiers
from .welsh import load_demo_welsh

DISTRICT_SUPERVISOR = {
    "Canterbury": "supervisor",
    "Dover": "sgt_dover",
    "Maidstone": "sgt_maidstone",
    "Thanet": "sgt_maidstone",
}
DISTRICT_COUNCIL = {
    "Canterbury": "Canterbury City Council",
    "Dover": "Dover District Council",
    "Maidstone": "Maidstone Borough Council",
    "Thanet": "Thanet District Council",
}
PARTNER_AGENCY = {"P1": "Canterbury City Council", "P2": "Orbit Housing"}
FLOW: list[str] = [m.Stage.SCANNING, m.Stage.ANALYSIS, m.Stage.RESPONSE, m.Stage.ASSESSMENT, m.Stage.CLOSED]


class DemoLoader:
    def __init__(self, *, password: str, log: Callable[[str], None] = print) -> None:
        self.password = password
        self.log = log
        self.today = timezone.localdate()

    @transaction.atomic
    def load(self) -> None:
        self.force, _ = m.Force.objects.get_or_create(code=data.FORCE["code"], defaults=data.FORCE)
        self.load_places()
        self.load_agencies()
        self.load_categories()
        self.load_users()
        self.load_two_factor()
        created = sum(self.load_problem(index, row) for index, row in enumerate(data.PROBLEMS))
        self.log(f"Demo problems: {created} created, {len(data.PROBLEMS) - created} already present.")
        load_demo_meetings(log=self.log)
        load_demo_people(log=self.log)
        load_demo_case_reviews(log=self.log)
        load_demo_tiers(users=self.users, log=self.log)
        load_demo_risk(log=self.log)
        load_demo_contacts(log=self.log)
        load_demo_panels(log=self.log)
        load_demo_residents(log=self.log)
        load_demo_team_messages(log=self.log)
        load_demo_welsh(password=self.password, log=self.log)
        load_demo_attachments(log=self.log)
        # The public site is published once, in full, after the load (``make demo``), not by this commit.
        publishing.publish_soon_cancel()

    # --- reference data -----------------------------------------------------------------

    def load_places(self) -> None:
        self.wards: dict[str, m.Neighbourhood] = {}
        for district_name, wards in data.DISTRICTS.items():
            district, _ = m.District.objects.get_or_create(
                force=self.force, slug=slugify(district_name), defaults={"name": district_name}
            )
            for name, public, character, lat, lon in wards:
                ward, _ = m.Neighbourhood.objects.get_or_create(
                    district=district,
                    slug=slugify(name),
                    defaults={
                        "name": name,
                        "public_name": public,
                        "character": character,
                        "latitude": Decimal(str(lat)),
                        "longitude": Decimal(str(lon)),
                    },
                )
                self.wards[name] = ward

    def load_agencies(self) -> None:
        self.agencies = {}
        for name, kind, email in data.AGENCIES:
            agency, _ = m.Agency.objects.get_or_create(
                name=name, defaults={"kind": kind, "force": self.force, "contact_email": email}
            )
            self.agencies[name] = agency

    def load_categories(self) -> None:
        self.categories = []
        for name, group in data.CATEGORIES:
            category, _ = m.Category.objects.get_or_create(slug=slugify(name), defaults={"name": name, "group": group})
            self.categories.append(category)

    def load_users(self) -> None:
        self.users: dict[str, m.User] = {}
        for username, (role, agency, first, last, districts, wards) in data.USERS.items():
            user, created = m.User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "agency": self.agencies[agency],
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@jps.example",
                    "is_staff": role == "admin",
                    "is_superuser": role == "admin",
                },
            )
            user.set_password(self.password)
            user.save()
            services.user_scope_set(
                user=user,
                districts=m.District.objects.filter(force=self.force, name__in=districts),
                neighbourhoods=[self.wards[w] for w in wards],
            )
            self.users[username] = user
        canterbury = m.District.objects.get(force=self.force, slug="canterbury")
        if canterbury.inspector_id is None:
            canterbury.inspector = self.users["insp_canterbury"]
            canterbury.escalation_email = "canterbury.inspector@kent.police.example"
            canterbury.save()

    def load_two_factor(self) -> None:
        """Administrators need two-factor: the demo admin gets an authenticator with the published secret."""
        admin = self.users["admin"]
        if two_factor.has_confirmed_device(admin):
            return
        device = m.TOTPDevice(
            user=admin, name="Demo authenticator", confirmed=True, key=b32decode(data.DEMO_TOTP_SECRET).hex()
        )
        device._history_user = admin  # type: ignore[attr-defined]
        device._change_reason = "demo"  # type: ignore[attr-defined]
        device.full_clean()
        device.save()

    # --- problems -----------------------------------------------------------------------

    def load_problem(self, index: int, row: tuple[Any, ...]) -> bool:
        title, statement, cat, source, originator, ward_name, owner_name, partner, target, overdue, public = row
        ward = self.wards[ward_name]
        if m.Problem.objects.filter(title=title, neighbourhood=ward).exists():
            return False
        owner = self.users[owner_name]
        district = ward.district.name
        supervisor = self.users[DISTRICT_SUPERVISOR[district]]
        partner_agency = self.agencies[PARTNER_AGENCY[partner] if partner else DISTRICT_COUNCIL[district]]
        age_days = 20 + (index * 13) % 200
        problem = services.problem_create(
            by=owner,
            neighbourhood=ward,
            category=self.categories[cat],
            source=source,
            originator=originator,
            title=title,
            description=f"{statement} Raised by {originator}.",
            problem_statement=statement,
            risk=["standard", "medium", "high"][index % 3],
            classification=["chronic", "recurrent", "spike"][index % 3],
            location=ward.name,
            latitude=ward.latitude,
            longitude=ward.longitude,
        )
        if public:  # adopted by the district's supervisor, as the write policy requires
            services.problem_public_set(
                problem=problem,
                by=supervisor,
                public_priority=True,
                adopted_on=self.today - datetime.timedelta(days=age_days),
                public_title=title,
            )
        if partner:
            services.problem_add_partner(problem=problem, agency=partner_agency, by=owner)
        if index % 4 == 0:
            services.contact_add(
                problem=problem,
                by=owner,
                kind="complainant",
                name="A. Resident",
                phone="01227 000000",
                preferred_method="phone",
                contact_every_days=28,
                times_to_avoid="Weekday mornings",
            )
        self.add_updates(problem, owner=owner, public=public, index=index, final=target in m.CLOSED_STAGES)
        self.walk(problem, target, owner=owner, supervisor=supervisor, partner_agency=partner_agency, index=index)
        self.backdate(problem, age_days=age_days, overdue=overdue, index=index)
        if target == m.Stage.CLOSED and index % 3 != 2:
            self.evaluate(problem, index=index)
        return True

    def walk(
        self,
        problem: m.Problem,
        target: str,
        *,
        owner: m.User,
        supervisor: m.User,
        partner_agency: m.Agency,
        index: int,
    ) -> None:
        if target == m.Stage.CLOSED_NO_ACTION:
            services.problem_transition(
                problem=problem, to=target, by=supervisor, reason="Parish council now leads; no police action needed."
            )
            return
        for stage in FLOW[1 : FLOW.index(target) + 1]:
            if stage == m.Stage.RESPONSE:
                services.analysis_save(
                    problem=problem,
                    by=owner,
                    victim="Local residents and businesses; guardians: shop staff, housing officers.",
                    offender="A small group of repeat offenders known to the team.",
                    location="A few hotspots with poor lighting and little natural surveillance.",
                    data_sources="Calls for service, partner complaints, patrol logs.",
                    causes="Easy access and no capable guardian at the peak times.",
                    objective="Reduce related calls by half within three months.",
                )
            if stage == m.Stage.ASSESSMENT or (stage == m.Stage.RESPONSE and target == m.Stage.RESPONSE):
                self.plan_actions(problem, owner=owner, partner_agency=partner_agency, done=stage == m.Stage.ASSESSMENT)
            if stage == m.Stage.CLOSED:
                services.assessment_save(
                    problem=problem,
                    by=owner,
                    outcome="reduced",
                    reduction_percent=40 + index % 50,
                    measure_before="24 calls in the three months before",
                    measure_after="11 calls in the three months after",
                    displacement_checked=True,
                    displacement_notes="Neighbouring streets checked: no rise.",
                    objective_met="Calls more than halved, meeting the objective.",
                    evidence="Call data and partner complaint logs, before and after.",
                )
                services.problem_public_set(
                    problem=problem,
                    by=supervisor,
                    public_outcome="Reports have fallen by more than half since the joint action began.",
                )
                services.problem_request_closure(problem=problem, by=owner)
                services.problem_transition(problem=problem, to=stage, by=supervisor, reason="Objective met")
            else:
                services.problem_transition(problem=problem, to=stage, by=owner)
        if target == m.Stage.ASSESSMENT and index % 2 == 0:
            services.assessment_save(
                problem=problem,
                by=owner,
                outcome="less_serious",
                measure_before="Weekly incidents",
                measure_after="Occasional incidents",
                displacement_checked=True,
                objective_met="Incidents now occasional and less serious.",
                evidence="Patrol logs and resident feedback.",
            )
            services.problem_request_closure(problem=problem, by=owner)
        if problem.is_open and index % 2:
            services.review_record(
                problem=problem, by=supervisor, comment="Plan is sound; keep going.", decision="continue"
            )

    def plan_actions(self, problem: m.Problem, *, owner: m.User, partner_agency: m.Agency, done: bool) -> None:
        if problem.actions.exists():
            for action in problem.actions.all():
                services.action_update(action=action, by=owner, status="done", result="Completed as planned.")
            return
        police = owner.agency
        assert police is not None
        response = data.RESPONSES[self.category_index(problem)]
        planned = [
            (kind, text, police if who == "police" else partner_agency, due)
            for kind, text, who, due in response["actions"]
        ]
        for kind, text, agency, due in planned:
            action = services.action_add(
                problem=problem,
                by=owner,
                action_type=kind,
                description=text,
                agency=agency,
                due_on=self.today + datetime.timedelta(days=due),
            )
            if done or kind == "enforcement":
                services.action_update(action=action, by=owner, status="done", result="Completed as planned.")

    def add_updates(self, problem: m.Problem, *, owner: m.User, public: bool, index: int, final: bool) -> None:
        response = data.RESPONSES[self.category_index(problem)]
        services.update_add(problem=problem, by=owner, text=response["note"])
        if not public:
            return
        editor = self.users["webeditor"]
        text, public_text = response["update"]
        approved = services.update_add(problem=problem, by=owner, text=text, propose_public=True)
        services.update_decide(update=approved, by=editor, approve=True, public_text=public_text)
        if index % 2 == 0 and not final:
            services.update_add(problem=problem, by=owner, text=response["next"], propose_public=True)

    def category_index(self, problem: m.Problem) -> int:
        """The problem's category as its index in ``data.CATEGORIES``: which of ``data.RESPONSES`` fits it."""
        return self.categories.index(problem.category)

    def backdate(self, problem: m.Problem, *, age_days: int, overdue: bool, index: int) -> None:
        created = timezone.now() - datetime.timedelta(days=age_days)
        changes: dict[str, Any] = {"created_at": created}
        if overdue:
            changes["next_review_due"] = self.today - datetime.timedelta(days=3 + index % 25)
        # Spread the audit trail over the problem's life, so its history reads like real work.
        rows = list(problem.history.order_by("history_date", "history_id").values_list("history_id", "stage"))
        step = datetime.timedelta(days=age_days) / (len(rows) + 1)
        for position, (history_id, _) in enumerate(rows):
            problem.history.filter(history_id=history_id).update(history_date=created + step * position)
        entered = [created + step * i for i, (_, stage) in enumerate(rows) if i == 0 or rows[i - 1][1] != stage]
        if self.spread_stage_changes(problem, entered):
            changes["stage_changed_at"] = entered[-1]
        m.Problem.objects.filter(pk=problem.pk).update(**changes)

    def spread_stage_changes(self, problem: m.Problem, entered: list[datetime.datetime]) -> bool:
        """Date the stage changes as the history now dates them: the first history row of each run
        of one stage is the change into it, so the timeline and "days in stage" read like real work."""
        changes = list(problem.stage_changes.order_by("at", "id"))
        if len(changes) != len(entered):
            return False
        for change, at, previous in zip(changes, entered, [None, *entered], strict=False):
            change.at, change.from_entered_at = at, previous
        m.StageChange.objects.bulk_update(changes, ["at", "from_entered_at"])
        return True

    def evaluate(self, problem: m.Problem, *, index: int) -> None:
        green = index % 2 == 1
        services.evaluation_record(
            problem=problem,
            by=self.users["analyst"],
            rating="green" if green else "amber",
            learning="Joint patrols with the partner at the peak hour made the difference."
            if green
            else "The response worked but partners joined late; bring them in at scanning.",
            what_worked="Early partner involvement; targeted timing.",
            what_did_not="" if green else "Slow hand-over between agencies.",
            transferable=green,
            best_practice=green,
            tags=["partnership", "environmental design"] if green else ["partnership"],
            learning_needs=[] if green else [{"role": "officer", "skill": "Partnership problem solving"}],
        )
