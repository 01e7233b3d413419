from django.apps import AppConfig


class JpsConfig(AppConfig):
    name = "jps"
    verbose_name = "Joint problem solving"
    default_auto_field = "django.db.models.BigAutoField"
