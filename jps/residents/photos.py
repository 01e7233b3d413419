"""Residents' photos: checked for size and type, then re-encoded so nothing but the picture is kept.

A phone's photo carries EXIF: where it was taken (GPS), when, on which phone. We keep none of it.
The image is decoded with Pillow (which also proves it is an image, whatever its name or declared
type), turned upright by its EXIF orientation, reduced to ``MAX_SIDE`` pixels and written afresh as
a JPEG with no metadata at all. Only that copy is stored.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
ACCEPTED_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
MAX_SIDE = 2000
#: Refuse decompression bombs: a small file that unpacks to a huge image.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int


def photo_check(upload: IO[bytes], *, size: int, content_type: str = "") -> None:
    """Size and declared type, before any decoding (the form's first line of defence)."""
    if size > settings.JPS_RESIDENT_PHOTO_MAX_BYTES:
        megabytes = settings.JPS_RESIDENT_PHOTO_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"Each photo must be smaller than {megabytes} MB", code="photo_size")
    if content_type and content_type.lower() not in ACCEPTED_TYPES:
        raise ValidationError("Each photo must be a JPG, PNG, WEBP or GIF", code="photo_type")


def photo_reencode(upload: IO[bytes]) -> CleanPhoto:
    """The picture alone, as a fresh JPEG: every EXIF, XMP, ICC and comment block is dropped."""
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError("Each photo must be a JPG, PNG, WEBP or GIF", code="photo_type")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("Each photo must be smaller than 40 megapixels", code="photo_size")
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            picture = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError("Each photo must be a JPG, PNG, WEBP or GIF", code="photo_type") from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new("RGB", picture.size)
    clean.paste(picture)  # a new image: nothing of the original's info dict comes along
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return CleanPhoto(out.getvalue(), clean.width, clean.height)
