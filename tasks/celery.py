"""The Celery application. Tasks live in ``tasks.jobs`` and call ``jps`` services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")

app = Celery("jps")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["tasks"], related_name="jobs")
app.autodiscover_tasks(["tasks"], related_name="publishing")
app.autodiscover_tasks(["tasks"], related_name="emails")
app.autodiscover_tasks(["tasks"], related_name="webhooks")
app.autodiscover_tasks(["tasks"], related_name="residents")
