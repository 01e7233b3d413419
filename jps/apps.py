from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class JpsConfig(AppConfig):
    name = "jps"
    verbose_name = "Joint problem solving"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            access_partitions,
            db_roles,
            limits,  # noqa: F401  (connects the count of failed sign-ins per address)
        )

        connection_created.connect(db_roles.work_as_configured_role, dispatch_uid="jps_set_role")
        post_migrate.connect(db_roles.grant_application_role, sender=self, dispatch_uid="jps_grant_app_role")
        post_migrate.connect(access_partitions.sync_on_migrate, sender=self, dispatch_uid="jps_access_log_retention")
