from django.apps import AppConfig


class JpsConfig(AppConfig):
    name = "jps"
    verbose_name = "Joint problem solving"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import limits  # noqa: F401  (connects the count of failed sign-ins per address)
