from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("open311/v2/", include("api.open311")),  # GeoReport v2, both ways (docs/api.md)
    path("", include("frontend.urls")),
]

# Under /api/ every error is JSON (jps.errors); elsewhere Django's pages.
handler400 = "jps.errors.bad_request"
handler403 = "jps.errors.permission_denied"
handler404 = "jps.errors.page_not_found"
handler500 = "jps.observability.server_error"
