"""Only the agencies taking part see an application: the API, the pages and the CSV agree; the
applicant's contact details follow the people rule."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from jps import models as m
from jps import selectors
from tests import factories as f

from .conftest import apply

pytestmark = pytest.mark.usefixtures("june")


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_who_sees_an_application(area, neighbourhood, category, analyst, call_handler, other_supervisor):  # type: ignore[no-untyped-def]
    """Received and led by the council, on a police problem the council takes part in."""
    application = apply(area)
    sees = {
        u.username
        for u in m.User.objects.all()
        if selectors.case_reviews_visible_to(u).filter(pk=application.pk).exists()
    }
    # The council (lead, receiver), the police (the problem's lead agency), nobody else's staff.
    assert sees == {"council", "csp_lead", "pcso", "sergeant", "dover_sergeant"}
    assert not selectors.case_reviews_visible_to(area.fire_officer).exists()
    assert not selectors.case_reviews_visible_to(area.housing_officer).exists()
    assert not selectors.case_reviews_visible_to(analyst).exists()
    # Housing joins when it takes part in a linked problem.
    m.Participation.objects.create(problem=area.problem, agency=area.housing)
    assert selectors.case_reviews_visible_to(area.housing_officer).filter(pk=application.pk).exists()


def test_a_partner_that_takes_no_part_never_sees_it_in_the_api(area):  # type: ignore[no-untyped-def]
    application = apply(area)
    fire = api(area.fire_officer)
    assert fire.get("/api/case-reviews/").json()["results"] == []
    assert fire.get(f"/api/case-reviews/{application.pk}/").status_code == 404
    assert fire.post(f"/api/case-reviews/{application.pk}/acknowledge/", {}, format="json").status_code == 404
    council = api(area.council_officer)
    assert [a["id"] for a in council.get("/api/case-reviews/").json()["results"]] == [application.pk]
    figures = fire.get("/api/case-reviews/figures/").json()  # counts only, no application named
    assert figures == [{"district": area.district.pk, "district_name": area.district.name, "year": 2026,
                        "quarter": 2, "received": 1, "threshold_not_met": 0, "reviews": 0,
                        "with_recommendations": 0}]  # fmt: skip


def test_a_partner_that_takes_no_part_never_sees_it_on_the_pages_or_in_the_csv(area, client):  # type: ignore[no-untyped-def]
    application = apply(area)
    client.force_login(area.fire_officer)
    assert application.reference not in client.get("/case-reviews/").content.decode()
    assert client.get(f"/case-reviews/{application.pk}/").status_code == 404
    assert client.get(f"/case-reviews/{application.pk}/letter/").status_code == 404
    assert client.post(f"/case-reviews/{application.pk}/acknowledge/").status_code == 404
    assert application.reference not in client.get("/case-reviews/export.csv").content.decode()
    figures = client.get("/case-reviews/figures.csv").content.decode()
    assert application.reference not in figures and "Ann" not in figures
    client.force_login(area.council_officer)
    assert application.reference in client.get("/case-reviews/export.csv").content.decode()


def test_the_applicants_contact_details_follow_the_people_rule(area):  # type: ignore[no-untyped-def]
    application = apply(area)
    as_partner = api(area.council_officer).get(f"/api/case-reviews/{application.pk}/").json()["applicant"]
    assert as_partner["name"] == "Ann Jones" and as_partner["phone"] is None
    as_police = api(area.pcso).get(f"/api/case-reviews/{application.pk}/").json()["applicant"]
    assert as_police["phone"] == "01227 000000"


def test_linked_problems_the_reader_cannot_see_are_left_out(area, neighbourhood, category):  # type: ignore[no-untyped-def]
    hidden = f.ProblemFactory(owner=area.pcso, neighbourhood=neighbourhood, category=category)
    application = apply(area, by=area.pcso, received_by_agency=area.police, problems=[area.problem, hidden])
    body = api(area.council_officer).get(f"/api/case-reviews/{application.pk}/").json()
    assert body["problems"] == [area.problem.pk]
