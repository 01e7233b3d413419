"""Contact agreements with victims and complainants: the due date, the log, closure, privacy, history (issue 18)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jps import models as m
from jps import privacy, services
from jps.services import FinalContactRequired, TransitionRefused
from tests.frontend import helpers as h

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=LONDON)


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def link(problem: m.Problem, by: m.User, name: str, role: str = "victim") -> m.ProblemPerson:
    person = services.person_create(by=by, name=name)
    return services.problem_person_link(problem=problem, person=person, role=role, by=by)


@pytest.fixture
def victim(problem, pcso) -> m.ProblemPerson:  # type: ignore[no-untyped-def]
    return link(problem, pcso, "Sharon Doyle")


def weekly(victim: m.ProblemPerson, by: m.User, **extra) -> m.Contact:  # type: ignore[no-untyped-def]
    return services.contact_agree(link=victim, by=by, preferred_method="phone", contact_every_days=7, **extra)


# --- the due date and the log ------------------------------------------------------------------


def test_logging_a_contact_moves_the_next_date_on_by_the_agreed_frequency(victim, pcso):
    with time_machine.travel(at("2026-06-01"), tick=False):
        contact = weekly(victim, pcso, times_to_avoid="Not after 8pm")
    assert (contact.next_contact_due, contact.kind, contact.name) == (d("2026-06-08"), "victim", "Sharon Doyle")
    assert contact.agreed_by == pcso and contact.link == victim

    with time_machine.travel(at("2026-06-06"), tick=False):  # two days early: on time; next a week from today
        early = services.contact_log(contact=contact, by=pcso, method="phone", summary="Patrols up", reached=True)
    contact.refresh_from_db()
    assert (early.due_on, early.on_time, contact.next_contact_due) == (d("2026-06-08"), True, d("2026-06-13"))

    with time_machine.travel(at("2026-06-13"), tick=False):  # not reached: the contact stays due
        missed = services.contact_log(contact=contact, by=pcso, method="phone", summary="No answer", reached=False)
    contact.refresh_from_db()
    assert (missed.due_on, missed.on_time, contact.next_contact_due) == (None, None, d("2026-06-13"))

    with time_machine.travel(at("2026-06-15"), tick=False):  # reached two days late
        late = services.contact_log(contact=contact, by=pcso, method="visit", summary="Visited", reached=True)
    contact.refresh_from_db()
    assert (late.due_on, late.on_time, contact.next_contact_due) == (d("2026-06-13"), False, d("2026-06-22"))

    with time_machine.travel(at("2026-06-20"), tick=False):  # the final contact ends the reminders
        services.contact_log(contact=contact, by=pcso, method="phone", summary="Outcome told", reached=True, final=True)
    contact.refresh_from_db()
    assert contact.next_contact_due is None
    assert list(contact.log.values_list("reached", "final")) == [
        (True, True),
        (True, False),
        (False, False),
        (True, False),
    ]


def test_a_contact_logged_late_and_older_than_the_last_moves_nothing(victim, pcso):
    with time_machine.travel(at("2026-06-01"), tick=False):
        contact = weekly(victim, pcso)
    with time_machine.travel(at("2026-06-10"), tick=False):
        services.contact_log(contact=contact, by=pcso, method="phone", summary="Spoke", reached=True)
        older = services.contact_log(
            contact=contact,
            by=pcso,
            method="visit",
            summary="Forgot this visit",
            reached=True,
            contacted_at=at("2026-06-05"),
        )
    contact.refresh_from_db()
    assert older.due_on is None and contact.next_contact_due == d("2026-06-17")


def test_a_new_frequency_moves_the_next_date_from_the_last_contact_but_never_into_the_past(victim, pcso):
    with time_machine.travel(at("2026-06-01"), tick=False):
        contact = services.contact_agree(link=victim, by=pcso, preferred_method="phone", contact_every_days=28)
        services.contact_log(contact=contact, by=pcso, method="phone", summary="Spoke", reached=True)
    with time_machine.travel(at("2026-06-03"), tick=False):
        services.contact_update(contact=contact, by=pcso, contact_every_days=7)
        assert contact.next_contact_due == d("2026-06-08")
    with time_machine.travel(at("2026-06-20"), tick=False):
        services.contact_update(contact=contact, by=pcso, contact_every_days=14)
        assert contact.next_contact_due == d("2026-06-20")  # 1 June + 14 days has passed: today at the earliest
        services.contact_update(contact=contact, by=pcso, next_contact_due=d("2026-07-01"), times_to_avoid=" Sundays ")
    contact.refresh_from_db()
    assert (contact.next_contact_due, contact.times_to_avoid) == (d("2026-07-01"), "Sundays")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"contact_every_days": 0}, "contact_every_days"),
        ({"contact_every_days": 400}, "contact_every_days"),
        ({"contact_every_days": "7"}, "contact_every_days"),
        ({"preferred_method": "pigeon"}, "preferred_method"),
        ({"next_contact_due": datetime.date(2020, 1, 1)}, "next_contact_due"),
        ({"times_to_avoid": "x" * 161}, "times_to_avoid"),
    ],
)
def test_a_bad_agreement_is_refused_naming_the_field_and_nothing_is_saved(victim, pcso, fields, field):
    agreement = {"preferred_method": "phone", "contact_every_days": 7, **fields}
    with pytest.raises(ValidationError) as refused:
        services.contact_agree(link=victim, by=pcso, **agreement)
    assert field in refused.value.message_dict
    assert not m.Contact.objects.exists() and not m.Contact.history.exists()


def test_agreements_are_for_victims_and_complainants_once_each_on_open_problems(problem, victim, pcso, supervisor):
    witness = link(problem, pcso, "Wendy Witness", role="witness")
    with pytest.raises(ValidationError, match="not a victim or complainant"):
        weekly(witness, pcso)
    weekly(victim, pcso)
    with pytest.raises(ValidationError, match="already agreed with Sharon Doyle"):
        weekly(victim, pcso)
    complainant = link(problem, pcso, "Colin Caller", role="complainant")
    m.Problem.objects.filter(pk=problem.pk).update(stage=m.Stage.CLOSED_NO_ACTION)
    complainant.problem.refresh_from_db()
    with pytest.raises(ValidationError, match="while the problem is open"):
        weekly(complainant, pcso)
    assert m.Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"summary": "   "}, "summary"),
        ({"contacted_at": "tomorrow"}, "contacted_at"),
        ({"method": "carrier pigeon"}, "method"),
        ({"reached": None}, "reached"),
        ({"outcome": "x" * 241}, "outcome"),
    ],
)
def test_a_bad_log_entry_is_refused_and_nothing_moves(victim, pcso, entry, field):
    contact = weekly(victim, pcso)
    if entry.get("contacted_at") == "tomorrow":
        entry["contacted_at"] = datetime.datetime.now(tz=LONDON) + datetime.timedelta(days=1)
    log = {"method": "phone", "summary": "Spoke to her", "reached": True, **entry}
    with pytest.raises(ValidationError) as refused:
        services.contact_log(contact=contact, by=pcso, **log)
    assert field in refused.value.message_dict
    assert not m.ContactLog.objects.exists()
    assert m.Contact.objects.get().next_contact_due == contact.next_contact_due


def test_only_police_staff_working_the_problem_keep_its_contacts(
    problem, victim, pcso, supervisor, partner_user, other_officer, other_supervisor, council
):
    h.add_action(problem, pcso, council)  # the council takes part: it sees the problem, never its contacts
    for outsider in (partner_user, other_officer, other_supervisor):
        with pytest.raises(PermissionDenied):
            weekly(victim, outsider)
    contact = weekly(victim, supervisor)
    for outsider in (partner_user, other_officer):
        with pytest.raises(PermissionDenied):
            services.contact_log(contact=contact, by=outsider, method="phone", summary="x", reached=True)
        with pytest.raises(PermissionDenied):
            services.contact_update(contact=contact, by=outsider, no_final_contact_reason="Moved")
    assert not m.ContactLog.objects.exists()
    assert services.contact_log(contact=contact, by=pcso, method="phone", summary="Spoke", reached=True).by == pcso


def test_history_records_who_agreed_changed_and_logged(victim, pcso, supervisor):
    contact = weekly(victim, pcso)
    services.contact_update(contact=contact, by=supervisor, contact_every_days=14)
    entry = services.contact_log(contact=contact, by=pcso, method="phone", summary="Spoke", reached=True)
    rows = list(m.Contact.history.filter(id=contact.pk).order_by("history_date", "history_id"))
    assert [(r.history_user, r.history_type) for r in rows] == [(pcso, "+"), (supervisor, "~"), (pcso, "~")]
    assert rows[1].contact_every_days == 14 and rows[-1].next_contact_due == contact.next_contact_due
    assert [r.history_change_reason for r in rows] == [
        "Contact agreed with the victim",
        "Contact agreement changed",
        "Next contact due moved on",
    ]
    (logged,) = m.ContactLog.history.filter(id=entry.pk)
    assert (logged.history_user, logged.summary, logged.history_change_reason) == (pcso, "Spoke", "Contact logged")


def test_the_older_shape_still_works_and_is_reminded(problem, pcso):
    with time_machine.travel(at("2026-06-01"), tick=False):
        old = services.contact_add(problem=problem, by=pcso, kind="victim", name="Mrs Jones", preferred_method="phone")
        witness = services.contact_add(
            problem=problem, by=pcso, kind="witness", name="Mr Smith", preferred_method="email"
        )
    assert (old.display_name, old.link, old.next_contact_due) == ("Mrs Jones", None, d("2026-06-29"))
    assert witness.next_contact_due is None  # witnesses have no agreed contact to remind
    with pytest.raises(ValidationError) as refused:
        services.contact_add(problem=problem, by=pcso, kind="victim", name="", preferred_method="phone")
    assert "name" in refused.value.message_dict


# --- closure asks for the final contact -----------------------------------------------------------


@pytest.fixture
def assessed(problem, pcso, police) -> m.Problem:  # type: ignore[no-untyped-def]
    h.to_assessment(problem, pcso, police)
    h.assess(problem, pcso)
    return problem


def test_closure_is_refused_naming_each_victim_without_a_final_contact(assessed, pcso, supervisor):
    sharon = link(assessed, pcso, "Sharon Doyle")
    link(assessed, pcso, "Kieran Doyle")
    link(assessed, pcso, "Colin Caller", role="complainant")  # complainants are not asked for
    weekly(sharon, pcso)
    services.contact_add(problem=assessed, by=pcso, kind="victim", name="Mrs Jones", preferred_method="phone")
    with pytest.raises(FinalContactRequired) as refused:
        services.problem_request_closure(problem=assessed, by=pcso)
    assert refused.value.victims == ["Sharon Doyle", "Kieran Doyle", "Mrs Jones"]
    assert "a final contact with the victim Kieran Doyle (or the reason there can be none)" in refused.value.message
    with pytest.raises(TransitionRefused, match="Sign off and close refused.*Sharon Doyle.*Kieran Doyle.*Mrs Jones"):
        services.problem_transition(problem=assessed, to=m.Stage.CLOSED, by=supervisor, reason="Done")
    assessed.refresh_from_db()
    assert assessed.stage == m.Stage.ASSESSMENT and assessed.closure_requested_at is None


def test_closure_goes_ahead_with_a_final_contact_or_a_reason_for_each_victim(assessed, pcso, supervisor):
    sharon, kieran = link(assessed, pcso, "Sharon Doyle"), link(assessed, pcso, "Kieran Doyle")
    sharon_contact, kieran_contact = weekly(sharon, pcso), weekly(kieran, pcso)
    old = services.contact_add(problem=assessed, by=pcso, kind="victim", name="Mrs Jones", preferred_method="phone")
    services.contact_log(contact=sharon_contact, by=pcso, method="visit", summary="Told her", reached=True, final=True)
    services.contact_update(
        contact=kieran_contact, by=pcso, no_final_contact_reason="Moved away, no forwarding details"
    )
    with pytest.raises(FinalContactRequired) as refused:
        services.problem_request_closure(problem=assessed, by=pcso)
    assert refused.value.victims == ["Mrs Jones"]
    # An attempt that did not reach her counts once marked final: the last try is on the record.
    services.contact_log(contact=old, by=pcso, method="phone", summary="No answer", reached=False, final=True)
    services.problem_request_closure(problem=assessed, by=pcso)
    services.problem_transition(problem=assessed, to=m.Stage.CLOSED, by=supervisor, reason="Signed off")
    assert assessed.stage == m.Stage.CLOSED


def test_a_problem_without_victims_closes_as_before(assessed, pcso, supervisor):
    link(assessed, pcso, "Colin Caller", role="complainant")
    services.problem_request_closure(problem=assessed, by=pcso)
    services.problem_transition(problem=assessed, to=m.Stage.CLOSED, by=supervisor, reason="Signed off")


def test_the_stage_panel_says_what_closure_needs(assessed, pcso, supervisor):
    from jps.problems import workflow

    link(assessed, pcso, "Sharon Doyle")
    (close,) = [o for o in workflow.transition_options(assessed, supervisor) if o.transition.target == "closed"]
    assert not close.allowed and "a final contact with the victim Sharon Doyle" in close.why_not


# --- people records change under an agreement -----------------------------------------------------


def test_a_merged_person_keeps_their_agreement_and_an_unlinked_one_keeps_its_name(problem, pcso, supervisor):
    sharon = link(problem, pcso, "Sharon Doyle")
    again = link(problem, pcso, "S. Doyle")
    contact = weekly(again, pcso)
    services.person_merge(keep=sharon.person, merge=again.person, by=supervisor, reason="Same woman")
    contact.refresh_from_db()
    assert contact.link_id is not None and contact.link.person == sharon.person
    assert contact.display_name == "Sharon Doyle"
    services.problem_person_unlink(link=contact.link, by=pcso, reason="Linked in error")
    contact.refresh_from_db()
    assert contact.link is None and contact.display_name == "S. Doyle"  # the name it was agreed under


# --- privacy ------------------------------------------------------------------------------------------


def test_redaction_clears_what_was_said_and_the_reason_in_the_log_and_its_history(victim, pcso, settings):
    contact = weekly(victim, pcso)
    services.contact_log(
        contact=contact, by=pcso, method="phone", summary="Her son Jack is scared", outcome="Call Jack", reached=True
    )
    services.contact_update(contact=contact, by=pcso, no_final_contact_reason="Moved to her sister Jo in Leeds")
    closed_at = datetime.datetime(2019, 1, 1, tzinfo=LONDON)
    m.Problem.objects.filter(pk=contact.problem_id).update(stage=m.Stage.CLOSED, closed_at=closed_at)
    assert privacy.personal_data_redact() == 1
    entry = m.ContactLog.objects.get()
    contact.refresh_from_db()
    assert (entry.summary, entry.outcome, contact.no_final_contact_reason) == (privacy.REDACTED, "", "")
    assert set(m.ContactLog.history.values_list("summary", "outcome")) == {(privacy.REDACTED, "")}
    assert set(m.Contact.history.values_list("no_final_contact_reason", flat=True)) == {""}


def test_the_subject_access_export_includes_the_contacts_logged(victim, pcso, supervisor):
    contact = weekly(victim, pcso)
    services.contact_log(contact=contact, by=pcso, method="visit", summary="Explained the order", reached=True)
    found = privacy.subject_access_export(by=supervisor, name="Sharon Doyle")
    (as_contact,) = found["as_contact"]
    assert as_contact["contacts_logged"][0]["summary"] == "Explained the order"
    (person,) = found["as_person"]
    (agreement,) = person["problems"][0]["contact_agreements"]
    assert agreement["contacts_logged"][0]["method"] == "visit"
    assert agreement["next_contact_due"] == contact.next_contact_due.isoformat()


def test_the_admin_shows_a_contact_logged_read_only_and_logs_the_read(admin_client, victim, pcso):
    contact = weekly(victim, pcso)
    entry = services.contact_log(contact=contact, by=pcso, method="phone", summary="Spoke", reached=True)
    before = m.ProblemView.objects.count()
    page = admin_client.get(f"/admin/jps/contactlog/{entry.pk}/change/")
    assert page.status_code == 200 and "Spoke" in page.content.decode()
    assert m.ProblemView.objects.count() == before + 1
    assert m.ProblemView.objects.latest("id").channel == "admin"
    assert admin_client.post(f"/admin/jps/contactlog/{entry.pk}/change/", {"summary": "Edited"}).status_code == 403
    assert m.ContactLog.objects.get().summary == "Spoke"
