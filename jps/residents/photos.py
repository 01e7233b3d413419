"""Residents' photos: checked for size and type, then re-encoded so nothing but the picture is kept.

The re-encoding (EXIF, GPS and every other metadata block dropped) is ``jps.files.image_reencode``,
shared with staff attachments; only its copy is stored.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError

from ..files import IMAGE_TYPES as ACCEPTED_TYPES
from ..files import CleanImage as CleanPhoto
from ..files import image_reencode

MAX_SIDE = 2000

__all__ = ["ACCEPTED_TYPES", "MAX_SIDE", "CleanPhoto", "photo_check", "photo_reencode"]


def photo_check(upload: IO[bytes], *, size: int, content_type: str = "") -> None:
    """Size and declared type, before any decoding (the form's first line of defence)."""
    if size > settings.JPS_RESIDENT_PHOTO_MAX_BYTES:
        megabytes = settings.JPS_RESIDENT_PHOTO_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"Each photo must be smaller than {megabytes} MB", code="photo_size")
    if content_type and content_type.lower() not in ACCEPTED_TYPES:
        raise ValidationError("Each photo must be a JPG, PNG, WEBP or GIF", code="photo_type")


def photo_reencode(upload: IO[bytes]) -> CleanPhoto:
    """The picture alone, as a fresh JPEG (``jps.files.image_reencode``)."""
    return image_reencode(upload, max_side=MAX_SIDE)
