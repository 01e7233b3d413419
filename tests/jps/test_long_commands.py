"""Every long command ends with one summary line on stdout, and shows its bar only when asked off a terminal."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from jps.models import Problem, Stage
from jps.progress import summary
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_summary_line_reads_the_same_for_every_command():
    assert (
        summary("x", 1.234, created=1200, updated=0, files_written=3)
        == "x: 1,200 created, 0 updated, 3 files written in 1.2 s."
    )


def test_redact_personal_data_summary(capsys, settings, pcso, neighbourhood, category):
    settings.JPS_RETENTION_DAYS = 365
    old = f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category, originator="Jane Marple")
    Problem.objects.filter(pk=old.pk).update(
        stage=Stage.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=400)
    )
    call_command("redact_personal_data", "--progress")
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].startswith(
        "redact_personal_data: 1 problems redacted, 0 meetings redacted, 0 resident reports or messages in "
    )
    assert "redacting: 100%" in err
    call_command("redact_personal_data")
    out, err = capsys.readouterr()
    assert out.startswith("redact_personal_data: 0 problems redacted") and err == ""
