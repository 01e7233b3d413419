"""The permission matrix: every role against every kind of access, from jps.rules alone.

One scenario: problem ``mine`` in the PCSO's district with the council taking part
(it owns an action), ``elsewhere`` in another district with no partner, and
``closed`` in the PCSO's district, signed off. Each row lists what a role may do;
everything not listed must be refused.
"""

from __future__ import annotations

import pytest

from jps import services
from jps.models import Action, ProgressUpdate, Stage
from jps.selectors import actions_visible_to, problems_visible_to
from tests import factories as f

pytestmark = pytest.mark.django_db

ACCESS = [
    "see mine",
    "see elsewhere",
    "see closed",
    "work mine",
    "work elsewhere",
    "supervise mine",
    "supervise elsewhere",
    "contacts mine",
    "update council action",
    "update police action",
    "add update mine",
    "approve update",
    "evaluate closed",
    "learning needs",
    "log problem",
]

EXPECTED = {
    "pcso": {
        "see mine",
        "see closed",
        "work mine",
        "contacts mine",
        "update council action",
        "update police action",
        "add update mine",
        "log problem",
    },
    "other_officer": {"see elsewhere", "work elsewhere", "log problem"},
    "supervisor": {
        "see mine",
        "see closed",
        "work mine",
        "supervise mine",
        "contacts mine",
        "update council action",
        "update police action",
        "add update mine",
        "log problem",
    },
    "partner_user": {"see mine", "update council action", "add update mine", "log problem"},
    "other_partner": {"log problem"},
    "analyst": {"see closed", "evaluate closed", "learning needs"},
    "training_manager": {"learning needs"},
    "web_editor": {"see mine", "approve update"},
    "call_handler": {"see mine", "see elsewhere"},
    "admin_user": set(ACCESS),
}


@pytest.fixture
def scenario(pcso, other_officer, supervisor, council, police, neighbourhood, other_neighbourhood, category):
    mine = f.ProblemFactory(
        owner=pcso, neighbourhood=neighbourhood, category=category, public_priority=True, adopted_on="2026-01-01"
    )
    services.contact_add(problem=mine, by=pcso, kind="victim", name="Jane Victim", preferred_method="phone")
    council_action = services.action_add(
        problem=mine, by=pcso, action_type=Action.Type.PREVENTION, description="Fix lights", agency=council
    )
    police_action = services.action_add(
        problem=mine, by=pcso, action_type=Action.Type.ENFORCEMENT, description="Patrols", agency=police
    )
    update = services.update_add(problem=mine, by=pcso, text="Patrols started", propose_public=True)
    elsewhere = f.ProblemFactory(owner=other_officer, neighbourhood=other_neighbourhood, category=category)
    closed = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, stage=Stage.CLOSED)
    return {
        "mine": mine,
        "elsewhere": elsewhere,
        "closed": closed,
        "council_action": council_action,
        "police_action": police_action,
        "update": update,
    }


def allowed(user, s) -> set[str]:  # type: ignore[no-untyped-def]
    checks = {
        "see mine": user.has_perm("jps.see_problem", s["mine"]),
        "see elsewhere": user.has_perm("jps.see_problem", s["elsewhere"]),
        "see closed": user.has_perm("jps.see_problem", s["closed"]),
        "work mine": user.has_perm("jps.work_problem", s["mine"]),
        "work elsewhere": user.has_perm("jps.work_problem", s["elsewhere"]),
        "supervise mine": user.has_perm("jps.supervise_problem", s["mine"]),
        "supervise elsewhere": user.has_perm("jps.supervise_problem", s["elsewhere"]),
        "contacts mine": user.has_perm("jps.view_contacts", s["mine"]),
        "update council action": user.has_perm("jps.update_action", s["council_action"]),
        "update police action": user.has_perm("jps.update_action", s["police_action"]),
        "add update mine": user.has_perm("jps.add_update", s["mine"]),
        "approve update": user.has_perm("jps.approve_update", s["update"]),
        "evaluate closed": user.has_perm("jps.evaluate_problem", s["closed"]),
        "learning needs": user.has_perm("jps.view_learning_needs"),
        "log problem": user.has_perm("jps.log_problem"),
    }
    assert set(checks) == set(ACCESS)
    return {name for name, ok in checks.items() if ok}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_permission_matrix(role, request, scenario):
    user = request.getfixturevalue(role)
    assert allowed(user, scenario) == EXPECTED[role]


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_list_scope_matches_object_permission(role, request, scenario):
    """The list selector and the object predicate are one rule: they never disagree."""
    user = request.getfixturevalue(role)
    listed = set(problems_visible_to(user).values_list("pk", flat=True))
    for key in ("mine", "elsewhere", "closed"):
        assert (scenario[key].pk in listed) == user.has_perm("jps.see_problem", scenario[key]), key
    actions = set(actions_visible_to(user).values_list("pk", flat=True))
    assert (scenario["council_action"].pk in actions) == (scenario["mine"].pk in listed)


def test_partner_cannot_update_another_agencys_action(partner_user, scenario):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.action_update(action=scenario["police_action"], by=partner_user, status="in_progress")
    services.action_update(action=scenario["council_action"], by=partner_user, status="in_progress")
    assert Action.objects.get(pk=scenario["council_action"].pk).status == "in_progress"


def test_web_editor_approval_is_audited_and_once(web_editor, scenario):
    update = scenario["update"]
    services.update_decide(update=update, by=web_editor, approve=True, public_text="Patrols have started.")
    assert ProgressUpdate.objects.get(pk=update.pk).status == ProgressUpdate.Status.APPROVED
    assert update.history.first().history_user == web_editor
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_decide(update=update, by=web_editor, approve=False)


def test_inactive_user_sees_nothing(pcso, scenario):
    pcso.is_active = False
    pcso.save()
    assert not problems_visible_to(pcso).exists()
