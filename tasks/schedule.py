"""The default schedule, held in the database by django-celery-beat so administrators can change it.

``install_schedule`` creates the periodic tasks that do not exist yet and leaves existing
ones alone, so times changed (or tasks disabled) in the admin survive every ``migrate``.
It runs after each ``migrate`` (``post_migrate``, hence in ``make demo``) and by hand with
``manage.py setup_schedule`` (``--reset`` puts the defaults back). Disable a periodic
task in the admin rather than deleting it: a deleted one comes back at the next migrate.
"""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    minute: str
    hour: str
    description: str
    kwargs: dict[str, Any] | None = None


DEFAULT_SCHEDULE = [
    PeriodicJob(
        name="Reminders: daily digest",
        task="reminders.daily_digest",
        minute="0",
        hour="7",
        description=(
            "High-risk victims, overdue reviews (escalated after the grace period), inspectors' and chief "
            "inspectors' reviews due, actions due (escalated to the agency's manager after the grace period), "
            "public updates due and evaluations waiting; each person receives one email listing all their items."
        ),
    ),
    PeriodicJob(
        name="Reminders: send unsent",
        task="reminders.deliver_pending",
        minute="30",
        hour="*",
        description="Catch-up: sends reminders recorded by an earlier run that did not go out (crash, mail down).",
    ),
    PeriodicJob(
        name="Privacy: redact personal data past retention",
        task="privacy.redact_personal_data",
        minute="15",
        hour="3",
        description="Redacts contacts, originators and locations of problems closed over JPS_RETENTION_DAYS ago.",
    ),
    PeriodicJob(
        name="Privacy: access log partitions",
        task="privacy.access_log_partitions",
        minute="45",
        hour="3",
        description=(
            "PostgreSQL only: creates the access log's partitions for this month and the next "
            "JPS_ACCESS_LOG_MONTHS_AHEAD, and detaches and drops the months older than JPS_ACCESS_LOG_RETENTION_DAYS."
        ),
    ),
    PeriodicJob(
        name="Public site: nightly full export",
        task="jps.publishing.publish_site",
        minute="30",
        hour="2",
        description="Safety net: re-renders the whole public site (exports also run when an update is approved).",
        kwargs={"full": True},
    ),
    PeriodicJob(
        name="Dashboard: refresh national figures",
        task="insight.refresh_national_figures",
        minute="*/5",
        hour="*",
        description=(
            "Recomputes the national dashboard's figures into the cache (JPS_FIGURE_CACHE_SECONDS), so an "
            "administrator never waits for figures that scan years of history."
        ),
    ),
    PeriodicJob(
        name="Public site: resident alert digests",
        task="jps.publishing.send_alert_digests",
        minute="0",
        hour="7",
        description="Emails each confirmed subscriber the updates and outcomes approved since their last digest.",
    ),
    PeriodicJob(
        name="Webhooks: send due deliveries",
        task="webhooks.deliver_due",
        minute="*",
        hour="*",
        description="Queues webhook deliveries whose retry is due, or which were never queued (the broker was down).",
    ),
    PeriodicJob(
        name="Webhooks: actions due and overdue",
        task="webhooks.action_due",
        minute="0",
        hour="7",
        description="Tells agencies' endpoints of their actions due soon or overdue, once per due date.",
    ),
    PeriodicJob(
        name="Residents: emails about their reports",
        task="residents.send_notices",
        minute="*/10",
        hour="*",
        description=(
            "Emails residents who reported a problem: updates approved and the closure of their problem, the "
            "questionnaire four weeks after, and any acknowledgement not yet sent. Each email goes once."
        ),
    ),
    PeriodicJob(
        name="Residents: messages to the team",
        task="residents.team_messages",
        minute="*/10",
        hour="*",
        description=(
            "Sends residents the acknowledgement of their message to the team and the team's replies (each once), "
            "and reminds the team of a message unanswered 20 hours after it came in (the Pledge's 24 hours)."
        ),
    ),
]


def install_schedule(*, using: str = "default", reset: bool = False) -> list[tuple[str, str]]:
    """Create the default periodic tasks that are missing; with ``reset``, restore their defaults too."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    done = []
    for job in DEFAULT_SCHEDULE:
        when = {
            "minute": job.minute,
            "hour": job.hour,
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            "timezone": zoneinfo.ZoneInfo(settings.TIME_ZONE),
        }
        crontab = CrontabSchedule.objects.using(using).filter(**when).order_by("id").first()
        if crontab is None:
            crontab = CrontabSchedule.objects.using(using).create(**when)
        defaults: dict[str, Any] = {
            "task": job.task,
            "crontab": crontab,
            "interval": None,
            "kwargs": json.dumps(job.kwargs or {}),
            "description": job.description,
            "enabled": True,
        }
        task = PeriodicTask.objects.using(using).filter(name=job.name).first()
        if task is None:
            PeriodicTask.objects.using(using).create(name=job.name, **defaults)
            done.append((job.name, "created"))
        elif reset:
            for name, value in defaults.items():
                setattr(task, name, value)
            task.save(using=using)
            done.append((job.name, "reset"))
        else:
            done.append((job.name, "kept"))
    return done


def install_on_migrate(sender: Any, using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
    """post_migrate: install the schedule once django-celery-beat's tables exist."""
    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return
    for name, what in install_schedule(using=using):
        if what == "created" and verbosity >= 1:
            print(f"  Scheduled periodic task: {name}")
