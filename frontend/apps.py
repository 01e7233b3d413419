from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "frontend"
    verbose_name = "Staff interface"

    def ready(self) -> None:
        from jps import links

        from .links import resolve

        links.register(resolve)  # the domain's emails link to this app's pages through it
