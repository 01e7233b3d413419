"""The pages: a council ASB officer records an application, sees the threshold met with the evidence,
records the meeting and two recommendations, and produces the applicant's letter."""

from __future__ import annotations

import pytest

from jps import models as m

from .conftest import at, report

pytestmark = pytest.mark.usefixtures("june")


def test_a_council_officer_takes_an_application_to_its_letter(area, client):  # type: ignore[no-untyped-def]
    report(area.problem, "2026-04-02", area.council_officer)
    report(area.problem, "2026-05-20", area.housing_officer)
    client.force_login(area.council_officer)
    assert client.get("/case-reviews/new/").status_code == 200
    response = client.post("/case-reviews/new/", {
        "district": area.district.pk, "applicant_name": "Bea Smith", "applicant_phone": "07700 900000",
        "received_on_day": "1", "received_on_month": "6", "received_on_year": "2026", "channel": "phone",
        "summary": "Nothing is being done about the flat above.", "lead_agency": area.council.pk,
        "problems": [area.problem.pk],
    })  # fmt: skip
    application = m.CaseReviewApplication.objects.get()
    assert response.status_code == 302 and response.url == f"/case-reviews/{application.pk}/"
    assert application.applicant.name == "Bea Smith" and application.received_by == area.council_officer
    page = client.get(response.url).content.decode()
    assert "Threshold: met on the records" in page and area.problem.reference in page
    assert "3 complaints between 1 December 2025 and 1 June 2026" in page
    assert "07700 900000" not in page  # a partner does not see how to reach a person

    def step(name, data):  # type: ignore[no-untyped-def]
        reply = client.post(f"/case-reviews/{application.pk}/{name}/", data)
        assert reply.status_code == 302, reply.content.decode()[:3000]

    step("decide", {"met": "yes", "reasons": ""})
    step("meeting", {"held_on_day": "12", "held_on_month": "6", "held_on_year": "2026",
                     "agencies": [area.council.pk, area.police.pk], "findings": "Not joined up."})  # fmt: skip
    for text, agency, who in [
        ("Serve a warning", area.council, area.council_officer),
        ("Call Bea monthly", area.police, area.pcso),
    ]:
        due = {"due_on_day": "1", "due_on_month": "7", "due_on_year": "2026"}
        step("recommend", {"problem": area.problem.pk, "text": text, "agency": agency.pk, "assignee": who.pk,
                           "action_type": "prevention", **due})  # fmt: skip
    step("outcome", {"text": "We are sorry it took a review."})
    letter = client.get(f"/case-reviews/{application.pk}/letter/").content.decode()
    assert "Dear Bea Smith" in letter and "Serve a warning" in letter and "Call Bea monthly" in letter
    assert "police and crime commissioner" in letter
    assert m.Action.objects.filter(problem=area.problem).count() == 2


def test_an_empty_decision_says_what_to_do(area, client):  # type: ignore[no-untyped-def]
    from .conftest import apply

    application = apply(area)
    client.force_login(area.council_officer)
    reply = client.post(f"/case-reviews/{application.pk}/decide/", {"met": "no", "reasons": ""})
    assert reply.status_code == 400
    assert "Say why the threshold is not met" in reply.content.decode()
    assert at("2026-06-15")
