"""The staff interface's views: thin. Forms validate, ``jps.services`` write, ``jps.selectors`` read.

Every problem is fetched through the user's scope, so one they may not see is a 404;
a refused permission raised by a service becomes the 403 page; a refused transition
or a ValidationError is shown next to the form that caused it, with what was typed.

The package: ``common`` (what every view shares), ``home`` (my work), ``new_problem`` (logging),
``problem`` (the problem page and its forms), ``lists`` (the list and its CSV), ``places``.
"""

from __future__ import annotations

from .common import form_act, log_problem_view, problem_for
from .home import home, update_decide
from .lists import problem_csv, problem_list
from .new_problem import neighbourhood_here, problem_create, problem_duplicates
from .places import SignOutView, neighbourhood_list, neighbourhood_page
from .problem import (
    action_add,
    action_update,
    closure_request,
    problem_analysis,
    problem_assessment,
    problem_page,
    problem_public,
    problem_review,
    problem_scanning,
    problem_transition,
    update_add,
)

__all__ = [
    "SignOutView",
    "action_add",
    "action_update",
    "closure_request",
    "form_act",
    "home",
    "log_problem_view",
    "neighbourhood_here",
    "neighbourhood_list",
    "neighbourhood_page",
    "problem_analysis",
    "problem_assessment",
    "problem_create",
    "problem_csv",
    "problem_duplicates",
    "problem_for",
    "problem_list",
    "problem_page",
    "problem_public",
    "problem_review",
    "problem_scanning",
    "problem_transition",
    "update_add",
    "update_decide",
]
