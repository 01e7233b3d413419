"""Thin Celery tasks for the public site: export it, and send resident alert digests."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.utils import timezone

from jps import publishing, services
from jps.models import AlertSubscription

logger = logging.getLogger(__name__)


@shared_task(name="jps.publishing.publish_site", acks_late=True, reject_on_worker_lost=True)
def publish_site_task(*, full: bool = False) -> dict[str, object]:
    """Export the public site (incremental unless ``full``); queued on approvals, closures and nightly.

    Acknowledged only when done: if the worker dies mid-export, the message goes back to the
    queue (at once if only the pool process died, after the broker's visibility timeout if the
    whole worker did) and the export runs again from the start; the half-written version
    folder is never served and is pruned by the next export that completes.
    """
    from frontend.public_site.renderer import publish

    result = publish(full=full)
    logger.info("Public site %s: %d files written", result.version, len(result.written))
    return {"version": result.version, "full": result.full, "written": len(result.written)}


@shared_task(name="jps.publishing.send_alert_digests")
def send_alert_digests() -> int:
    """Email each confirmed subscriber what is new for their neighbourhoods since their last digest.

    Each digest is claimed with a conditional UPDATE of ``last_sent_at`` before sending,
    so a retried or duplicated job never sends the same items twice.
    """
    from frontend.alerts import digest_message

    until = timezone.now()
    sent = 0
    for subscription in AlertSubscription.objects.filter(confirmed=True).prefetch_related("neighbourhoods"):
        since = subscription.last_sent_at or subscription.confirmed_at
        nbhds = list(subscription.neighbourhoods.all())
        items = publishing.digest_items(neighbourhood_ids=[n.pk for n in nbhds], since=since, until=until)
        if not items:
            continue
        if not services.alert_digest_claim(subscription=subscription, until=until):
            continue
        message = digest_message(subscription=subscription, neighbourhoods=nbhds, items=items)
        with mail.get_connection() as connection:
            message.connection = connection
            message.send()
        sent += 1
    logger.info("Sent %d alert digests (from %s)", sent, settings.DEFAULT_FROM_EMAIL)
    return sent
