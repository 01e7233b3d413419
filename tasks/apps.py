from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "Scheduled jobs"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun

        from jps import db_router

        from .schedule import install_on_migrate

        # Each task is a scope of its own: once it has written, its reads go to the primary.
        task_prerun.connect(lambda **kwargs: db_router.scope_begin(), weak=False, dispatch_uid="tasks.db_scope.begin")
        task_postrun.connect(lambda **kwargs: db_router.scope_end(), weak=False, dispatch_uid="tasks.db_scope.end")

        # post_migrate is only sent for apps with models: hang it on django-celery-beat's.
        beat = apps.get_app_config("django_celery_beat")
        post_migrate.connect(install_on_migrate, sender=beat, dispatch_uid="tasks.schedule.install")
