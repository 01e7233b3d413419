"""Writes on attachments: upload (checked, images re-encoded), download (logged), removal, publication.

Every upload is checked in this order, each refusal a ``ValidationError`` naming the field: the
size (``JPS_ATTACHMENT_MAX_BYTES``), the problem's count (``JPS_ATTACHMENTS_PER_PROBLEM``), then the
type from the first bytes (``jps.files``), never the client's name or declared type. An image is
re-encoded (EXIF and GPS dropped, at most ``JPS_ATTACHMENT_IMAGE_MAX_SIDE`` pixels) and only that
copy is stored; a document is stored as sent under a random name.
"""

from __future__ import annotations

import os
import unicodedata
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from ..base import require, save
from ..files import document_sniff, image_reencode, is_image
from ..models import Action, Attachment, Problem, ProblemView, ProgressUpdate, ResidentReport, User
from ..privacy import problem_view_record
from ..publishing import publish_soon


def _clean_name(name: str) -> str:
    """The uploader's file name, kept for the download: no folders, no control characters, bounded."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return (base or "file")[:160]


def _may_add(by: User, problem: Problem, action: Action | None) -> None:
    if action is not None:
        require(by, "jps.update_action", action)
    else:
        require(by, "jps.work_problem", problem)


@transaction.atomic
def attachment_add(
    *,
    problem: Problem,
    by: User,
    upload: IO[bytes],
    filename: str,
    size: int,
    description: str = "",
    action: Action | None = None,
    resident_report: ResidentReport | None = None,
    shared_with_partners: bool = False,
) -> Attachment:
    """Keep a photo or document on ``problem`` (optionally on one of its actions or residents' reports).

    A partner may add files only to their own agency's actions (``jps.update_action``), and those
    are theirs to see without sharing; only police staff mark a file shared with partners.
    """
    if action is not None and action.problem_id != problem.pk:
        raise ValidationError({"action": "That action is not on this problem."})
    if resident_report is not None and resident_report.problem_id != problem.pk:
        raise ValidationError({"resident_report": "That resident's report is not on this problem."})
    _may_add(by, problem, action)
    if shared_with_partners and (by.role == User.Role.PARTNER or resident_report is not None):
        raise ValidationError({"shared_with_partners": "Only police staff share files, and never a resident's."})
    limit = settings.JPS_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError({"file": f"The file must be smaller than {limit // (1024 * 1024)} MB"})
    Problem.objects.select_for_update().filter(pk=problem.pk).first()  # count and add one at a time
    count = Attachment.objects.filter(problem=problem, removed_at=None).count()
    if count >= settings.JPS_ATTACHMENTS_PER_PROBLEM:
        raise ValidationError(
            {"file": f"A problem may hold {settings.JPS_ATTACHMENTS_PER_PROBLEM} files; remove one first"}
        )
    name = _clean_name(filename)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content: File[Any]
    if is_image(head):
        try:
            clean = image_reencode(upload, max_side=settings.JPS_ATTACHMENT_IMAGE_MAX_SIDE, noun="image")
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        kind, content_type, content, stored = Attachment.Kind.IMAGE, "image/jpeg", ContentFile(clean.content), "i.jpg"
        name = os.path.splitext(name)[0][:155] + ".jpg"
    else:
        try:
            doc = document_sniff(upload, filename=name)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        kind, content_type, content, stored = (
            Attachment.Kind.DOCUMENT,
            doc.content_type,
            File(upload),
            f"d.{doc.extension}",
        )
        if not name.lower().endswith("." + doc.extension):
            name = os.path.splitext(name)[0][:150] + "." + doc.extension
    attachment = Attachment(
        problem=problem,
        action=action,
        resident_report=resident_report,
        original_name=name,
        content_type=content_type,
        size=content.size,
        kind=kind,
        description=description.strip(),
        shared_with_partners=shared_with_partners,
        uploaded_by=by,
    )
    attachment.file.save(stored, content, save=False)
    try:
        save(attachment, by=by)
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_open(
    *, attachment: Attachment, by: User, channel: str = ProblemView.Channel.FILE, request_id: str = ""
) -> IO[bytes]:
    """The file to stream to ``by``, who may see it; the read goes into the access log first."""
    require(by, "jps.see_attachment", attachment)
    if attachment.is_removed or not attachment.file:
        raise ValidationError("This file was removed.")
    problem_view_record(user=by, problem=attachment.problem, channel=channel, request_id=request_id)
    return attachment.file.open("rb")


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User, reason: str) -> Attachment:
    """Remove a file: the row stays (who added it, who removed it, when and why, in its history), the
    bytes leave storage once the removal commits. A published photo is withdrawn from the public site."""
    require(by, "jps.remove_attachment", attachment)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the file is removed."})
    locked = Attachment.objects.select_for_update().filter(pk=attachment.pk, removed_at=None).first()
    if locked is None:  # someone removed it first
        raise ValidationError("This file was already removed.")
    was_public, name = locked.public_update_id is not None, locked.file.name
    attachment.removed_at = timezone.now()
    attachment.removed_by = by
    attachment.removed_reason = reason.strip()
    attachment.public_update = None
    attachment.file = ""  # type: ignore[assignment]
    save(attachment, by=by, reason=reason.strip(),
         update_fields=["removed_at", "removed_by", "removed_reason", "public_update", "file"])  # fmt: skip
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(name))
    if was_public:
        publish_soon(reason=f"photo removed from {attachment.problem.reference}")
    return attachment


@transaction.atomic
def attachment_publish(*, attachment: Attachment, update: ProgressUpdate, by: User, alt_text: str) -> Attachment:
    """A web editor publishes one image of the problem with an approved public update, with its alt text.

    The image is the copy we re-encoded (no EXIF, no location); the export copies it, and nothing
    else of the attachments, into the public site.
    """
    require(by, "jps.approve_update", update)
    require(by, "jps.see_attachment", attachment)
    if attachment.problem_id != update.problem_id:
        raise ValidationError({"photo": "That photo is not on this problem."})
    if attachment.kind != Attachment.Kind.IMAGE or attachment.is_removed or attachment.resident_report_id:
        raise ValidationError({"photo": "Only a photo staff added may be published."})
    if update.status != ProgressUpdate.Status.APPROVED:
        raise ValidationError({"photo": "Approve the update before publishing a photo with it."})
    if not alt_text.strip():
        raise ValidationError({"photo_alt": "Describe the photo for people who cannot see it."})
    if Attachment.objects.filter(public_update=update).exclude(pk=attachment.pk).exists():
        raise ValidationError({"photo": "This update already has a photo."})
    if attachment.public_update_id not in (None, update.pk):
        raise ValidationError({"photo": "That photo is already published with another update."})
    attachment.public_update = update
    attachment.public_alt_text = alt_text.strip()
    attachment.public_approved_by = by
    attachment.public_approved_at = timezone.now()
    save(
        attachment,
        by=by,
        update_fields=["public_update", "public_alt_text", "public_approved_by", "public_approved_at"],
    )
    publish_soon(reason=f"photo approved on {update.problem.reference}")
    return attachment
