"""Residents' reports: a postcode in the test ward, photos in a temporary folder, reports in each state."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image

from jps import models as m
from jps import services
from tests.celery_fixtures import celery_worker  # noqa: F401

POSTCODE = "CT1 2EH"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def postcode(neighbourhood) -> m.Postcode:  # type: ignore[no-untyped-def]
    neighbourhood.latitude, neighbourhood.longitude = Decimal("51.284"), Decimal("1.088")
    neighbourhood.save()
    return m.Postcode.objects.create(postcode=POSTCODE, outward="CT1", neighbourhood=neighbourhood)


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG whose EXIF says where (GPS), on what (camera) and by whom: all of it must go."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "SecretPhone 12"  # Model
    exif[0x013B] = "Artist Gwendolyn"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 17.0, 3.5)
    gps[3], gps[4] = "E", (1.0, 5.0, 2.25)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"ZZCOMMENT secret")
    return out.getvalue()


def new_report(neighbourhood, category, **extra) -> m.ResidentReport:  # type: ignore[no-untyped-def]
    fields = {"description": "ZZRESIDENT drinking and shouting outside 4 Orchard Street every night", **extra}
    return services.resident_report_create(neighbourhood=neighbourhood, category=category, **fields)


@pytest.fixture
def anonymous_report(neighbourhood, category) -> m.ResidentReport:  # type: ignore[no-untyped-def]
    return new_report(neighbourhood, category)


@pytest.fixture
def named_report(neighbourhood, category) -> m.ResidentReport:  # type: ignore[no-untyped-def]
    return new_report(
        neighbourhood,
        category,
        reporter_name="Gwendolyn Resident",
        reporter_email="Gwen@Example.com",
        consent=True,
        location=POSTCODE,
    )
