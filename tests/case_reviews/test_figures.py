"""The statutory figures against a hand-counted set of applications, in one query; on the dashboard and as CSV."""

from __future__ import annotations

import pytest

from jps import models as m
from jps.case_reviews import services
from jps.case_reviews.selectors import case_review_figures, figure_table
from tests import factories as f

from .conftest import apply, d

pytestmark = pytest.mark.usefixtures("june")


@pytest.fixture
def applications(area, other_district, police):  # type: ignore[no-untyped-def]
    """Canterbury, 2026 Q1: A not met, B reviewed with a recommendation, C reviewed without one.
    Canterbury, 2026 Q2: D received, not yet decided. Dover, 2026 Q1: E not met. 2025 Q4: F (Canterbury), not met."""
    lead = area.council_officer

    def make(received: str, **kw):  # type: ignore[no-untyped-def]
        return apply(area, received_on=received, **kw)

    a, b, c, dd, ff = (make(day) for day in ("2026-01-05", "2026-02-10", "2026-03-31", "2026-04-01", "2025-12-31"))
    for x in (a, ff):
        services.case_review_decide(application=x, by=lead, met=False, reasons="One complaint.")
    for x in (b, c):
        services.case_review_decide(application=x, by=lead, met=True, reasons="Diary")
        services.case_review_meeting(application=x, by=lead, held_on=d("2026-04-20"), agencies=[area.council],
                                     findings="Reviewed.")  # fmt: skip
    services.case_review_recommend(application=b, by=lead, problem=area.problem, text="Warn", agency=area.council,
                                   due_on=d("2026-07-01"))  # fmt: skip
    services.case_review_outcome(application=b, by=lead, text="Outcome")
    services.case_review_close(application=b, by=lead)
    dover_sgt = f.UserFactory(
        username="dover_lead", role=m.User.Role.SUPERVISOR, agency=police, districts=[other_district]
    )
    e = apply(area, by=dover_sgt, district=other_district, received_on="2026-02-02", received_by_agency=police,
              lead_agency=police, lead_officer=dover_sgt, problems=[])  # fmt: skip
    services.case_review_decide(application=e, by=dover_sgt, met=False, reasons="No.")
    return area


def test_the_figures_per_area_and_quarter_match_the_hand_count(applications, django_assert_num_queries):  # type: ignore[no-untyped-def]
    districts = m.District.objects.all()
    with django_assert_num_queries(1):
        rows = case_review_figures(districts=districts)
    assert figure_table(rows) == [
        ("Canterbury", 2025, "Q4", 1, 1, 0, 0),
        ("Canterbury", 2026, "Q1", 3, 1, 2, 1),
        ("Canterbury", 2026, "Q2", 1, 0, 0, 0),
        ("Dover", 2026, "Q1", 1, 1, 0, 0),
    ]
    assert figure_table(case_review_figures(districts=districts, year=2025)) == [("Canterbury", 2025, "Q4", 1, 1, 0, 0)]


def test_the_figures_on_the_dashboard_and_as_csv(applications, client):  # type: ignore[no-untyped-def]
    client.force_login(applications.supervisor)
    page = client.get("/dashboard/").content.decode()
    assert "ASB case reviews (statutory figures)" in page
    csv = client.get("/dashboard/case-reviews.csv").content.decode().splitlines()
    assert (
        csv[0] == "CSP area,Year,Quarter,Applications received,Threshold not met,Reviews carried out,"
        "Reviews leading to recommendations"
    )
    assert "Canterbury,2026,Q1,3,1,2,1" in csv
    assert client.get("/case-reviews/figures.csv").content.decode().splitlines()[1:] == csv[1:]
