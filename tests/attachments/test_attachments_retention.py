"""Past retention a problem's files leave storage with its other personal data; a published photo stays."""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

from jps import models as m
from jps.privacy import REDACTED, personal_data_redact

from .conftest import PDF, add, jpeg_with_gps

pytestmark = pytest.mark.django_db(transaction=True)  # the files go once the redaction commits


def test_retention_removes_a_closed_problems_files_but_not_its_published_photo(problem, pcso, web_editor):
    document = add(problem, pcso, PDF, "Statement of Jane Marple.pdf")
    photo = add(problem, pcso, jpeg_with_gps(), "graffiti.jpg")
    paths = [document.file.path, photo.file.path]
    update = m.ProgressUpdate.objects.create(
        problem=problem, author=pcso, text="Cleaned", public_text="The wall was cleaned",
        status=m.ProgressUpdate.Status.APPROVED, decided_at=timezone.now(),
    )  # fmt: skip
    m.Attachment.objects.filter(pk=photo.pk).update(
        public_update=update, public_alt_text="A clean wall", public_approved_by=web_editor
    )
    m.Problem.objects.filter(pk=problem.pk).update(
        stage=m.Stage.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=7 * 365)
    )

    assert personal_data_redact() == 1

    document.refresh_from_db()
    assert document.removed_at is not None and document.file.name == "" and document.original_name == REDACTED
    assert not os.path.exists(paths[0])
    assert not m.Attachment.history.filter(id=document.pk, original_name="Statement of Jane Marple.pdf").exists()
    photo.refresh_from_db()
    assert photo.removed_at is None and os.path.exists(paths[1])  # vetted as public; the page still shows it
