"""Attachments: files in a temporary media folder, a problem in the PCSO's neighbourhood with two agencies' actions."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from jps import models as m
from jps import services
from jps.attachments import services as attachments
from tests import factories as f


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG whose EXIF says where (GPS), on what (camera) and by whom: all of it must go."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "SecretPhone 12"
    exif[0x013B] = "Artist Gwendolyn"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 17.0, 3.5)
    gps[3], gps[4] = "E", (1.0, 5.0, 2.25)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"ZZCOMMENT secret")
    return out.getvalue()


def docx_bytes(text: str = "Minutes of the meeting") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<document><body>{text}</body></document>")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def add(problem, by, content: bytes, filename: str, **extra):  # type: ignore[no-untyped-def]
    return attachments.attachment_add(
        problem=problem, by=by, upload=io.BytesIO(content), filename=filename, size=len(content), **extra
    )


@pytest.fixture
def problem(pcso, neighbourhood, category) -> m.Problem:  # type: ignore[no-untyped-def]
    return f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)


@pytest.fixture
def council_action(problem, pcso, council) -> m.Action:  # type: ignore[no-untyped-def]
    return services.action_add(
        problem=problem, by=pcso, action_type="prevention", description="Clear the alley", agency=council
    )


@pytest.fixture
def housing_action(problem, pcso, housing) -> m.Action:  # type: ignore[no-untyped-def]
    return services.action_add(
        problem=problem, by=pcso, action_type="prevention", description="Letters", agency=housing
    )
