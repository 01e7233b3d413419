"""The one shape of a file download, for the staff pages and the API alike."""

from __future__ import annotations

from typing import IO

from django.http import FileResponse

from ..models import Attachment


def attachment_response(handle: IO[bytes], attachment: Attachment, *, inline: bool = False) -> FileResponse:
    """A file as staff download it: an attachment (``inline`` only for an image we re-encoded), never
    cached, never sniffed into another type, never run: a sandboxing CSP covers a browser that tries."""
    response = FileResponse(
        handle, as_attachment=not inline, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
