"""The Welsh pages show the Welsh words, the English pages the English, each part marked with its language."""

from __future__ import annotations

import re

import pytest

from jps.models import Assessment, Force, Neighbourhood, Problem, ProgressUpdate
from publicsite.export import publish

from .conftest import PUBLIC, SECRETS
from .site import nbhd_dir, priority_page, site_files

pytestmark = pytest.mark.django_db

WELSH = {
    "title": "Yfed a sŵn ger y siopau",
    "update": "Rydym wedi cynyddu patrolau ar nos Wener a nos Sadwrn.",
    "outcome": "Mae adroddiadau am sŵn wedi haneru.",
    "place": "Porth y Gogledd",
    "force": "Heddlu Caint",
}


@pytest.fixture
def in_welsh(priorities, force, area):  # type: ignore[no-untyped-def]
    """The closed priority's words in Welsh too (the current one has none: approved before Welsh was asked)."""
    closed = priorities["closed"]
    Problem.objects.filter(pk=closed.pk).update(public_title_cy=WELSH["title"])
    ProgressUpdate.objects.filter(problem=closed, status="approved").update(public_text_cy=WELSH["update"])
    Assessment.objects.filter(problem=closed).update(public_outcome_cy=WELSH["outcome"])
    Neighbourhood.objects.filter(pk=area.pk).update(public_name_cy=WELSH["place"])
    Force.objects.filter(pk=force.pk).update(welsh_enabled=True, name_cy=WELSH["force"])
    return priorities


def test_the_welsh_page_shows_the_welsh_words_and_the_english_page_the_english(in_welsh, settings):
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    page = priority_page(in_welsh["closed"])
    english, welsh = files[page].decode(), files[f"cy/{page}"].decode()
    assert '<html lang="cy">' in welsh and '<html lang="en">' in english
    for key in ("title", "update", "outcome", "place", "force"):
        assert WELSH[key] in welsh, key
        assert WELSH[key] not in english, key
    for key in ("title", "update", "outcome"):
        assert PUBLIC[key] in english
        assert PUBLIC[key] not in welsh, key
    assert f"<h1>{WELSH['title']}</h1>" in welsh  # Welsh in a Welsh page: no lang of its own
    assert english.count('lang="en"') == 1  # the page's own: nothing in it is marked as another language


def test_english_left_in_a_welsh_page_is_marked_as_english(in_welsh, settings):
    """Words approved before Welsh was asked for stay English on the Welsh page, marked ``lang="en"``."""
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    current = files[f"cy/{priority_page(in_welsh['current'])}"].decode()
    assert '<h1 lang="en">Speeding on Military Road</h1>' in current
    assert f'<div lang="en"><p>{PUBLIC["update"]}</p></div>' in current
    neighbourhood = files[f"cy/{nbhd_dir(in_welsh['closed'].neighbourhood)}index.html"].decode()
    assert f"<h1>{WELSH['place']}</h1>" in neighbourhood
    assert f">{WELSH['title']}</a>" in neighbourhood
    assert 'lang="en">Speeding on Military Road</a>' in neighbourhood


def test_machine_readable_files_and_feeds_stay_english(in_welsh, settings):
    """data.police.uk has no language variant, nor do the Open311 files: they carry the English words."""
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    machine = {
        name: body.decode()
        for name, body in files.items()
        if name.endswith((".json", ".atom", ".ics")) or name.startswith("api/")
    }
    assert machine and not any(name.startswith("cy/") and name.endswith(".json") for name in machine)
    everything = "\n".join(machine.values())
    assert PUBLIC["title"] in everything and WELSH["title"] not in everything


def test_no_personal_data_reaches_the_welsh_pages(in_welsh, settings):
    """The planted-data test, over the Welsh pages with Welsh words in them."""
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    welsh = b"\n".join(body for name, body in files.items() if name.startswith("cy/")).decode()
    assert WELSH["title"] in welsh and WELSH["outcome"] in welsh
    assert {name: value for name, value in SECRETS.items() if value.lower() in welsh.lower()} == {}
    assert not re.search(r"ZZ[A-Z]+ ", welsh)


def test_the_case_review_figures_page_is_translated(in_welsh, settings):
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    pages = [name for name in files if name.startswith("cy/case-reviews/") and name.endswith("index.html")]
    assert pages
    welsh = files[pages[0]].decode()
    for text in ("Adolygiadau achos ymddygiad gwrthgymdeithasol", "Pob blwyddyn", "Ceisiadau a ddaeth i law"):
        assert text in welsh
    english = files[pages[0].removeprefix("cy/")].decode()
    assert "Each year" in english and "Applications received" in english and "Pob blwyddyn" not in english
