"""The demo force has an ASB case review in every state, with recommendations as actions."""

from __future__ import annotations

import pytest

from jps import models as m
from jps.demo.loader import DemoLoader


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_a_case_review_in_every_state():
    DemoLoader(password="demo-password-123", log=lambda _: None).load()
    DemoLoader(password="demo-password-123", log=lambda _: None).load()  # idempotent
    states = set(m.CaseReviewApplication.objects.values_list("state", flat=True))
    assert states == set(m.CaseReviewState.values)
    assert m.CaseReviewApplication.objects.count() == 8
    assert m.CaseReviewRecommendation.objects.count() == 8  # two for each reviewed application (4)
    assert m.District.objects.get(name="Canterbury").community_safety_lead.username == "partner"
