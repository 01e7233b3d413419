"""Step two: claim each person's unsent rows, send one digest, mark them sent; and ``run_job``, the
one entry the tasks and the command call."""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from .. import links
from ..models import (
    Reminder,
)
from .collectors import COLLECTORS, JOBS, collect
from .common import BATCH_SIZE, CLAIM_TIMEOUT, DIGEST_CHUNK, KIND_ORDER, JobResult, Kind, NoProgress, Progress, logger

# --- delivery: claim → send → mark sent ------------------------------------------------------------


def _claimable() -> QuerySet[Reminder]:
    stale = timezone.now() - CLAIM_TIMEOUT
    return Reminder.objects.filter(sent_at__isnull=True, attempts__lt=Reminder.MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )


def _recipient_keys() -> Iterator[str]:
    """Recipients with something to send, walked in keyset batches (never a whole table in memory)."""
    last = ""
    while True:
        keys = list(
            _claimable()
            .filter(recipient_key__gt=last)
            .order_by("recipient_key")
            .values_list("recipient_key", flat=True)
            .distinct()[:BATCH_SIZE]
        )
        yield from keys
        if len(keys) < BATCH_SIZE:
            return
        last = keys[-1]


def digest_context(reminders: list[Reminder]) -> dict[str, Any]:
    """The items of one digest, grouped by kind in a fixed order, each with its link."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for reminder in reminders:
        problem = reminder.problem
        if reminder.case_review is not None:  # an ASB case review's deadline
            review = reminder.case_review
            groups[reminder.kind].append(
                {
                    "reference": review.reference,
                    "title": "ASB case review",
                    "neighbourhood": review.district.name,
                    "action": None,
                    "due_on": reminder.due_on,
                    "note": reminder.note,
                    "url": links.url_for("case_review", case_review_id=review.pk),
                }
            )
            continue
        if problem is None and reminder.item_key.startswith("team_message:"):  # a message waiting for a reply
            name = reminder.neighbourhood.display_name if reminder.neighbourhood else ""
            groups[reminder.kind].append(
                {
                    "reference": "",
                    "title": f"{name}: a resident's message to answer",
                    "neighbourhood": name,
                    "action": None,
                    "due_on": reminder.due_on,
                    "note": reminder.note,
                    "url": links.url_for("team_message", team_message_id=int(reminder.item_key.split(":")[1])),
                }
            )
            continue
        if problem is None and reminder.item_key.startswith("resident_report:"):  # triage waiting
            name = reminder.neighbourhood.display_name if reminder.neighbourhood else ""
            groups[reminder.kind].append(
                {
                    "reference": "",
                    "title": f"{name}: a resident's report to triage",
                    "neighbourhood": name,
                    "action": None,
                    "due_on": reminder.due_on,
                    "note": reminder.note,
                    "url": links.url_for("resident_report", resident_report_id=int(reminder.item_key.split(":")[1])),
                }
            )
            continue
        if problem is None:  # a neighbourhood's reminder (the meeting standard, a Pledge miss to explain)
            area = reminder.neighbourhood
            name = area.display_name if area else ""
            pledge = reminder.kind == Kind.PLEDGE_EXPLANATION_DUE
            groups[reminder.kind].append(
                {
                    "reference": "",
                    "title": f"{name}: {'the Pledge' if pledge else 'PACT meetings'}",
                    "neighbourhood": name,
                    "action": None,
                    "due_on": reminder.due_on,
                    "note": reminder.note,
                    "url": links.url_for("pledge_explanations" if pledge else "meetings"),
                }
            )
            continue
        url = links.url_for("problem", problem_id=problem.pk, action_id=reminder.action_id)
        groups[reminder.kind].append(
            {
                "reference": problem.reference,
                "title": problem.title,
                "neighbourhood": problem.neighbourhood.display_name,
                "action": reminder.action,
                "due_on": reminder.due_on,
                "note": reminder.note,
                "url": url,
            }
        )
    labels = dict(Kind.choices)
    sections = [{"kind": k, "label": labels[k], "items": groups[k]} for k in KIND_ORDER if groups.get(k)]
    return {"sections": sections, "count": len(reminders), "site_url": settings.SITE_URL}


def _send_digest(address: str, name: str, reminders: list[Reminder]) -> None:
    context = {**digest_context(reminders), "name": name}
    count = context["count"]
    if count == 1:
        first = reminders[0]
        what = (
            first.case_review.reference
            if first.case_review
            else first.problem.reference
            if first.problem
            else str(first.neighbourhood)
        )
        subject = f"JPS reminder: {first.get_kind_display().lower()} — {what}"
    else:
        subject = f"JPS reminders: {count} items need your attention"
    text = render_to_string("jps/email/reminder_digest.txt", context)
    html = render_to_string("jps/email/reminder_digest.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    message.attach_alternative(html, "text/html")
    message.send()


def deliver_to(recipient_key: str, *, result: JobResult) -> None:
    """Claim this recipient's unsent reminders, send them as one digest, and mark them sent.

    The claim is a conditional UPDATE: another worker that got here first has set
    ``claimed_at`` on the rows, so this UPDATE matches none of them and sends nothing.
    """
    token = uuid.uuid4().hex
    stale = timezone.now() - CLAIM_TIMEOUT
    claimed = (
        Reminder.objects.filter(recipient_key=recipient_key, sent_at__isnull=True, attempts__lt=Reminder.MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claim_token=token, claimed_at=timezone.now())
    )
    if not claimed:
        return
    # The token alone names this claim's rows (marking them sent clears it), and it lets the planner
    # use the claim index: with ``sent_at IS NULL`` too it walked every unsent row instead.
    mine = Reminder.objects.filter(claim_token=token)
    reminders = list(
        mine.select_related(
            "problem",
            "problem__neighbourhood",
            "action",
            "action__agency",
            "recipient",
            "neighbourhood",
            "case_review",
            "case_review__district",
        ).order_by("due_on", "id")
    )
    recipient = reminders[0].recipient
    address = recipient.email if recipient is not None else reminders[0].email
    if not address or (recipient is not None and not recipient.is_active):
        why = "No email address" if not address else "Recipient no longer active"
        mine.update(sent_at=timezone.now(), claim_token="", last_error=f"{why}: shown in JPS only.")
        return
    try:
        _send_digest(address, str(recipient) if recipient else "", reminders)
    except Exception as error:
        logger.exception("Reminder digest to %s failed; it will be retried on the next run", recipient_key)
        mine.update(claim_token="", claimed_at=None, attempts=F("attempts") + 1, last_error=str(error)[:300])
        result.failed += len(reminders)
        return
    mine.update(sent_at=timezone.now(), claim_token="", last_error="")
    result.digests += 1
    result.sent_items += len(reminders)


#: Queues one chunk of recipients for a worker (``tasks.jobs.send_digest_chunk``); jps never imports tasks.
FanOut = Callable[[list[str]], None]


def deliver_chunk(recipient_keys: list[str], *, result: JobResult) -> None:
    """One worker's share of a digest run: each recipient claimed, sent and marked in turn.

    Safe to run twice at once on the same recipients (``deliver_to``'s claim is a conditional
    UPDATE, so one of the two sends and the other finds nothing); a worker killed mid-chunk leaves
    its claimed rows to be retaken once the claim is older than ``CLAIM_TIMEOUT``.
    """
    for key in recipient_keys:
        deliver_to(key, result=result)


def deliver_pending(*, result: JobResult, progress: Progress, fan_out: FanOut | None = None) -> None:
    """Send every recipient one digest of all their unsent reminders (of any kind).

    With ``fan_out`` and more than one chunk of recipients (``JPS_DIGEST_CHUNK``, 200), the
    recipients are handed out in chunks for several workers to send at once; each chunk's
    digests are counted by its own task, and ``result.chunks`` says how many were queued.
    """
    total = _claimable().values("recipient_key").distinct().count()
    size = getattr(settings, "JPS_DIGEST_CHUNK", DIGEST_CHUNK)
    if fan_out is not None and total > size:
        keys = _recipient_keys()
        while chunk := list(itertools.islice(keys, size)):
            fan_out(chunk)
            result.chunks += 1
        return
    progress.start("digests", total)
    for key in _recipient_keys():
        deliver_to(key, result=result)
        progress.advance()
    progress.finish()


def run_job(
    name: str, *, now: datetime.datetime | None = None, progress: Progress | None = None, fan_out: FanOut | None = None
) -> JobResult:
    """Run one job once: a collector then a delivery, ``daily_digest`` (all collectors, one
    delivery, so each person gets one email) or ``deliver_pending`` (catch up unsent).
    ``fan_out``: see ``deliver_pending``."""
    if name not in JOBS:
        raise ValueError(f"Unknown job {name!r}; choose one of: {', '.join(JOBS)}.")
    now = now or timezone.now()
    progress = progress or NoProgress()
    result = JobResult(job=name)
    names = list(COLLECTORS) if name == "daily_digest" else [name] if name in COLLECTORS else []
    for collector in names:
        collect(collector, now=now, result=result, progress=progress)
    deliver_pending(result=result, progress=progress, fan_out=fan_out)
    logger.info("Reminder job %s: %s", name, result.as_dict())
    return result


def parse_now(value: str | None) -> datetime.datetime | None:
    """An ISO date or date-time from a command line or a task argument; naive means local time."""
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not an ISO date or date-time (e.g. 2026-03-01T07:00).") from error
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
