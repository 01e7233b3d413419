from __future__ import annotations

import os
from base64 import b32decode

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from jps.demo.data import CATEGORIES, DEMO_TOTP_SECRET, RESPONSES, USERS
from jps.models import Action, Problem, ProgressUpdate, Stage, StageChange, User
from jps.selectors import problems_visible_to

pytestmark = pytest.mark.django_db


def test_demo_loads_every_role_and_stage_idempotently(capsys):
    call_command("load_demo", "--password", "pw-for-tests-123")
    first = Problem.objects.count()
    call_command("load_demo", "--password", "pw-for-tests-123")
    assert Problem.objects.count() == first >= 24
    out = capsys.readouterr().out
    for username in [
        "officer",
        "partner",
        "partner2",
        "supervisor",
        "analyst",
        "training",
        "webeditor",
        "callhandler",
        "admin",
    ]:
        assert username in USERS and username in out
        assert User.objects.get(username=username).check_password("pw-for-tests-123")
    assert set(Problem.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Problem.objects.review_overdue().exists()
    assert ProgressUpdate.objects.filter(status="approved", problem__public_priority=True).exists()

    # The demo admin signs in with a code from the published secret; the other roles need none.
    assert DEMO_TOTP_SECRET in out
    admin_device = TOTPDevice.objects.get(user__username="admin", confirmed=True)
    assert admin_device.bin_key == b32decode(DEMO_TOTP_SECRET)
    assert list(TOTPDevice.objects.values_list("user__username", flat=True)) == ["admin"]
    assert [u.username for u in User.objects.all() if u.two_factor_required] == ["admin"]

    partner = set(problems_visible_to(User.objects.get(username="partner")).values_list("pk", flat=True))
    partner2 = set(problems_visible_to(User.objects.get(username="partner2")).values_list("pk", flat=True))
    assert len(partner) >= 3 and len(partner2) >= 3
    assert not partner & partner2


def test_demo_stage_changes_are_a_timeline_ending_in_each_problems_stage():
    """Each demo problem's rows run from its logging to its current stage, dated like its history."""
    call_command("load_demo", "--password", "pw-for-tests-123")
    for problem in Problem.objects.all():
        changes = list(StageChange.objects.filter(problem=problem).order_by("at", "id"))
        assert changes[0].from_stage == "" and changes[0].to_stage == Stage.SCANNING
        assert changes[-1].to_stage == problem.stage and changes[-1].at == problem.stage_changed_at
        for before, after in zip(changes, changes[1:], strict=False):
            assert (after.from_stage, after.from_entered_at) == (before.to_stage, before.at)
            assert after.at > before.at
    assert StageChange.objects.filter(from_stage=Stage.ASSESSMENT, to_stage=Stage.CLOSED).exists()


def test_demo_prints_a_random_password_when_none_given(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    password = out.split("Demo logins (password: ")[1].split(")")[0]
    assert len(password) >= 12
    assert User.objects.get(username="officer").check_password(password)


def test_demo_actions_and_updates_fit_their_problems(django_capture_on_commit_callbacks):
    """Each problem's actions and updates are its category's (data.RESPONSES), not one lighting plan for all.

    And the load queues no public-site export: ``make demo`` publishes once, in full, afterwards.
    """
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("load_demo", "--password", "pw-for-tests-123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not [c for c in callbacks if getattr(c, "jps_publish", False)]

    names = [name for name, _group in CATEGORIES]
    with_actions = Problem.objects.filter(actions__isnull=False).distinct().select_related("category")
    assert with_actions.count() >= 5
    for problem in with_actions:
        expected = {text for _kind, text, _who, _due in RESPONSES[names.index(problem.category.name)]["actions"]}
        # A case review's recommendations and a panel's actions are in their own words (jps/demo/case_reviews.py,
        # panels.py).
        own = problem.actions.filter(case_review_recommendation__isnull=True, panel_action__isnull=True)
        assert set(own.values_list("description", flat=True)) <= expected
    lighting = Action.objects.filter(description__icontains="lighting").values("problem").distinct().count()
    assert lighting < with_actions.count() / 2
    descriptions = set(Action.objects.values_list("description", flat=True))
    assert len(descriptions) >= 2 * len({p.category_id for p in with_actions})
    public_texts = set(ProgressUpdate.objects.filter(status="approved").values_list("public_text", flat=True))
    assert len(public_texts) >= 3
    for update in ProgressUpdate.objects.exclude(text__startswith="Carried over").select_related("problem__category"):
        response = RESPONSES[names.index(update.problem.category.name)]
        assert update.text in {response["note"], response["update"][0], response["next"]}


def test_demo_residents_reports_in_each_state_and_a_not_fixed_answer(django_capture_on_commit_callbacks):
    from django.core import mail
    from django.utils import timezone

    from jps.models import ResidentNotice, ResidentReport

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--password", "pw-for-tests-123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert set(ResidentReport.objects.values_list("status", flat=True)) == set(ResidentReport.Status.values)
    waiting = ResidentReport.objects.filter(status="new")
    assert waiting.filter(created_at__lt=timezone.now() - timezone.timedelta(days=2)).count() == 1
    not_fixed = ResidentReport.objects.get(fixed=False)
    assert not_fixed.problem is not None and not not_fixed.problem.is_open and not_fixed.feedback
    assert not ResidentNotice.objects.filter(sent_at__isnull=True).exists()
    assert mail.outbox == []  # the story's emails count as sent then: loading the demo emails no one
    assert ResidentNotice.objects.filter(report=not_fixed, kind="questionnaire").exists()
    from jps.residents.notices import resident_notices_send

    assert resident_notices_send(now=timezone.now() + timezone.timedelta(days=60))["sent"] == 0
    call_command("load_demo", "--password", "pw-for-tests-123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert ResidentReport.objects.count() == 7


def test_demo_messages_to_the_team_one_overdue_one_answered(django_capture_on_commit_callbacks):
    from django.core import mail
    from django.utils import timezone

    from jps import selectors, services
    from jps.models import Neighbourhood, TeamMessage

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--password", "pw-for-tests-123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    states = set(TeamMessage.objects.values_list("state", flat=True))
    assert states == {"new", "assigned", "answered", "closed"}
    overdue = TeamMessage.objects.get(state="assigned")
    assert overdue.first_response_at is None and overdue.assigned_to is not None
    assert services.team_message_emails_send() == 0 and mail.outbox == []
    answered, counted = selectors.team_messages_answered_within(
        neighbourhoods=Neighbourhood.objects.all(),
        since=overdue.received_at - timezone.timedelta(days=30),
        until=timezone.now(),
    )
    assert (answered, counted) == (1, 3)  # in time; late; the overdue one (the new one and the spam do not count)
    call_command("load_demo", "--password", "pw-for-tests-123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert TeamMessage.objects.count() == 5
