"""Thin Celery tasks for the public site: export it, and send resident alert digests.

They call ``jps`` services only: the export reaches the public-site package through
``jps.publishing.site_publish`` (the package registers itself), and the digests are built and
sent by ``jps.alerts``.
"""

from __future__ import annotations

from celery import shared_task

from jps import alerts, publishing


@shared_task(name="jps.publishing.publish_site", acks_late=True, reject_on_worker_lost=True)
def publish_site_task(*, full: bool = False) -> dict[str, object]:
    """Export the public site (incremental unless ``full``); queued on approvals, closures and nightly.

    Acknowledged only when done: if the worker dies mid-export, the message goes back to the
    queue (at once if only the pool process died, after the broker's visibility timeout if the
    whole worker did) and the export runs again from the start; the half-written version
    folder is never served and is pruned by the next export that completes.
    """
    result = publishing.site_publish(full=full)
    return {"version": result.version, "full": result.full, "written": len(result.written)}


@shared_task(name="jps.publishing.send_alert_digests")
def send_alert_digests() -> int:
    """Email each confirmed subscriber what is new since their last digest (``jps.alerts.alert_digests_send``)."""
    return alerts.alert_digests_send()
