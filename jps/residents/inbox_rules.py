"""Who reads and answers residents' messages to their neighbourhood team: the team, registered with ``jps.rules``.

A message carries its sender's name and email address and whatever they chose to write: personal data
that only the neighbourhood's team handles (``neighbourhood_team_q``: the neighbourhood's officers and
PCSOs, its district's supervisors; administrators). Never partners, other neighbourhoods, call handlers,
analysts or web editors, and never the public site.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from ..models import TeamMessage
from ..rules import is_administrator
from .rules import neighbourhood_team_q


def team_message_scope_q(user: Any) -> Q:
    """The messages ``user`` may see, as a filter on ``TeamMessage``: their team's."""
    return neighbourhood_team_q(user)


@rules.predicate
def in_message_team(user: Any, message: TeamMessage | None) -> bool:
    """Asked of the database, so the inbox, a message's page and the API can never disagree."""
    if message is None or message.pk is None:
        return False
    return TeamMessage.objects.filter(team_message_scope_q(user), pk=message.pk).exists()


@rules.predicate
def message_is_open(user: Any, message: TeamMessage | None) -> bool:
    return message is not None and message.state != TeamMessage.State.CLOSED


can_view_team_message = is_administrator | in_message_team
can_answer_team_message = can_view_team_message & message_is_open

rules.add_perm("jps.see_team_message", can_view_team_message)
rules.add_perm("jps.answer_team_message", can_answer_team_message)
