"""Keys for partner systems that send us Open311 service requests (a council's case system, say).

Only a SHA-256 of the key is kept: the key itself is printed once by ``create_open311_key`` and
cannot be recovered, so a copy of the database lets nobody post as a partner. The history shows
who was given a key and when it was switched off; ``last_used_at`` is left out of it (it changes
on every request and says nothing about who may post).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Open311Key(models.Model):
    name = models.CharField(max_length=120, help_text="The partner system, e.g. 'Canterbury City Council CRM'.")
    agency = models.ForeignKey(
        "jps.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="open311_keys"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False, help_text="SHA-256 of the key, hex.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "Open311 key"

    def __str__(self) -> str:
        return self.name
