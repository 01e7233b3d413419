"""The demo force keeps the Doyle family informed: contacts on time, one overdue, a figure to show."""

from __future__ import annotations

import pytest

from jps import models as m
from jps.demo.loader import DemoLoader
from jps.insight.contact_figures import contacts_on_time_by_district


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_contacts_on_time_and_one_overdue():
    DemoLoader(password="demo-password-123", log=lambda _: None).load()
    DemoLoader(password="demo-password-123", log=lambda _: None).load()  # idempotent
    agreements = m.Contact.objects.filter(link__person__name__endswith="Doyle")
    assert agreements.count() == 4
    assert [c.days_overdue() for c in agreements if c.is_overdue] == [6]
    assert m.ContactLog.objects.filter(contact__in=agreements).count() == 5
    officer = m.User.objects.get(username="officer")
    (row,) = [r for r in contacts_on_time_by_district(user=officer).rows if r[1]]
    assert row[1:] == (5, 3, 1, 1, 60.0)
