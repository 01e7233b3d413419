"""The domain's reads, by name: the index the web face, the API, the jobs and the exports import.

Nothing is defined here. Each read lives in its subdomain package and starts from the one
visibility rule (``jps.rules.problem_scope_q``): ``jps.problems.selectors`` (problems, their
detail and history, where a user may log, the neighbourhood at a point),
``jps.casework.selectors`` (actions, reviews, updates), ``jps.contacts.selectors`` (contact
agreements), ``jps.casework.duplicates`` (the check before logging), ``jps.insight``
(evaluations, learning needs) and ``jps.reminders.selectors``.
Inside ``jps`` the packages import each other's modules directly, never this index.
"""

from __future__ import annotations

from .case_reviews.selectors import (
    FIGURE_COLUMNS,
    FigureRow,
    case_review_figures,
    case_review_get_for,
    case_reviews_visible_to,
    figure_table,
    figures_scope,
)
from .case_reviews.threshold import ThresholdCheck, local_rules, threshold_check
from .casework.duplicates import problems_possibly_duplicate, significant_words
from .casework.selectors import (
    actions_due_for_owner,
    actions_open_for_agency,
    actions_visible_to,
    reviews_visible_to,
    updates_awaiting_approval,
    updates_visible_to,
)
from .contacts.selectors import (
    contact_agreements_for,
    contact_log_for,
    contacts_visible_to,
    people_to_agree_with,
)
from .insight.library import evaluations_visible_to, evaluations_waiting, learning_needs_visible_to
from .panels.agenda import agenda_proposed, high_risk_victim_links
from .panels.selectors import Minutes, panel_districts_for, panel_get_for, panel_minutes, panels_visible_to
from .people.risk import (
    VictimRisk,
    high_risk_victims_for,
    risk_assessments_current,
    risk_assessments_visible_to,
    risk_questionnaire_for,
    risk_victims_on_problem,
)
from .people.selectors import (
    Lookup,
    PersonFacts,
    PersonProfile,
    PlaceFacts,
    PlaceProfile,
    lookup,
    people_visible_to,
    person_link_risks,
    person_links_visible_to,
    person_profile,
    person_read_through,
    person_repeat_counts,
    person_search,
    place_links_visible_to,
    place_profile,
    place_repeat_counts,
    place_search,
    places_visible_to,
)
from .problems.selectors import (
    closures_awaiting_signoff,
    distance_metres,
    geometry_contains,
    neighbourhood_at,
    neighbourhood_open_problems,
    neighbourhoods_for_logging,
    problem_detail,
    problem_get_for,
    problem_history,
    problems_owned_by,
    problems_taking_part,
    problems_visible_to,
    reviews_due,
    reviews_overdue,
    scoped_get,
)
from .reminders.selectors import escalations_awaiting, reminders_for
from .residents.inbox_selectors import (
    team_message_inbox,
    team_message_neighbourhoods,
    team_messages_answered_within,
    team_messages_visible_to,
    team_messages_waiting_count,
)
from .residents.places import place_for_point, place_for_postcode
from .residents.selectors import (
    resident_feedback_figures,
    resident_feedback_on,
    resident_reports_to_triage,
    resident_reports_visible_to,
)

__all__ = [
    "team_message_inbox",
    "team_message_neighbourhoods",
    "team_messages_answered_within",
    "team_messages_visible_to",
    "team_messages_waiting_count",
    "Minutes",
    "agenda_proposed",
    "high_risk_victim_links",
    "panel_districts_for",
    "panel_get_for",
    "panel_minutes",
    "panels_visible_to",
    "FIGURE_COLUMNS",
    "FigureRow",
    "ThresholdCheck",
    "case_review_figures",
    "case_review_get_for",
    "case_reviews_visible_to",
    "figure_table",
    "figures_scope",
    "local_rules",
    "threshold_check",
    "Lookup",
    "PersonFacts",
    "PersonProfile",
    "PlaceFacts",
    "PlaceProfile",
    "lookup",
    "people_visible_to",
    "person_link_risks",
    "person_profile",
    "person_links_visible_to",
    "person_read_through",
    "person_repeat_counts",
    "person_search",
    "place_links_visible_to",
    "place_profile",
    "place_repeat_counts",
    "place_search",
    "places_visible_to",
    "VictimRisk",
    "high_risk_victims_for",
    "risk_assessments_current",
    "risk_assessments_visible_to",
    "risk_questionnaire_for",
    "risk_victims_on_problem",
    "contact_agreements_for",
    "contact_log_for",
    "contacts_visible_to",
    "people_to_agree_with",
    "actions_due_for_owner",
    "actions_open_for_agency",
    "actions_visible_to",
    "closures_awaiting_signoff",
    "distance_metres",
    "evaluations_visible_to",
    "escalations_awaiting",
    "evaluations_waiting",
    "geometry_contains",
    "learning_needs_visible_to",
    "neighbourhood_at",
    "neighbourhood_open_problems",
    "neighbourhoods_for_logging",
    "problem_detail",
    "problem_get_for",
    "problem_history",
    "problems_owned_by",
    "problems_possibly_duplicate",
    "problems_taking_part",
    "problems_visible_to",
    "reminders_for",
    "reviews_due",
    "reviews_overdue",
    "reviews_visible_to",
    "place_for_point",
    "place_for_postcode",
    "resident_feedback_figures",
    "resident_feedback_on",
    "resident_reports_to_triage",
    "resident_reports_visible_to",
    "scoped_get",
    "significant_words",
    "updates_awaiting_approval",
    "updates_visible_to",
]
