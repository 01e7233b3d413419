"""Exports are triggered by approvals and closures, never break the write, and run on a real worker."""

from __future__ import annotations

import json
import logging
import time

import pytest
from celery.result import EagerResult
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from jps import services
from jps.models import Stage
from tasks.publishing import publish_site_task

from .conftest import PUBLIC, work_priority
from .site import priority_page


@pytest.mark.django_db
def test_approving_an_update_and_closing_a_priority_publish_on_commit(
    people, area, category, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from tasks.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # run the queued export in this process
    root = settings.PUBLIC_SITE_DIR
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        problem = work_priority(**people, neighbourhood=area, category=category, close=False)
    assert len(callbacks) == 1  # the approval; the rejection and internal notes do not publish
    page = root / "current" / priority_page(problem)
    assert PUBLIC["update"] in page.read_text()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.problem_update(problem=problem, by=people["pcso"], description="Internal detail")
    assert callbacks == []  # internal edits change nothing public: the nightly export is enough
    transaction.get_connection().run_on_commit.clear()  # forget the approval's export (it already ran)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.problem_public_set(problem=problem, by=people["supervisor"], public_title="Renamed in public")
    assert len(callbacks) == 1  # what residents read changed: published at once
    assert "Renamed in public" in page.read_text()


@pytest.mark.django_db
def test_a_closure_of_a_public_priority_queues_an_export(people, area, category, django_capture_on_commit_callbacks):
    problem = work_priority(**people, neighbourhood=area, category=category, close=False)
    # The test's own transaction never commits: forget the export the set-up's approval queued,
    # since one pending export per transaction is all publish_soon ever queues.
    transaction.get_connection().run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.problem_transition(problem=problem, to=Stage.CLOSED_NO_ACTION, by=people["supervisor"], reason="dup")
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.problem_transition(problem=problem, to=Stage.SCANNING, by=people["supervisor"], reason="back")
    assert callbacks == []  # already queued in this transaction


@pytest.mark.django_db(transaction=True)
def test_the_write_succeeds_when_the_broker_is_down(people, area, category, caplog, closed_broker):
    problem = work_priority(**people, neighbourhood=area, category=category, close=False)
    update = services.update_add(problem=problem, by=people["pcso"], text="x", propose_public=True)
    with caplog.at_level(logging.ERROR, logger="jps.publishing"), transaction.atomic():
        services.update_decide(update=update, by=people["web_editor"], approve=True, public_text="Done.")
    update.refresh_from_db()
    assert update.status == "approved"
    assert "Could not queue the public site export" in caplog.text


@pytest.mark.django_db
def test_the_nightly_schedule_exists_once():
    """The default schedule holds the nightly export and the alert digests; installing again changes nothing."""
    from tasks.schedule import install_schedule

    install_schedule()
    install_schedule()
    names = list(PeriodicTask.objects.filter(name__startswith="Public site:").values_list("task", flat=True))
    assert sorted(names) == ["jps.publishing.publish_site", "jps.publishing.send_alert_digests"]
    nightly = PeriodicTask.objects.get(name="Public site: nightly full export")
    assert json.loads(nightly.kwargs) == {"full": True} and nightly.crontab.hour == "2"


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_task_on_a_real_worker_with_real_redis_produces_the_site(people, area, category, settings, celery_worker):
    problem = work_priority(**people, neighbourhood=area, category=category, close=False)
    result = publish_site_task.apply_async(kwargs={"full": True})
    assert not isinstance(result, EagerResult)  # it went through Redis to the worker
    index = settings.PUBLIC_SITE_DIR / "current" / "index.html"
    page = settings.PUBLIC_SITE_DIR / "current" / priority_page(problem)
    # Adopting the priority queued its own export before the update was approved; the worker may
    # publish that one first, so wait for the site to show the approved update, not just the page.
    deadline = time.monotonic() + 60
    while not (page.exists() and PUBLIC["update"] in page.read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert index.exists() and PUBLIC["update"] in page.read_text()
    assert celery_worker.app.conf.broker_url.startswith("redis://")
