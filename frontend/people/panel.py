"""What the problem page shows of the people and places on it (``includes/problem_people.html``).

Kept apart from the views of ``frontend.people`` so the problem page can import it without importing
them (they import the problem page's helpers).
"""

from __future__ import annotations

from typing import Any

from jps import selectors, services
from jps.models import Problem, ProblemView

from ..http import AuthedHttpRequest


def problem_people_panel(request: AuthedHttpRequest, problem: Problem) -> dict[str, Any]:
    """The people and places on ``problem``, each with its repeat facts (one query per kind); the
    people's read logged with the problem. For those who see the problem's contacts only."""
    people = list(problem.person_links.select_related("person").order_by("role", "person__name", "id"))
    facts = selectors.person_repeat_counts(person_ids=[link.person_id for link in people])
    services.person_views_record(
        user=request.user,
        reads=[(link.person_id, problem.pk) for link in people],
        channel=ProblemView.Channel.WEB,
        request_id=getattr(request, "request_id", ""),
    )
    places = list(problem.place_links.select_related("place").order_by("role", "place__address", "id"))
    place_facts = selectors.place_repeat_counts(place_ids=[link.place_id for link in places])
    return {
        "people": [{"link": link, "facts": facts[link.person_id]} for link in people],
        "places": [{"link": link, "facts": place_facts[link.place_id]} for link in places],
    }
