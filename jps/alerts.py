"""Resident email alerts, the domain side: the signed links, the two emails, and the digest run.

The web (``frontend.alerts``) serves the subscribe, confirm and unsubscribe pages; the worker
sends the emails (``tasks.emails.alert_confirmation_email``, ``tasks.publishing.send_alert_digests``),
and both call this module. A subscription request is not stored: it travels inside a signed,
time-limited confirmation link (``django.core.signing``). Every digest carries a signed
unsubscribe link and ``List-Unsubscribe`` headers (RFC 8058 one-click). Links come from
``jps.links``, which the web registers.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from . import links
from .models import AlertSubscription, Neighbourhood
from .publishing import DigestItem, digest_items, public_neighbourhoods

logger = logging.getLogger(__name__)

CONFIRM_SALT = "jps.alerts.confirm"
UNSUBSCRIBE_SALT = "jps.alerts.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def confirm_token(*, email: str, neighbourhood_ids: Iterable[int]) -> str:
    return signing.dumps({"e": email.strip().lower(), "n": sorted(neighbourhood_ids)}, salt=CONFIRM_SALT)


def unsubscribe_token(email: str) -> str:
    return signing.dumps(email.strip().lower(), salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(email: str) -> str:
    return links.url_for("alerts_unsubscribe", token=unsubscribe_token(email))


def confirmation_message(*, email: str, neighbourhood_ids: list[int]) -> EmailMessage | None:
    """The double opt-in email, built by the worker; None if none of the neighbourhoods is public any more."""
    chosen = list(public_neighbourhoods().filter(pk__in=neighbourhood_ids))
    if not chosen:
        return None
    ids = [n.pk for n in chosen]
    link = links.url_for("alerts_confirm", token=confirm_token(email=email, neighbourhood_ids=ids))
    names = ", ".join(n.display_name for n in chosen)
    return EmailMessage(
        subject="Confirm your neighbourhood priority alerts",
        body=(
            f"Someone (we hope you) asked for email alerts about neighbourhood priorities in: {names}.\n\n"
            f"To confirm, open this link within 7 days:\n{link}\n\n"
            "If you did not ask for this, ignore this email: nothing has been stored."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
    )


def digest_message(
    *, subscription: AlertSubscription, neighbourhoods: list[Neighbourhood], items: list[DigestItem]
) -> EmailMessage:
    """The digest email: newly approved updates and outcomes, grouped by neighbourhood."""
    names = {n.pk: n.display_name for n in neighbourhoods}
    lines = ["What's new in your neighbourhood priorities", ""]
    for nid in sorted({i.neighbourhood_id for i in items}, key=lambda k: names.get(k, "")):
        lines += [names.get(nid, ""), "=" * len(names.get(nid, ""))]
        for item in (i for i in items if i.neighbourhood_id == nid):
            label = "Outcome" if item.kind == "outcome" else "Update"
            lines += [
                f"{item.title} — {label}, {item.date:%d %B %Y}",
                item.text,
                links.url_for("public_priority", reference=item.reference),
                "",
            ]
    link = unsubscribe_url(subscription.email)
    lines += ["", f"Unsubscribe with one click: {link}"]
    return EmailMessage(
        subject="Neighbourhood priorities: what's new",
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def alert_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Email each confirmed subscriber what is new for their neighbourhoods since their last digest.

    Each digest is claimed with a conditional UPDATE of ``last_sent_at`` before sending
    (``alert_digest_claim``), so a retried or duplicated run never sends the same
    items twice. Returns the number of digests sent.
    """
    until = now or timezone.now()
    sent = 0
    for subscription in AlertSubscription.objects.filter(confirmed=True).prefetch_related("neighbourhoods"):
        since = subscription.last_sent_at or subscription.confirmed_at
        nbhds = list(subscription.neighbourhoods.all())
        items = digest_items(neighbourhood_ids=[n.pk for n in nbhds], since=since, until=until)
        if not items:
            continue
        if not alert_digest_claim(subscription=subscription, until=until):
            continue
        message = digest_message(subscription=subscription, neighbourhoods=nbhds, items=items)
        with mail.get_connection() as connection:
            message.connection = connection
            message.send()
        sent += 1
    logger.info("Sent %d alert digests (from %s)", sent, settings.DEFAULT_FROM_EMAIL)
    return sent


# --- subscriptions -----------------------------------------------------------------------------


# --- resident email alerts (public site) ------------------------------------------------------


@transaction.atomic
def alert_subscription_confirm(*, email: str, neighbourhood_ids: Iterable[int]) -> AlertSubscription:
    """A resident clicked their signed confirmation link: store (or extend) the subscription.

    Only now is anything stored (double opt-in): the email, the neighbourhoods, and when.
    """
    email = email.strip().lower()
    neighbourhoods = list(Neighbourhood.objects.filter(pk__in=list(neighbourhood_ids)))
    if not neighbourhoods:
        raise ValidationError({"neighbourhoods": "Choose at least one neighbourhood."})
    subscription, created = AlertSubscription.objects.get_or_create(email=email)
    if not created and not subscription.confirmed:
        subscription.confirmed = True
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed", "confirmed_at"])
    subscription.neighbourhoods.add(*neighbourhoods)
    return subscription


def alert_unsubscribe(*, email: str) -> bool:
    """One-click unsubscribe: delete everything we hold about this address."""
    deleted, _ = AlertSubscription.objects.filter(email=email.strip().lower()).delete()
    return deleted > 0


def alert_digest_claim(*, subscription: AlertSubscription, until: datetime.datetime) -> bool:
    """Claim the digest up to ``until`` with a conditional UPDATE, so two workers never both send it."""
    claimed = AlertSubscription.objects.filter(pk=subscription.pk, last_sent_at=subscription.last_sent_at)
    if subscription.last_sent_at is None:
        claimed = AlertSubscription.objects.filter(pk=subscription.pk, last_sent_at__isnull=True)
    return claimed.update(last_sent_at=until) == 1
