"""The web-served part of the public site (alerts, report a problem) and, in DEBUG, the static site at /public/."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver, include, re_path
from django.views.static import serve


def serve_public(request: HttpRequest, path: str) -> HttpResponseBase:
    """Development only: serve PUBLIC_SITE_DIR/current, with index.html for folders."""
    if path == "" or path.endswith("/"):
        path += "index.html"
    return serve(request, path, document_root=str(settings.PUBLIC_SITE_DIR / "current"))


urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"", include("frontend.alerts")),
    re_path(r"", include("frontend.residents")),  # report a problem (issue 20)
]
if settings.DEBUG:
    urlpatterns.append(re_path(r"^public/(?P<path>.*)$", serve_public, name="public_site_dev"))
