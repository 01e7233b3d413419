"""Who may see, add, remove and publish attachments; registered with ``jps.rules``.

Seeing: police staff who may see the problem (officers, supervisors, analysts, administrators) see
all its attachments. Partners see only the files on their own agency's actions and those police
staff marked "shared with partners" -- never a file on a resident's report, which cannot be shared.
Web editors see only images (the photos they may publish), and not those on residents' reports.
Call handlers see none. Adding: whoever may work the problem; on an action, whoever may update the
action (so a partner only on their own agency's actions). Removing: whoever may work the problem,
or the partner who added it to their agency's action. Publishing: a web editor of the problem's force
(``jps.approve_update``), one image per approved public update.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from ..models import Attachment, User
from ..rules import can_change_action, can_work_problem, is_administrator, problem_ids_visible_to

Role = User.Role

#: Roles that, seeing a problem, see all its files.
SEES_ALL = (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST)


def attachment_scope_q(user: Any) -> Q:
    """The attachments (removed or not) ``user`` may see, as a filter on ``Attachment``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    on_visible = Q(problem_id__in=problem_ids_visible_to(user))
    if user.role in SEES_ALL:
        return on_visible
    if user.role == Role.PARTNER:
        shared = Q(shared_with_partners=True, resident_report__isnull=True)
        own = Q(action__agency_id=user.agency_id) if user.agency_id else Q(pk__in=[])
        return on_visible & (shared | own)
    if user.role == Role.WEB_EDITOR:
        return on_visible & Q(kind=Attachment.Kind.IMAGE, resident_report__isnull=True)
    return Q(pk__in=[])


@rules.predicate
def can_view_attachment(user: Any, attachment: Attachment | None) -> bool:
    """Asked of the database, so a list and a download can never disagree."""
    if attachment is None or attachment.pk is None:
        return False
    return Attachment.objects.filter(attachment_scope_q(user), pk=attachment.pk).exists()


@rules.predicate
def added_it_to_own_action(user: Any, attachment: Attachment | None) -> bool:
    return (
        attachment is not None
        and attachment.uploaded_by_id == user.pk
        and attachment.action is not None
        and can_change_action(user, attachment.action)
    )


@rules.predicate
def works_attachment_problem(user: Any, attachment: Attachment | None) -> bool:
    return attachment is not None and can_work_problem(user, attachment.problem)


can_remove_attachment = can_view_attachment & (is_administrator | works_attachment_problem | added_it_to_own_action)

rules.add_perm("jps.see_attachment", can_view_attachment)
rules.add_perm("jps.remove_attachment", can_remove_attachment)
