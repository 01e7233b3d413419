"""The scheduled jobs, as thin Celery tasks: each parses its arguments and calls ``jps.reminders``.

Every task is named explicitly (the names are what django-celery-beat's periodic tasks
store), takes keyword-only arguments, acknowledges late (a worker killed mid-run leaves
the message to be redelivered) and retries a bounded number of times with backoff when
the database or the network fails. The jobs are idempotent, so a redelivery or a retry
sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError

from jps import reminders
from jps.insight import figures as management_info

from .celery import app

TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError, OSError),
    "max_retries": 5,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
}


def _run(job: str, now: str | None) -> dict[str, Any]:
    return reminders.run_job(job, now=reminders.parse_now(now), fan_out=_digest_fan_out()).as_dict()


def _digest_fan_out() -> reminders.FanOut | None:
    """Hand the sending to every worker in chunks; eagerly (no Redis, the demo) this worker sends it all."""
    if app.conf.task_always_eager:
        return None
    return lambda keys: _queue_chunk(keys)


def _queue_chunk(recipient_keys: list[str]) -> None:
    from .queue import enqueue

    if not enqueue(send_digest_chunk, recipient_keys=recipient_keys):
        raise OSError("Could not queue a digest chunk")  # retried (autoretry_for); queued chunks are idempotent


@app.task(name="reminders.daily_digest", **TASK_OPTIONS)
def daily_digest(*, now: str | None = None) -> dict[str, Any]:
    """Every reminder job, then one digest per person: the scheduled daily run."""
    return _run("daily_digest", now)


@app.task(name="reminders.review_overdue", **TASK_OPTIONS)
def review_overdue(*, now: str | None = None) -> dict[str, Any]:
    """Overdue supervisory reviews (and their escalation after the grace period)."""
    return _run("review_overdue", now)


@app.task(name="reminders.action_due", **TASK_OPTIONS)
def action_due(*, now: str | None = None) -> dict[str, Any]:
    """Actions due soon or overdue, to the person or agency responsible."""
    return _run("action_due", now)


@app.task(name="reminders.review_tier_inspector", **TASK_OPTIONS)
def review_tier_inspector(*, now: str | None = None) -> dict[str, Any]:
    """Problems due for their inspector's review (by risk, the force's tiers), to the district's inspector."""
    return _run("review_tier_inspector", now)


@app.task(name="reminders.review_tier_chief", **TASK_OPTIONS)
def review_tier_chief(*, now: str | None = None) -> dict[str, Any]:
    """Problems due for their chief inspector's review, to the district's chief inspector."""
    return _run("review_tier_chief", now)


@app.task(name="reminders.action_escalation", **TASK_OPTIONS)
def action_escalation(*, now: str | None = None) -> dict[str, Any]:
    """Partner actions overdue past the grace period, to the agency's manager."""
    return _run("action_escalation", now)


@app.task(name="reminders.deliver_to", **TASK_OPTIONS)
def deliver_to(*, recipient_key: str) -> dict[str, Any]:
    """One person's unsent reminders, now: a supervisor's escalation does not wait for the morning digest."""
    result = reminders.JobResult(job="deliver_to")
    reminders.deliver_to(recipient_key, result=result)
    return result.as_dict()


@app.task(name="reminders.send_digest_chunk", **TASK_OPTIONS)
def send_digest_chunk(*, recipient_keys: list[str]) -> dict[str, Any]:
    """One share of a digest run: these recipients' digests, each claimed so no two workers send it."""
    result = reminders.JobResult(job="send_digest_chunk")
    reminders.deliver_chunk(recipient_keys, result=result)
    return result.as_dict()


@app.task(name="reminders.public_update_due", **TASK_OPTIONS)
def public_update_due(*, now: str | None = None) -> dict[str, Any]:
    """Public priorities with no approved public update for a month, to their owners."""
    return _run("public_update_due", now)


@app.task(name="reminders.evaluation_waiting", **TASK_OPTIONS)
def evaluation_waiting(*, now: str | None = None) -> dict[str, Any]:
    """Closed problems waiting for evaluation, to the force's analysts."""
    return _run("evaluation_waiting", now)


@app.task(name="reminders.case_review_deadlines", **TASK_OPTIONS)
def case_review_deadlines(*, now: str | None = None) -> dict[str, Any]:
    """ASB case review deadlines due and missed: the lead officer, then the community-safety lead."""
    return _run("case_review_deadlines", now)


@app.task(name="reminders.case_review_suggested", **TASK_OPTIONS)
def case_review_suggested(*, now: str | None = None) -> dict[str, Any]:
    """Problems and people crossing the case review threshold: the owner and the community-safety lead."""
    return _run("case_review_suggested", now)


@app.task(name="reminders.high_risk_victims", **TASK_OPTIONS)
def high_risk_victims(*, now: str | None = None) -> dict[str, Any]:
    """Victims newly assessed high risk on open problems, to the district's supervisors."""
    return _run("high_risk_victims", now)


@app.task(name="reminders.contact_due", **TASK_OPTIONS)
def contact_due(*, now: str | None = None) -> dict[str, Any]:
    """Contacts with victims and complainants due (to the owner), and overdue past the grace (to supervisors)."""
    return _run("contact_due", now)


@app.task(name="reminders.deliver_pending", **TASK_OPTIONS)
def deliver_pending(*, now: str | None = None) -> dict[str, Any]:
    """Send what earlier runs recorded but did not send (a crash, a mail server down)."""
    return _run("deliver_pending", now)


@app.task(name="privacy.redact_personal_data", **TASK_OPTIONS)
def redact_personal_data() -> int:
    """The retention rule: redact personal data of problems closed longer ago than the retention period."""
    from jps.privacy import meetings_redact, personal_data_redact, resident_reports_redact

    total = 0
    while done := personal_data_redact():
        total += done
    return total + meetings_redact() + resident_reports_redact()


@app.task(name="privacy.access_log_partitions", **TASK_OPTIONS)
def access_log_partitions(*, months_ahead: int | None = None) -> dict[str, list[str]]:
    """The access log's months on PostgreSQL: the coming ones created, those past retention dropped."""
    from jps.access_partitions import access_log_partitions_maintain

    return access_log_partitions_maintain(months_ahead=months_ahead).as_dict()


#: Job name (as ``run_job`` knows it) → task, for the command's ``--queue`` option and the schedule.
TASKS = {
    "daily_digest": daily_digest,
    "review_overdue": review_overdue,
    "review_tier_inspector": review_tier_inspector,
    "review_tier_chief": review_tier_chief,
    "action_due": action_due,
    "action_escalation": action_escalation,
    "public_update_due": public_update_due,
    "evaluation_waiting": evaluation_waiting,
    "high_risk_victims": high_risk_victims,
    "deliver_pending": deliver_pending,
}


@app.task(name="insight.refresh_national_figures", **TASK_OPTIONS)
def refresh_national_figures() -> list[str]:
    """Keep the national dashboard's figures computed, so no administrator waits for them."""
    return management_info.national_figures_refresh()
