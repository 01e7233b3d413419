"""Uploaded files, whoever sends them: images re-encoded with nothing but the picture kept, and
documents recognised by their first bytes (never by their name or the client's declared type).

A phone's photo carries EXIF: where it was taken (GPS), when, on which phone. We keep none of it.
``image_reencode`` decodes with Pillow (which also proves it is an image, whatever its name or
declared type), turns it upright by its EXIF orientation, reduces it to ``max_side`` pixels and
writes it afresh as a JPEG with no metadata at all. Residents' photos (``jps.residents.photos``)
and staff attachments (``jps.attachments``) both go through it.

``document_sniff`` names a document's type from its content: a PDF by its ``%PDF-`` header, Word,
Excel and OpenDocument files by the parts inside their ZIP container (a macro-enabled one is
refused), and plain text or CSV only when the bytes are UTF-8 text that does not look like HTML or
script (a browser that sniffed it could otherwise run it). Anything else -- an ``.exe`` renamed
``.pdf``, an HTML page renamed ``.txt`` -- is refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
#: Refuse decompression bombs: a small file that unpacks to a huge image.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    width: int
    height: int


def image_reencode(upload: IO[bytes], *, max_side: int, noun: str = "photo") -> CleanImage:
    """The picture alone, as a fresh JPEG: every EXIF, XMP, ICC and comment block is dropped."""
    wrong_type = ValidationError(f"Each {noun} must be a JPG, PNG, WEBP or GIF", code="photo_type")
    try:
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS:
                raise wrong_type
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(f"Each {noun} must be smaller than 40 megapixels", code="photo_size")
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            picture = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise wrong_type from None
    picture.thumbnail((max_side, max_side))
    clean = Image.new("RGB", picture.size)
    clean.paste(picture)  # a new image: nothing of the original's info dict comes along
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return CleanImage(out.getvalue(), clean.width, clean.height)


def is_image(head: bytes) -> bool:
    """Do these first bytes start an image Pillow would decode (JPEG, PNG, WEBP, GIF)?"""
    return (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith((b"GIF87a", b"GIF89a"))
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    )


@dataclass(frozen=True)
class DocumentType:
    extension: str
    content_type: str
    label: str


PDF = DocumentType("pdf", "application/pdf", "PDF")
DOCX = DocumentType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
XLSX = DocumentType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
ODT = DocumentType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text")
ODS = DocumentType("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet")
CSV = DocumentType("csv", "text/csv", "CSV")
TXT = DocumentType("txt", "text/plain", "text")
DOCUMENT_TYPES = (PDF, DOCX, XLSX, ODT, ODS, CSV, TXT)
DOCUMENTS_ACCEPTED = "PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS), CSV or plain text"

#: Markers of HTML, SVG or script: text that a browser could be talked into running is not "text".
_ACTIVE_TEXT = (b"<html", b"<!doctype", b"<script", b"<svg", b"<iframe", b"<body", b"<head", b"javascript:", b"<?xml")


def document_sniff(upload: IO[bytes], *, filename: str) -> DocumentType:
    """The document's type from its content; a ``ValidationError`` if it is none we accept."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    refused = ValidationError(f"The file must be an image or a {DOCUMENTS_ACCEPTED} file", code="file_type")
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_document(upload, refused)
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data or _looks_active(data):
        raise refused
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise refused from None
    return CSV if filename.lower().endswith(".csv") else TXT


def _looks_active(data: bytes) -> bool:
    lowered = data[:4096].lower().lstrip()
    return any(marker in lowered for marker in _ACTIVE_TEXT)


def _zip_document(upload: IO[bytes], refused: ValidationError) -> DocumentType:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise ValidationError("Files with macros are not accepted", code="file_type")
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names:
                kind = archive.read("mimetype").strip()
                for doc in (ODT, ODS):
                    if kind == doc.content_type.encode():
                        return doc
    except (zipfile.BadZipFile, KeyError, OSError):
        raise refused from None
    finally:
        upload.seek(0)
    raise refused
