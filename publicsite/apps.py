from django.apps import AppConfig


class PublicSiteConfig(AppConfig):
    name = "publicsite"
    verbose_name = "Public site"

    def ready(self) -> None:
        from jps import publishing

        from .export import publish

        publishing.exporter_register(publish)  # jps.publishing.site_publish calls it; tasks import only jps
