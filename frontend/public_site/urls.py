"""The web-served part of the public site (alerts, report a problem) and, in DEBUG, the static site at /public/."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, include, re_path
from django.views.static import serve


def serve_public(request: HttpRequest, path: str) -> HttpResponseBase:
    """Development only: serve PUBLIC_SITE_DIR/current, with index.html for folders.

    Under ``api/`` (the data.police.uk mirror) as the web server does (docs/deploy.md): a folder's
    ``index`` file for the folder's path, every file as JSON, and ``locate-neighbourhood`` from the
    web application, so a client pointed at ``/public/api/`` works in the demo too.
    """
    root = settings.PUBLIC_SITE_DIR / "current"
    if path.startswith("api/"):
        if path == "api/locate-neighbourhood":  # the web application's, at /api/locate-neighbourhood
            return HttpResponseRedirect(f"/api/locate-neighbourhood?{request.GET.urlencode()}")
        if (root / path).is_dir():
            path = path.rstrip("/") + "/index"
        response = serve(request, path, document_root=str(root))
        response["Content-Type"] = "application/json"
        return response
    if path == "" or path.endswith("/"):
        path += "index.html"
    return serve(request, path, document_root=str(root))


urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"", include("frontend.alerts")),
    re_path(r"", include("frontend.residents")),  # report a problem (issue 20)
    re_path(r"", include("frontend.contact_team")),  # contact the neighbourhood team (issue 20)
]
if settings.DEBUG:
    urlpatterns.append(re_path(r"^public/(?P<path>.*)$", serve_public, name="public_site_dev"))
