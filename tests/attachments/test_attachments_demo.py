"""The demo's attachments: a photo and a document on a Canterbury public priority, the photo published."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from jps.models import Attachment

pytestmark = pytest.mark.django_db


def test_demo_has_a_published_photo_and_a_private_document():
    call_command("load_demo", "--password", "pw-for-tests-123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    photo = Attachment.objects.get(kind="image")
    document = Attachment.objects.get(kind="document")
    assert photo.problem == document.problem and photo.problem.public_priority
    assert photo.public_update is not None and photo.public_alt_text and photo.public_update.status == "approved"
    assert document.public_update is None and document.content_type == "text/plain"
    call_command("load_demo", "--password", "pw-for-tests-123", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Attachment.objects.count() == 2
