"""The demo force has a family on several problems, a repeat location and a vulnerable victim."""

from __future__ import annotations

import pytest

from jps import models as m
from jps import selectors
from jps.demo.loader import DemoLoader


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_a_repeat_victim_at_a_repeat_location():
    DemoLoader(password="demo-password-123", log=lambda _: None).load()
    DemoLoader(password="demo-password-123", log=lambda _: None).load()  # idempotent
    sharon = m.Person.objects.get(name="Sharon Doyle")
    facts = selectors.person_repeat_counts(person_ids=[sharon.pk])[sharon.pk]
    assert facts.victim_recent == 3 and facts.vulnerable
    flat = m.Place.objects.get()
    assert selectors.place_repeat_counts(place_ids=[flat.pk])[flat.pk].problems == 3
    assert m.Person.objects.filter(name__endswith="Doyle").count() == 3
