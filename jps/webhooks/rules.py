"""Who manages an agency's webhook endpoints and reads their delivery log.

Administrators, for every agency; otherwise a member of the agency who is its manager
(``Agency.manager``) or holds Django's "Can change webhook endpoint" permission (granted in the admin:
the agency's systems administrator). Nobody else sees an agency's endpoints, not even its own staff.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from ..models import Agency, Participation, Problem, WebhookEndpoint


def agency_ids_seeing(problem: Problem) -> set[int]:
    """The agencies whose partner staff see ``problem``: the agency leading it and those taking part.

    ``jps.rules.problem_scope_q``'s partner rule read from the problem's side (less a problem a
    partner owns in person, which is theirs, not their agency's); ``tests/webhooks`` checks that the
    two agree. Webhooks tell an agency only about these problems.
    """
    taking_part = Participation.objects.filter(problem_id=problem.pk).values_list("agency_id", flat=True)
    return {problem.lead_agency_id, *taking_part}


def manages_webhooks(user: Any) -> bool:
    """May ``user`` manage any endpoints at all (their own agency's, or every agency's)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_administrator:
        return True
    if not user.agency_id:
        return False
    return bool(user.agency.manager_id == user.pk or user.has_perm("jps.change_webhookendpoint"))


def webhook_scope_q(user: Any) -> Q:
    """The endpoints ``user`` may see and change, as a filter on ``WebhookEndpoint``."""
    if not manages_webhooks(user):
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    return Q(agency_id=user.agency_id)


@rules.predicate
def can_manage_webhooks(user: Any, target: WebhookEndpoint | Agency | None) -> bool:
    """``target``: an endpoint, or the agency one is being registered for."""
    if target is None or not manages_webhooks(user):
        return False
    agency_id = target.agency_id if isinstance(target, WebhookEndpoint) else target.pk
    return bool(user.is_administrator or agency_id == user.agency_id)


rules.add_perm("jps.manage_webhooks", can_manage_webhooks)
