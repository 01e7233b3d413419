"""Photos and documents staff keep on a problem, an action or a resident's report (issue 20).

An ``Attachment`` belongs to a problem always, and may hang off one of its actions or one of the
residents' reports attached to it. Its file is kept through Django's storage API (the filesystem,
or a private S3-compatible bucket in production: docs/deploy.md) under a random name; the name the
uploader's computer gave is kept only as ``original_name``, for the download. Images are stored as
we re-encoded them (JPEG, no EXIF, no location); documents as sent, once their first bytes proved
their type (``jps.files``). Nothing is ever public, except one image a web editor approves with a
public update (``public_update``), which the public-site export copies. Removal is soft (who, when,
why, in the history) and deletes the file from storage.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .fields import TEXT, BoundedTextField


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name in a private folder: never the uploader's file name (that may name a victim)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        DOCUMENT = "document", "Document"

    problem = models.ForeignKey("jps.Problem", on_delete=models.CASCADE, related_name="attachments")
    action = models.ForeignKey(
        "jps.Action", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    resident_report = models.ForeignKey(
        "jps.ResidentReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=160, help_text="As uploaded; shown to staff and used for downloads.")
    content_type = models.CharField(max_length=120, help_text="As we recognised it from the content.")
    size = models.PositiveIntegerField(help_text="Bytes, as stored.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=300, blank=True)
    shared_with_partners = models.BooleanField(
        default=False, help_text="Partner agencies on the problem may see it (never a resident's report's files)."
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    public_update = models.OneToOneField(
        "jps.ProgressUpdate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="public_photo",
        help_text="The approved public update this image is published with.",
    )
    public_alt_text = models.CharField(max_length=250, blank=True, help_text="What the image shows, for the public.")
    public_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_approved_at = models.DateTimeField(null=True, blank=True)

    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = BoundedTextField(max_length=TEXT, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [
            models.Index(fields=["problem", "-uploaded_at"], name="attachment_problem", condition=Q(removed_at=None)),
            models.Index(fields=["action"], name="attachment_action", condition=Q(action__isnull=False)),
            # The incremental public-site export asks which photos were published or removed since the last one.
            models.Index(
                fields=["public_approved_at"],
                name="attachment_published",
                condition=Q(public_approved_at__isnull=False),
            ),
            models.Index(fields=["removed_at"], name="attachment_removed", condition=Q(removed_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(public_update__isnull=True) | (Q(kind="image") & Q(removed_at__isnull=True)),
                name="attachment_public_only_image",
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} on {self.problem_id}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None
