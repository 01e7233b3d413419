"""What the public site needs beyond the tracker: postcodes, export runs, resident alerts.

Nothing here holds personal data except ``AlertSubscription.email``, which a resident
gives us (and confirms) to receive digests, and deletes by unsubscribing.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Postcode(models.Model):
    """A full postcode and the neighbourhood it lies in, loaded from a CSV (``load_postcodes``)."""

    postcode = models.CharField(max_length=8, unique=True, help_text="Normalised: upper case, one space.")
    outward = models.CharField(max_length=4, db_index=True, help_text="The part before the space, e.g. CT1.")
    neighbourhood = models.ForeignKey("jps.Neighbourhood", on_delete=models.CASCADE, related_name="postcodes")

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode


class PublishRun(models.Model):
    """One export of the public site; the next incremental export starts from the last finished one."""

    started_at = models.DateTimeField(default=timezone.now, help_text="Data changed after this is not in it.")
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=False)
    version = models.CharField(max_length=64, blank=True, help_text="The folder name under versions/.")
    files_written = models.PositiveIntegerField(default=0)
    files_kept = models.PositiveIntegerField(default=0)
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["version"], name="publish_run_version")]

    def __str__(self) -> str:
        return f"{'Full' if self.full else 'Incremental'} export {self.version}"


class AlertSubscription(models.Model):
    """A resident's confirmed email alert for some neighbourhoods: nothing else about them is kept.

    A row exists only once the resident has clicked the signed confirmation link (double
    opt-in): the pending request lives in the signed link itself, not in the database.
    Unsubscribing deletes the row.
    """

    email = models.EmailField(unique=True)
    neighbourhoods = models.ManyToManyField("jps.Neighbourhood", related_name="alert_subscriptions")
    confirmed = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True, help_text="Cut-off of the last digest sent.")

    class Meta:
        ordering = ["email"]
        indexes = [models.Index(fields=["confirmed", "last_sent_at"], name="alert_due")]

    def __str__(self) -> str:
        return f"Alerts for {len(self.email)}-character address"
