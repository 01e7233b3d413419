"""In the browser: the learning-needs page's charts and tables read as GOV.UK's do (issue 22, point 8).

Labels are whole and never cut off, on a 360 px phone and at 1280 px; chart text is at least 16px;
the columns of words in a table are left-aligned and only the columns of numbers right-aligned.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jps import models as m
from tests import factories as f

from .browser import check, sign_in
from .conftest import PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
LONG_SKILL = "Using civil injunctions and community protection notices against persistent anti-social behaviour"
SKILLS = [LONG_SKILL, "Problem analysis", "Partnership working with licensing and housing", "Evaluation"]


@pytest.fixture
def needs(training_manager, analyst, pcso, district, neighbourhood, category):  # type: ignore[no-untyped-def]
    """Learning needs over two months, one with a skill far longer than a chart's old label space."""
    problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, stage=m.Stage.CLOSED)
    evaluation = m.Evaluation.objects.create(problem=problem, analyst=analyst, rating="amber", learning="Lessons")
    now = timezone.now()
    for i, skill in enumerate(SKILLS):
        for n in range(len(SKILLS) - i):
            when = now - datetime.timedelta(days=40 * (n % 2))
            m.LearningNeed.objects.create(evaluation=evaluation, district=district, skill=skill, created_at=when)
    return training_manager


CHART_FACTS = """() => [...document.querySelectorAll('.jps-chart')].flatMap(chart => {
    const box = chart.getBoundingClientRect();
    return [...chart.querySelectorAll('.jps-chart__label, .jps-chart__value')].map(el => {
        const r = el.getBoundingClientRect();
        return {
            text: el.textContent.replace(/:$/, '').trim(),
            size: parseFloat(getComputedStyle(el).fontSize) * (el.getScreenCTM ? el.getScreenCTM().a : 1),
            clipped: el.scrollWidth > el.clientWidth + 1 || r.left < box.left - 1 || r.right > box.right + 1,
            label: el.classList.contains('jps-chart__label'),
            align: getComputedStyle(el).textAlign,
        };
    });
})"""

TABLE_ALIGNMENT = """(caption) => {
    const table = [...document.querySelectorAll('table')].find(t => t.caption.textContent.startsWith(caption));
    const head = [...table.tHead.rows[0].cells].map(c => [c.textContent, getComputedStyle(c).textAlign]);
    const row = [...table.tBodies[0].rows[0].cells].map(c => getComputedStyle(c).textAlign);
    return {head, row};
}"""


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
def test_learning_needs_charts_show_whole_labels_in_readable_text(new_page, needs, viewport):
    page = new_page(viewport)
    sign_in(page, "training")
    page.goto("/learning-needs/")
    expect(page.get_by_role("heading", name="Learning needs by skill")).to_be_visible()
    facts = page.evaluate(CHART_FACTS)
    labels = [fact["text"] for fact in facts if fact["label"]]
    assert LONG_SKILL in labels, labels  # whole, not cut to 32 characters
    for fact in facts:
        assert not fact["clipped"], f"{fact['text']!r} is cut off at {viewport['width']}px"
        assert fact["size"] >= 16, f"{fact['text']!r} is {fact['size']:.1f}px at {viewport['width']}px"
        assert fact["align"] in ("left", "start") if fact["label"] else fact["align"] == "right"
    name = f"insight-learning-needs-{'phone' if viewport == PHONE else 'wide'}"
    check(page, name)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-full.png"), full_page=True)


def test_learning_needs_tables_align_words_left_and_numbers_right(new_page, needs):
    page = new_page(WIDE)
    sign_in(page, "training")
    page.goto("/learning-needs/")
    table = page.evaluate(TABLE_ALIGNMENT, "Learning needs by district and skill, per month")
    assert [name for name, _ in table["head"]] == ["District", "Skill", "Month", "Needs"]
    words_left = ("left", "start")
    assert [align in words_left for _, align in table["head"]] == [True, True, True, False]
    assert [align in words_left for align in table["row"]] == [True, True, True, False]
    assert table["row"][-1] == "right"
    by_skill = page.evaluate(TABLE_ALIGNMENT, "Learning needs by skill")
    assert [align in words_left for align in by_skill["row"]] == [True, False]
    # The month-by-month table has no chart beside it: it takes the page's width.
    wrap = page.get_by_role("region", name="Learning needs by district and skill, per month, table")
    assert wrap.bounding_box()["width"] > 900
