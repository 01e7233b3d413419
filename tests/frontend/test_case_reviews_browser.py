"""ASB case reviews and panels (issue 19): a council ASB officer records an application (the applicant found by
search), JPS shows the threshold met with the evidence, a panel meets and makes two recommendations, and the
applicant's letter is produced."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from jps import models as m
from tests import factories as f

from .browser import check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def complaints(partner_user, pcso, district, neighbourhood, category, council, housing):  # type: ignore[no-untyped-def]
    """Ann's problem (she is its victim), logged from a complaint three weeks ago and complained about twice since."""
    district.community_safety_lead = partner_user  # the council's ASB officer also leads community safety here
    district.save()
    now = timezone.now()
    problem = f.ProblemFactory(
        title="Noise and threats from the flat above", owner=pcso, neighbourhood=neighbourhood, category=category,
        source=m.Source.COMPLAINT, created_at=now - datetime.timedelta(days=21),
    )  # fmt: skip
    m.Participation.objects.create(problem=problem, agency=council)
    for days in (14, 7):
        at = now - datetime.timedelta(days=days)
        m.ProblemReport.objects.create(
            problem=problem, source=m.Source.COMPLAINT, originator="Ann Jones", reported_by=pcso, reported_at=at,
            text="Again.",
        )  # fmt: skip
    ann = m.Person.objects.create(force=district.force, name="Ann Jones", created_by=pcso)
    m.ProblemPerson.objects.create(problem=problem, person=ann, role=m.PersonRole.VICTIM, added_by=pcso)
    return problem


def fill_date(scope, day: datetime.date) -> None:  # type: ignore[no-untyped-def]
    scope.get_by_label("Day").fill(str(day.day))
    scope.get_by_label("Month").fill(str(day.month))
    scope.get_by_label("Year").fill(str(day.year))


def test_a_council_officer_takes_a_case_review_through_a_panel_to_the_letter(  # type: ignore[no-untyped-def]
    new_page, complaints, partner_user, police, council, housing
):
    page = new_page()
    sign_in(page, "council")
    page.get_by_role("link", name="Case reviews").first.click()
    check(page)
    page.get_by_role("link", name="Record an application").click()
    page.get_by_label("Name", exact=True).fill("Ann")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Choose Ann Jones").click()
    check(page, "case-review-record")
    page.get_by_label("Community safety partnership area").select_option(label="Canterbury")
    fill_date(page.get_by_role("group", name="Date received"), timezone.localdate() - datetime.timedelta(days=3))
    page.get_by_label("How it was received").select_option(label="Phone")
    page.get_by_label("What the applicant says").fill("Nothing is being done about the flat above.")
    page.get_by_label("Lead agency").select_option(label=council.name)
    page.get_by_label(re.compile(complaints.reference)).check()
    page.get_by_role("button", name="Record the application").click()
    page.wait_for_url(re.compile(r"/case-reviews/\d+/$"))
    application = m.CaseReviewApplication.objects.get()
    assert application.applicant.name == "Ann Jones"

    # JPS shows the threshold met on its records, with the three complaints it counted.
    page.get_by_role("heading", name="Threshold: met on the records").wait_for()
    assert page.locator("table tbody tr").count() == 3
    check(page, "case-review-threshold")
    decide = page.locator("form[action$='/decide/']")
    decide.get_by_label("Met", exact=True).check()
    decide.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()

    # The panel: arranged for yesterday (it has met), its agenda built by JPS with the case review on it.
    page.get_by_role("link", name="Case panels").first.click()
    page.get_by_role("link", name="Arrange a panel").click()
    page.get_by_label("Community safety partnership area").select_option(label="Canterbury")
    fill_date(page, timezone.localdate() - datetime.timedelta(days=1))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Venue (optional)").fill("Council offices")
    for agency in (police, council, housing):
        page.get_by_label(agency.name).check()
    page.get_by_role("button", name="Arrange the panel").click()
    page.wait_for_url(re.compile(r"/panels/\d+/$"))
    item = m.PanelItem.objects.get(case_review=application)
    card = page.locator(f"#item-{item.pk}")
    check(page, "panel-agenda")
    card.get_by_text("Hold the case review here").click()
    card.get_by_label("What the case review found").fill("Each agency held reports the others did not know of.")
    card.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    for text, agency in (("Visit Ann with the housing officer", housing), ("Share incident logs weekly", police)):
        card = page.locator(f"#item-{item.pk}")
        card.get_by_text("Make a recommendation").click()
        form = card.locator("form[action$='/recommend/']")
        form.get_by_label("Problem").select_option(index=1)
        form.get_by_label("Recommendation").fill(text)
        form.get_by_label("Agency responsible").select_option(label=agency.name)
        fill_date(form, timezone.localdate() + datetime.timedelta(days=28))
        form.get_by_role("button", name="Save").click()
        page.get_by_text("Saved.").wait_for()
    check(page, "panel-minutes")
    application.refresh_from_db()
    assert application.state == m.CaseReviewState.MEETING_HELD and application.recommendations.count() == 2

    # The outcome, and the letter to Ann with both recommendations.
    page.locator(f"#item-{item.pk}").get_by_role("link", name=application.reference).click()
    outcome = page.locator("form[action$='/outcome/']")
    outcome.get_by_label("What the applicant is told").fill("The agencies have agreed two things to do.")
    outcome.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    page.get_by_role("link", name="The outcome letter").click()
    page.get_by_text("Dear Ann Jones,").wait_for()
    letter = page.content()
    assert "Visit Ann with the housing officer" in letter
    assert "Share incident logs weekly" in letter
    check(page, "case-review-letter")
