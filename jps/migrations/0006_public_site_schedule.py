"""Nightly safety-net export of the public site and the daily resident alert digest.

Idempotent (update_or_create by name), named ``jps: public site …`` so other schedules don't collide.
"""

from django.db import migrations

SCHEDULES = [
    # (name, task, minute, hour, kwargs)
    ("jps: public site nightly full export", "jps.publishing.publish_site", "30", "2", '{"full": true}'),
    ("jps: public site resident alert digests", "jps.publishing.send_alert_digests", "0", "7", "{}"),
]


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, kwargs in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "kwargs": kwargs, "enabled": True}
        )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jps", "0005_public_site"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
