"""Error messages in the GOV.UK style (issue 22, point 1): each names its field and says what to do.

Every staff form is sent empty and with values out of range; no page may show a message
Django wrote ("This field is required.", "Ensure this value is less than or equal to 90.").
"""

from __future__ import annotations

import copy
import datetime
import inspect
import re
from types import ModuleType

import pytest
from django import forms
from django.core import validators
from django.db import models
from django.urls import reverse
from django.utils import timezone

from frontend import case_reviews, casework, insight, meetings, panels, two_factor
from frontend import forms as staff_forms
from frontend.govuk_forms import GovukForm, apply_govuk_messages
from jps import services
from jps.models import Action, Problem, Risk, Stage
from tests import factories as f

from . import helpers as h

pytestmark = pytest.mark.django_db

STAFF_FORM_MODULES: tuple[ModuleType, ...] = (
    staff_forms, meetings, insight, two_factor, casework, case_reviews, panels,
)  # fmt: skip


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(c) for c in list(found)))


def _django_messages() -> set[str]:
    """Every message Django's form and model fields and validators give, up to its first placeholder."""
    texts = []
    for field in _subclasses(forms.Field) | _subclasses(models.Field) | {forms.Field, models.Field}:
        texts += [str(m) for m in vars(field).get("default_error_messages", {}).values()]
    for validator in (
        validators.MaxValueValidator,
        validators.MinValueValidator,
        validators.MaxLengthValidator,
        validators.MinLengthValidator,
        validators.StepValueValidator,
        validators.EmailValidator,
        validators.URLValidator,
        validators.RegexValidator,
    ):
        texts.append(str(validator.message))
    texts += [str(m) for m in validators.DecimalValidator.messages.values()]
    texts += ["ManagementForm data is missing", "Please enter a correct"]
    prefixes = {t.split("%(")[0].strip() for t in texts}
    return {p for p in prefixes if len(p) > 8}


DJANGO_MESSAGES = _django_messages()


def _django_words(body: str) -> list[str]:
    return sorted(m for m in DJANGO_MESSAGES if m in body)


def _errors(body: str) -> list[str]:
    found = re.findall(r'class="govuk-error-message">(.*?)</p>', body, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", e)).strip() for e in found]


def test_the_check_knows_django_s_own_words() -> None:
    assert {"This field is required.", "Ensure this value is less than or equal to", "Enter a number."} <= (
        DJANGO_MESSAGES
    )
    assert "Select a valid choice." in DJANGO_MESSAGES


def test_every_staff_form_is_a_govuk_form_and_no_field_keeps_a_django_message() -> None:
    checked = 0
    for module in STAFF_FORM_MODULES:
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            assert issubclass(cls, GovukForm), f"{module.__name__}.{name} is not a GovukForm"
            fields = copy.deepcopy(cls.base_fields)
            apply_govuk_messages(fields, cls.govuk_messages)
            for field_name, field in fields.items():
                for code, message in field.error_messages.items():
                    assert not _django_words(str(message)), f"{name}.{field_name} {code}: {message}"
                checked += 1
    assert checked > 80


def test_messages_name_the_field_and_say_what_to_do() -> None:
    class Example(GovukForm, forms.Form):
        neighbourhood = forms.ChoiceField(choices=[("", "Choose"), ("1", "Northgate")])
        summary = forms.CharField(max_length=5, label="Summary")
        latitude = forms.DecimalField(min_value=-90, max_value=90, required=False)
        residents = forms.IntegerField(min_value=0, required=False)
        held_on = forms.DateField(required=False, label="Date held")

    form = Example({"summary": "far too long", "latitude": "95", "residents": "-1", "held_on": "2026-02-30"})
    assert not form.is_valid()
    assert form.errors == {
        "neighbourhood": ["Select the neighbourhood"],
        "summary": ["Summary must be 5 characters or fewer"],
        "latitude": ["Latitude must be between -90 and 90"],
        "residents": ["Residents must be 0 or more"],
        "held_on": ["Date held must be a real date"],
    }
    typed = Example({"neighbourhood": "9", "summary": "ok", "held_on_day": "3", "held_on_year": "2026"})
    assert typed.errors == {
        "neighbourhood": ["Select the neighbourhood from the list"],
        "held_on": ["Date held must include a month"],
    }
    assert Example(
        {"neighbourhood": "1", "summary": "ok", "held_on_day": "3", "held_on_month": "4", "held_on_year": "2026"}
    ).is_valid()


def test_log_a_problem_says_what_to_do_for_each_field(client, pcso, neighbourhood):
    client.force_login(pcso)
    body = client.post(reverse("problem_create"), {"latitude": ""}).content.decode()
    assert "This field is required." not in body
    assert _errors(body)[:6] == [
        "Error: Select the neighbourhood",
        "Error: Select the category",
        "Error: Select how the problem came to notice",
        "Error: Enter who raised the problem",
        "Error: Enter a title for the problem",
        "Error: Enter a description of the problem",
    ]
    body = client.post(reverse("problem_create"), {"latitude": "95", "longitude": "-200"}).content.decode()
    assert "Latitude must be between -90 and 90" in body and "Longitude must be between -180 and 180" in body
    assert '<a href="#id_latitude">Latitude must be between -90 and 90</a>' in body
    assert not _django_words(body)


@pytest.fixture
def worked_problem(pcso, neighbourhood, police) -> Problem:  # type: ignore[no-untyped-def]
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, lead_agency=police)
    h.to_response(problem, pcso)
    return problem


def test_every_staff_form_answers_empty_and_out_of_range_input_in_its_own_words(  # type: ignore[no-untyped-def]
    client, pcso, supervisor, analyst, neighbourhood, worked_problem, police, council
):
    problem = worked_problem
    action = h.add_action(problem, pcso, council)
    closed = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, lead_agency=police)
    h.to_assessment(closed, pcso, police)
    h.assess(closed, pcso)
    services.problem_transition(problem=closed, to=Stage.CLOSED, by=supervisor)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    meeting = meetings.meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=datetime.datetime.combine(yesterday, datetime.time(19), tzinfo=datetime.UTC),
        venue="Northgate Community Centre",
    )
    too_long = "x" * 100_001
    pk = problem.pk
    posts = [  # (who, url, empty-or-wrong data)
        (pcso, reverse("problem_create"), {"title": too_long, "latitude": "95", "longitude": "200"}),
        (pcso, reverse("problem_scanning", args=[pk]), {"scanning-risk": "extreme"}),
        (pcso, reverse("problem_analysis", args=[pk]), {"analysis-victim": too_long}),
        (pcso, reverse("action_add", args=[pk]), {"new-action-due_on_day": "40", "new-action-due_on_month": "2"}),
        (pcso, reverse("action_update", args=[pk, action.pk]), {f"action-{action.pk}-due_on_day": "x"}),
        (pcso, reverse("update_add", args=[pk]), {"update-text": too_long}),
        (supervisor, reverse("problem_public", args=[pk]), {"public-adopted_on_year": "26"}),
        (supervisor, reverse("problem_review", args=[pk]), {"decision": "nonsense"}),
        (supervisor, reverse("problem_review", args=[pk]), {"comment": "Go on", "decision": "move_stage"}),
        (pcso, reverse("casework_partner", args=[pk]), {"partner-agency": "999999"}),
        (pcso, reverse("casework_handover", args=[pk]), {"handover-to_owner": "abc"}),
        (pcso, reverse("casework_action", args=[pk]), {"action-action": "999999"}),
        (pcso, reverse("casework_contact", args=[pk]), {"contact-contact_every_days": "99999"}),
        (supervisor, reverse("casework_merge", args=[pk]), {}),
        (pcso, reverse("meeting_create"), {"residents_attending": "-1", "starts": "25:99", "date_month": "13"}),
        (pcso, reverse("meeting_edit", args=[meeting.pk]), {"online_url": "not a link"}),
        (analyst, reverse("insight_evaluate", args=[closed.pk]), {"need-TOTAL_FORMS": "0", "need-INITIAL_FORMS": "0"}),
        (supervisor, reverse("insight_quality", args=[pk]), {"occasion": "never"}),
    ]
    posts += [
        (pcso, reverse("meeting_decide", args=[meeting.pk, decision]), {})
        for decision in ("agree", "adopt", "carry-over", "sign-off", "raise")
    ]
    posts += _case_review_and_panel_posts(pcso, supervisor, problem, too_long)
    posts += _resident_report_posts(pcso, problem, too_long)
    for user, url, wrong in posts:
        client.force_login(user)
        management = {"need-TOTAL_FORMS": "0", "need-INITIAL_FORMS": "0"} if "evaluate" in url else {}
        for data in ({"sent": "1", **management}, wrong):  # "empty": nothing typed (an empty POST reads as a GET)
            response = client.post(url, data)
            body = response.content.decode()
            if response.status_code == 302 and "sent" in data:
                continue  # a form whose every field is optional: nothing to say
            assert response.status_code in (200, 400), (url, data, response.status_code)
            assert "There is a problem" in body or _errors(body), (url, data)
            assert not _django_words(body), (url, data, _django_words(body), _errors(body))
    client.logout()  # the resident's form: nobody signed in
    wrong_report = {"postcode": "ZZ99 9ZZ", "email": "not an email", "category": "999999", "description": too_long}
    for data in ({"sent": "1"}, wrong_report, {"latitude": "95", "longitude": "200", "description": "Cars"}):
        response = client.post(reverse("resident_report"), data)
        body = response.content.decode()
        assert response.status_code == 400 and "There is a problem" in body, data
        assert not _django_words(body), (data, _django_words(body), _errors(body))
    gets = [
        (pcso, reverse("problem_list"), {"neighbourhood": "abc", "stage": "nope", "agency": "x", "overdue": "perhaps"}),
        (analyst, reverse("insight_library"), {"rating": "purple", "category": "x", "district": "y"}),
    ]
    for user, url, data in gets:
        client.force_login(user)
        body = client.get(url, data).content.decode()
        assert not _django_words(body), (url, _django_words(body))


def _resident_report_posts(pcso, problem, too_long):  # type: ignore[no-untyped-def]
    """A resident's report waiting for the team: each triage decision, empty and wrong."""
    report = services.resident_report_create(
        neighbourhood=problem.neighbourhood, category=problem.category, description="Cars racing round the car park"
    )
    decide = lambda decision: reverse("resident_report_decide", args=[report.pk, decision])  # noqa: E731
    return [
        (pcso, decide("accept"), {"title": too_long}),
        (pcso, decide("attach"), {"problem": "999999"}),
        (pcso, decide("decline"), {"reason": too_long}),
    ]


def _case_review_and_panel_posts(pcso, supervisor, problem, too_long):  # type: ignore[no-untyped-def]
    """An application received three weeks ago (its acknowledgement overdue, so on the agenda) and a panel
    that met this morning: every case review step and every panel form, empty and wrong."""
    today = datetime.date.today()
    person = services.person_create(by=pcso, name="Ann Jones")
    application = services.case_review_create(
        by=pcso, district=problem.district, applicant=person, received_on=today - datetime.timedelta(days=21),
        channel="phone", summary="Nothing is done.", lead_agency=pcso.agency, problems=[problem],
    )  # fmt: skip
    panel = services.panel_create(
        by=supervisor, district=problem.district, starts_at=timezone.now() - datetime.timedelta(hours=1), online=True,
        agencies=[pcso.agency],
    )  # fmt: skip
    [item] = services.panel_agenda_build(panel=panel, by=supervisor)
    step = lambda name: reverse("case_review_step", args=[application.pk, name])  # noqa: E731
    at_table = lambda name: reverse("panel_item_step", args=[panel.pk, item.pk, name])  # noqa: E731
    p = f"item-{item.pk}-"
    return [
        (pcso, reverse("case_review_new"), {"received_on_day": "40", "summary": too_long, "district": "x"}),
        (pcso, step("decide"), {"met": "perhaps"}),
        (pcso, step("lead"), {"lead_officer": "999999"}),
        (pcso, step("incident"), {"occurred_on_day": "31", "occurred_on_month": "2", "occurred_on_year": "2026"}),
        (pcso, step("acknowledge"), {"on_day": "x"}),  # last: an empty acknowledgement is valid (today)
        (supervisor, reverse("panel_new"), {"starts": "25:99", "date_month": "13", "district": "x"}),
        (supervisor, at_table("decide"), {p + "decide-decision": too_long}),
        (supervisor, at_table("action"), {p + "action-due_on_day": "40", p + "action-agency": "999999"}),
        (supervisor, at_table("review"), {p + "review-findings": ""}),
    ]


def test_the_due_date_is_typed_as_day_month_and_year(client, pcso, worked_problem, council):
    client.force_login(pcso)
    url = reverse("action_add", args=[worked_problem.pk])
    page = client.get(reverse("problem", args=[worked_problem.pk])).content.decode()
    assert 'type="date"' not in page
    assert 'name="new-action-due_on_day"' in page and 'name="new-action-due_on_year"' in page
    data = {
        "new-action-action_type": Action.Type.PREVENTION,
        "new-action-description": "Cut back the hedges",
        "new-action-agency": council.pk,
        "new-action-due_on_day": "31",
        "new-action-due_on_month": "2",
        "new-action-due_on_year": "2030",
    }
    body = client.post(url, data).content.decode()
    assert "Due date must be a real date" in body and 'value="31"' in body
    assert client.post(url, {**data, "new-action-due_on_day": "28"}).status_code == 302
    assert worked_problem.actions.get(description="Cut back the hedges").due_on == datetime.date(2030, 2, 28)


def test_raising_the_risk_brings_the_next_review_forward(client, pcso, neighbourhood):
    today = datetime.date.today()
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, next_review_due=today + datetime.timedelta(50))
    services.problem_update(problem=problem, by=pcso, risk=Risk.HIGH)
    problem.refresh_from_db()
    assert problem.review_interval_days == 14 and problem.next_review_due == today + datetime.timedelta(14)
    services.problem_update(problem=problem, by=pcso, risk=Risk.STANDARD)  # lowering leaves the booked review
    problem.refresh_from_db()
    assert problem.next_review_due == today + datetime.timedelta(14)
    client.force_login(pcso)
    page = client.get(reverse("problem", args=[problem.pk])).content.decode()
    assert "Raising the risk brings the next review forward" in page
