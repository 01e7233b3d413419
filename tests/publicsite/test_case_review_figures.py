"""The statutory ASB case review figures on the public site: a page per force and per CSP area, with CSV and
JSON beside them, against the hand count of ``tests/case_reviews/test_figures.py``; counts only, never names."""

from __future__ import annotations

import csv
import io
import json

import pytest

from publicsite.export import publish
from tests.case_reviews.conftest import area, june  # noqa: F401
from tests.case_reviews.test_figures import applications  # noqa: F401

from .site import site_files

pytestmark = pytest.mark.django_db

HEADER = ["CSP area", "Year", "Quarter", "Applications received", "Threshold not met", "Reviews carried out",
          "Reviews leading to recommendations"]  # fmt: skip
CANTERBURY = [
    ["Canterbury", "2025", "All year", "1", "1", "0", "0"],
    ["Canterbury", "2025", "Q4", "1", "1", "0", "0"],
    ["Canterbury", "2026", "All year", "4", "1", "2", "1"],
    ["Canterbury", "2026", "Q1", "3", "1", "2", "1"],
    ["Canterbury", "2026", "Q2", "1", "0", "0", "0"],
]
DOVER = [["Dover", "2026", "All year", "1", "1", "0", "0"], ["Dover", "2026", "Q1", "1", "1", "0", "0"]]


@pytest.fixture
def site(june, applications, other_neighbourhood, settings):  # type: ignore[no-untyped-def]  # noqa: F811
    publish(full=True)
    return site_files(settings.PUBLIC_SITE_DIR)


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_the_force_and_area_figures_match_the_hand_count(site, applications) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    force = applications.district.force.slug
    base = f"case-reviews/{force}/"
    assert _csv(site[base + "figures.csv"]) == [HEADER, *CANTERBURY, *DOVER]
    assert _csv(site[f"{base}{applications.district.slug}/figures.csv"]) == [HEADER, *CANTERBURY]
    data = json.loads(site[base + "figures.json"])
    assert [a["area"] for a in data["areas"]] == ["Canterbury", "Dover"]
    [y2025, y2026] = data["areas"][0]["years"]
    assert (y2026["year"], y2026["received"], y2026["threshold_not_met"], y2026["reviews"]) == (2026, 4, 1, 2)
    assert y2026["with_recommendations"] == 1 and [q["quarter"] for q in y2026["quarters"]] == [1, 2]
    assert y2025["quarters"] == [
        {"quarter": 4, "received": 1, "threshold_not_met": 1, "reviews": 0, "with_recommendations": 0}
    ]
    page = site[base + "index.html"].decode()
    assert "ASB case reviews in" in page
    # The force's years: 2025 one application (not met); 2026 five, two not met, two reviews, one with recommendations.
    assert '<th scope="row">2025</th><td>1</td><td>1</td><td>0</td><td>0</td>' in page
    assert '<th scope="row">2026</th><td>5</td><td>2</td><td>2</td><td>1</td>' in page
    assert f'href="{applications.district.slug}/"' in page and 'href="figures.csv"' in page
    area_page = site[f"{base}{applications.district.slug}/index.html"].decode()
    assert '<th scope="row">2026 Q2</th><td>1</td><td>0</td><td>0</td><td>0</td>' in area_page
    assert f'href="case-reviews/{force}/"' in site["index.html"].decode()  # linked from the home page


def test_the_figures_name_no_one_and_no_application(site, applications) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from jps.models import CaseReviewApplication

    words = {"Ann Jones", "Nothing is being done", "Station Road", "CR-2026", "CR-2025", "01227"}
    words |= {a.summary for a in CaseReviewApplication.objects.all()}
    for path, content in site.items():
        if path.startswith("case-reviews/") or path == "index.html":
            text = content.decode()
            assert not [w for w in words if w in text], path
