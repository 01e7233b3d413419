from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from jps import services
from jps.models import Analysis, Contact, Problem, ProgressUpdate, Stage
from jps.privacy import personal_data_redact, subject_access_export
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_closed(pcso, neighbourhood, category, settings):
    settings.JPS_RETENTION_DAYS = 365
    problem = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        originator="Mrs Jane Marple",
        location="14 Acacia Avenue",
    )
    services.contact_add(
        problem=problem,
        by=pcso,
        kind="victim",
        name="Jane Marple",
        phone="07700 900123",
        email="jane@example.org",
        preferred_method="phone",
    )
    services.analysis_save(problem=problem, by=pcso, victim="Jane Marple at number 14", offender="John Smith")
    services.update_add(problem=problem, by=pcso, text="Visited Jane Marple at home")
    Problem.objects.filter(pk=problem.pk).update(
        stage=Stage.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=400)
    )
    return problem


def test_retention_redacts_live_and_history_rows(old_closed, pcso, neighbourhood, category):
    recent = f.ProblemFactory(
        owner=pcso,
        neighbourhood=neighbourhood,
        category=category,
        stage=Stage.CLOSED,
        closed_at=timezone.now() - datetime.timedelta(days=10),
        originator="Keep Me",
    )
    open_problem = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, originator="Open One")

    assert personal_data_redact() == 1
    assert personal_data_redact() == 0  # idempotent: nothing left due

    old_closed.refresh_from_db()
    assert old_closed.originator == "[redacted]" and old_closed.location == ""
    assert old_closed.personal_data_redacted_at is not None
    contact = Contact.objects.get(problem=old_closed)
    assert (contact.name, contact.phone, contact.email) == ("[redacted]", "", "")
    history = [
        *Problem.history.filter(id=old_closed.pk).values_list("originator", "location", "description"),
        *Contact.history.filter(problem_id=old_closed.pk).values_list("name", "phone", "email"),
        *Analysis.history.filter(problem_id=old_closed.pk).values_list("victim", "offender", "objective"),
        *ProgressUpdate.history.filter(problem_id=old_closed.pk).values_list("text", "public_text", "status"),
    ]
    assert len(history) == 4  # one history row each for the problem, contact, analysis and update
    assert not [row for row in history if "Marple" in str(row) or "Acacia" in str(row) or "Smith" in str(row)]
    assert "Marple" not in old_closed.analysis.victim
    assert "Marple" not in old_closed.updates.get().text
    assert Problem.objects.get(pk=recent.pk).originator == "Keep Me"
    assert Problem.objects.get(pk=open_problem.pk).originator == "Open One"


def test_subject_access_export_finds_a_person(old_closed, tmp_path, supervisor):
    data = subject_access_export(by=supervisor, name="Jane Marple")
    assert [c["phone"] for c in data["as_contact"]] == ["07700 900123"]
    assert [p["problem"] for p in data["as_originator"]] == [old_closed.reference]
    out = tmp_path / "sar.json"
    call_command(
        "subject_access_export", "--email", "jane@example.org", "--by", supervisor.username, "--output", str(out)
    )
    assert json.loads(out.read_text())["as_contact"][0]["name"] == "Jane Marple"
    with pytest.raises(ValueError):
        subject_access_export(by=supervisor)


def test_retention_runs_as_a_scheduled_task(old_closed):
    from django_celery_beat.models import PeriodicTask

    from tasks.jobs import redact_personal_data
    from tasks.schedule import install_schedule

    install_schedule()
    assert PeriodicTask.objects.get(task="privacy.redact_personal_data").enabled
    assert redact_personal_data.apply().get() == 1  # eager here; the same task body a worker runs
    old_closed.refresh_from_db()
    assert old_closed.originator == "[redacted]"


def test_old_meetings_lose_their_internal_notes_and_chair_name(pcso, neighbourhood, settings):
    from jps import meetings
    from jps.models import Meeting
    from jps.privacy import meetings_redact

    settings.JPS_RETENTION_DAYS = 365
    when = timezone.now() - datetime.timedelta(days=400)
    old = meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=2),
        chair_name="Margaret Example",
        notes="Jane from Station Road complained.",
        venue="Hall",
        public_agenda="Agree priorities.",
    )
    recent = meetings.meeting_create(
        by=pcso,
        neighbourhoods=[neighbourhood],
        starts_at=timezone.now() - datetime.timedelta(days=10),
        chair_name="Keep Chair",
        notes="Keep notes",
        venue="Hall",
    )
    assert meetings_redact() == 1
    assert meetings_redact() == 0
    old.refresh_from_db()
    assert (old.notes, old.chair_name, old.public_agenda) == ("[redacted]", "", "Agree priorities.")
    assert not [h for h in Meeting.history.filter(id=old.pk) if "Jane" in h.notes or "Margaret" in h.chair_name]
    assert Meeting.objects.get(pk=recent.pk).notes == "Keep notes"
