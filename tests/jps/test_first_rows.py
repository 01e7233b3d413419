"""``first_rows``: a partner's "My work" list chosen before it is joined, the same rows in the same order."""

from __future__ import annotations

import datetime

import pytest

from jps import selectors
from jps.models import Participation, Stage, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_partners_first_open_problems_by_review_date_and_nothing_else():
    council = f.AgencyFactory(name="District council")
    partner = f.UserFactory(role=User.Role.PARTNER, agency=council)
    today = datetime.date.today()
    problems = [f.ProblemFactory(next_review_due=today + datetime.timedelta(days=d)) for d in (9, 3, 3, 7, 1, 5)]
    for problem in problems:
        Participation.objects.create(problem=problem, agency=council)
    problems[4].stage = Stage.CLOSED  # the earliest review, but closed: not "open"
    problems[4].save(update_fields=["stage"])
    f.ProblemFactory(next_review_due=today)  # the earliest of all, but not the council's

    chosen = selectors.problems_taking_part(user=partner, limit=4)

    expected = sorted((p for i, p in enumerate(problems) if i != 4), key=lambda p: (p.next_review_due, p.pk))[:4]
    assert [p.pk for p in chosen] == [p.pk for p in expected]
    assert chosen[0].neighbourhood.name and chosen[0].lead_agency  # related rows come with them
    housing = f.AgencyFactory(name="Housing association")
    assert selectors.problems_taking_part(user=f.UserFactory(role=User.Role.PARTNER, agency=housing), limit=4) == []
