"""A tour of the demo force in the browser: every role's pages pass axe-core and fit a phone.

It loads the same demo data as `make run`, so the screenshots under docs/screenshots/
show the product as a new user will first see it.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from jps.models import Neighbourhood, Problem, Stage

from .browser import check, sign_in
from .conftest import DESK, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password-for-tests-2026"


@pytest.fixture
def demo(live_server):  # type: ignore[no-untyped-def]
    call_command("load_demo", "--password", PASSWORD, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _pages_for(username: str) -> list[tuple[str, str]]:
    northgate = Neighbourhood.objects.get(name="Northgate")
    pages = [("/", f"my-work-{username}")]
    if username == "officer":
        problem = Problem.objects.filter(owner__username="officer", stage=Stage.RESPONSE).first()
        problem = problem or Problem.objects.filter(owner__username="officer").first()
        pages += [
            ("/problems/new/", "log-a-problem"),
            (f"/problems/{problem.pk}/", "problem-page"),
            (f"/neighbourhoods/{northgate.pk}/", "neighbourhood"),
        ]
    if username == "supervisor":
        problem = Problem.objects.filter(district__name="Canterbury", stage__in=["analysis", "response"]).first()
        pages += [
            ("/problems/?district=&sort=review", "problem-list"),
            (f"/problems/{problem.pk}/review/", "review-form"),
        ]
    return pages


ROLES = ["officer", "partner", "supervisor", "analyst", "webeditor", "training", "callhandler", "admin"]


def test_demo_tour_every_role(new_page, demo):
    """One load of the demo, then each role's pages on a desk and on a phone (screenshots from the desk)."""
    desk = new_page(DESK)
    desk.goto("/accounts/login/")
    check(desk, "sign-in")
    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    for username in ROLES:
        desk.context.clear_cookies()
        phone.context.clear_cookies()
        sign_in(desk, username, PASSWORD)
        sign_in(phone, username, PASSWORD)
        for url, shot in _pages_for(username):
            desk.goto(url)
            check(desk, shot if username != "admin" else "")
            phone.goto(url)
            check(phone, f"{shot}-phone" if username == "officer" else "")
