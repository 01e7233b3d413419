"""Demo case panels: Canterbury's ASB risk panel held yesterday, its agenda built by JPS, two decisions and an
action taken at the table; and next month's partnership tasking meeting, its agenda built. Through
``jps.services``, after the problems, people, case reviews and tiers are loaded. Idempotent."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from jps import models as m
from jps import selectors, services


@transaction.atomic
def load_demo_panels(*, log: Callable[[str], None] = print) -> None:
    chair = m.User.objects.filter(username="supervisor").first()
    council_officer = m.User.objects.filter(username="partner").select_related("agency").first()
    district = m.District.objects.filter(force__code="KNT", slug="canterbury").first()
    if chair is None or council_officer is None or district is None or m.Panel.objects.exists():
        return
    agencies = list(m.Agency.objects.filter(name__in=["Kent Police", "Canterbury City Council", "Orbit Housing"]))
    today = timezone.localdate()
    yesterday = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=1), datetime.time(10)))
    panel = services.panel_create(
        by=chair, district=district, starts_at=yesterday, venue="Canterbury City Council offices, Military Road",
        chair=chair, agencies=agencies,
    )  # fmt: skip
    services.panel_agenda_build(panel=panel, by=chair)
    items = list(panel.items.order_by("position"))
    if items:
        services.panel_decide(
            item=items[0], by=chair, decision="Joint visit this week; review the risk at the next panel."
        )
    council_items = selectors.panel_minutes(council_officer, panel).items
    problem_items = [i for i in council_items if i.problem_id is not None and i not in items[:1]]
    if problem_items and council_officer.agency is not None:
        item = problem_items[0]
        services.panel_decide(item=item, by=council_officer, decision="The council takes the lead on the tenancy.")
        services.panel_action_take(
            item=item, by=council_officer, description="Tenancy enforcement warning to the address",
            agency=council_officer.agency, assignee=council_officer, due_on=today + datetime.timedelta(days=14),
        )  # fmt: skip
    next_month = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=28), datetime.time(14)))
    tasking = services.panel_create(
        by=chair, district=district, kind=m.Panel.Kind.TASKING, starts_at=next_month, online=True, chair=chair,
        agencies=agencies,
    )  # fmt: skip
    services.panel_agenda_build(panel=tasking, by=chair)
    log(f"Demo panels: Canterbury's ASB risk panel ({len(items)} items, minuted) and next month's tasking meeting.")
