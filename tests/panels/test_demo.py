"""The demo force has a minuted panel with its agenda, and one to come; loading twice adds nothing."""

from __future__ import annotations

import pytest

from jps import models as m
from jps.demo.loader import DemoLoader


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_a_minuted_panel_and_one_to_come() -> None:
    DemoLoader(password="demo-password-123", log=lambda _: None).load()
    DemoLoader(password="demo-password-123", log=lambda _: None).load()  # idempotent
    held, tasking = m.Panel.objects.order_by("starts_at")
    assert held.status == m.Panel.Status.HELD and tasking.kind == m.Panel.Kind.TASKING
    reasons = set(held.items.values_list("reason", flat=True))
    assert {m.PanelItem.Reason.HIGH_RISK_VICTIM, m.PanelItem.Reason.CASE_REVIEW_DUE} <= reasons
    assert held.items.exclude(decision="").count() == 2 and m.PanelAction.objects.count() == 1
