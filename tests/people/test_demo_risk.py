"""The demo has victims assessed at first contact, some at high risk, in two districts' sergeants' sight."""

from __future__ import annotations

import pytest

from jps import models as m
from jps import selectors
from jps.demo.loader import DemoLoader


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_high_risk_victims_for_the_sergeants():
    DemoLoader(password="demo-password-123", log=lambda _: None).load()
    DemoLoader(password="demo-password-123", log=lambda _: None).load()  # idempotent
    assert m.RiskAssessment.objects.count() == 5
    current = selectors.risk_assessments_current().select_related("link__person")
    assert sorted((a.link.person.name, a.level) for a in current) == [
        ("Arjun Mehta", "high"),
        ("Sharon Doyle", "high"),
        ("Sharon Doyle", "high"),
        ("Sharon Doyle", "standard"),
    ]
    for sergeant, victim in (("supervisor", "Sharon Doyle"), ("sgt_dover", "Arjun Mehta")):
        user = m.User.objects.get(username=sergeant)
        assert victim in {a.link.person.name for a in selectors.high_risk_victims_for(user=user)}
    for assessment in m.RiskAssessment.objects.filter(level="high"):
        assert assessment.problem.risk == "high"
