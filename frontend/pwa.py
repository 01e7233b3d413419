"""The installable app: the web manifest and the service worker, served from the site root.

The service worker is built by ``frontend/build.mjs`` into ``frontend/static/dist/``; it is
served at ``/sw.js`` (not under /static/) because a worker only controls pages under its own path.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    found = finders.find("dist/sw.js")
    path = Path(found) if isinstance(found, str) else Path(settings.STATIC_ROOT or "") / "dist" / "sw.js"
    if not path.is_file():
        raise Http404("The front-end assets are not built (make frontend).")
    response = HttpResponse(path.read_text(encoding="utf-8"), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "JPS — Joint problem solving",
        "short_name": "JPS",
        "description": "Log a problem and see your work, with or without a signal.",
        "start_url": reverse("problem_create"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b0c0c",
        "icons": [{"src": static("dist/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
        "shortcuts": [
            {"name": "Log a problem", "url": reverse("problem_create")},
            {"name": "My work", "url": reverse("home")},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")
