"""The domain's writes, by name: the index the web face, the API, the jobs and the commands import.

Nothing is defined here. Each write lives in its subdomain package, which owns its rules:
``jps.problems.services`` (logging, editing, the public face, stages, closure, hand-overs,
analysis, assessment), ``jps.casework.services`` (actions, reviews, updates),
``jps.contacts.services`` (contact agreements with victims and complainants, and their log),
``jps.insight`` (evaluations), ``jps.alerts`` (residents' subscriptions), ``jps.user_import``
(where a user works) and ``jps.privacy`` (the access log). All of them build on ``jps.base``.
Inside ``jps`` the packages import each other's modules directly, never this index, so the
arrows between them stay visible (docs/design.md).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from .alerts import alert_digest_claim, alert_subscription_confirm, alert_unsubscribe
from .case_reviews.services import (
    CaseReviewRefused,
    Incident,
    case_review_acknowledge,
    case_review_close,
    case_review_create,
    case_review_decide,
    case_review_handling_review,
    case_review_lead_set,
    case_review_meeting,
    case_review_outcome,
    case_review_recommend,
    incident_add,
)
from .casework.services import (
    ACTION_EDITABLE,
    action_add,
    action_transfer,
    action_update,
    review_record,
    update_add,
    update_decide,
)
from .contacts.services import (
    AGREEMENT_FIELDS,
    LOG_FIELDS,
    contact_add,
    contact_agree,
    contact_log,
    contact_update,
)
from .insight.library import EVALUATION_RECORDED, evaluation_record
from .panels.services import (
    PANEL_FIELDS,
    panel_action_take,
    panel_agenda_build,
    panel_case_review_held,
    panel_case_review_recommend,
    panel_create,
    panel_decide,
    panel_update,
)
from .people.risk import risk_assess, risk_questionnaire_default_ensure
from .people.services import (
    PERSON_CONTACT_FIELDS,
    PERSON_FIELDS,
    PLACE_FIELDS,
    person_create,
    person_merge,
    person_update,
    place_create,
    place_merge,
    place_update,
    problem_person_create,
    problem_person_link,
    problem_person_unlink,
    problem_place_create,
    problem_place_link,
    problem_place_unlink,
)
from .pledge.services import pledge_explanation_record
from .pledge.team import neighbourhood_team_set, team_entry_set, team_photo_remove, team_photo_set
from .privacy import person_views_record, problem_view_record, problem_views_record, resident_report_views_record
from .problems.services import (
    ANALYSIS_FIELDS,
    ASSESSMENT_FIELDS,
    PROBLEM_FIELDS,
    analysis_save,
    assessment_save,
    participation_add,
    problem_add_partner,
    problem_create,
    problem_public_set,
    problem_request_closure,
    problem_transfer,
    problem_transition,
    problem_update,
)
from .problems.workflow import FinalContactRequired, TransitionRefused
from .reminders.team_messages import team_message_reminders_send
from .residents.inbox import (
    team_message_assign,
    team_message_close,
    team_message_create,
    team_message_emails_send,
    team_message_reply,
    team_message_views_record,
)
from .residents.notices import resident_notices_send
from .residents.services import (
    resident_report_accept,
    resident_report_attach,
    resident_report_create,
    resident_report_decline,
    resident_report_feedback,
    resident_report_unsubscribe,
)
from .user_import import user_scope_set

__all__ = [
    "team_message_assign",
    "team_message_close",
    "team_message_create",
    "team_message_emails_send",
    "team_message_reply",
    "team_message_views_record",
    "team_message_reminders_send",
    "PANEL_FIELDS",
    "panel_action_take",
    "panel_agenda_build",
    "panel_case_review_held",
    "panel_case_review_recommend",
    "panel_create",
    "panel_decide",
    "panel_update",
    "CaseReviewRefused",
    "Incident",
    "case_review_acknowledge",
    "case_review_close",
    "case_review_create",
    "case_review_decide",
    "case_review_handling_review",
    "case_review_lead_set",
    "case_review_meeting",
    "case_review_outcome",
    "case_review_recommend",
    "incident_add",
    "PERSON_CONTACT_FIELDS",
    "PERSON_FIELDS",
    "PLACE_FIELDS",
    "person_create",
    "person_merge",
    "person_update",
    "place_create",
    "place_merge",
    "place_update",
    "problem_person_create",
    "problem_person_link",
    "problem_person_unlink",
    "problem_place_create",
    "problem_place_link",
    "problem_place_unlink",
    "person_views_record",
    "resident_report_views_record",
    "risk_assess",
    "risk_questionnaire_default_ensure",
    "ACTION_EDITABLE",
    "ANALYSIS_FIELDS",
    "ASSESSMENT_FIELDS",
    "EVALUATION_RECORDED",
    "PROBLEM_FIELDS",
    "PermissionDenied",
    "FinalContactRequired",
    "TransitionRefused",
    "ValidationError",
    "action_add",
    "action_transfer",
    "action_update",
    "alert_digest_claim",
    "alert_subscription_confirm",
    "alert_unsubscribe",
    "analysis_save",
    "assessment_save",
    "AGREEMENT_FIELDS",
    "LOG_FIELDS",
    "contact_add",
    "contact_agree",
    "contact_log",
    "contact_update",
    "evaluation_record",
    "participation_add",
    "problem_add_partner",
    "problem_create",
    "problem_public_set",
    "problem_request_closure",
    "problem_transfer",
    "problem_transition",
    "problem_update",
    "problem_view_record",
    "problem_views_record",
    "resident_notices_send",
    "resident_report_accept",
    "resident_report_attach",
    "resident_report_create",
    "resident_report_decline",
    "resident_report_feedback",
    "resident_report_unsubscribe",
    "review_record",
    "update_add",
    "update_decide",
    "user_scope_set",
    # the team page and the Pledge in public (jps.pledge)
    "neighbourhood_team_set",
    "pledge_explanation_record",
    "team_entry_set",
    "team_photo_remove",
    "team_photo_set",
]
