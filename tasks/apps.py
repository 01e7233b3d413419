from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "Scheduled jobs"

    def ready(self) -> None:
        from .schedule import install_on_migrate

        # post_migrate is only sent for apps with models: hang it on django-celery-beat's.
        beat = apps.get_app_config("django_celery_beat")
        post_migrate.connect(install_on_migrate, sender=beat, dispatch_uid="tasks.schedule.install")
