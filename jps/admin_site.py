"""The admin site, which logs who is turned away from it (the admin is where roles are changed)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from .security import refused


class JpsAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        allowed = super().has_permission(request)
        match = request.resolver_match
        # Signed in but not staff: refused (and sent to the admin's sign-in page, which asks again: log once).
        if not allowed and request.user.is_authenticated and not (match and match.url_name == "login"):
            refused("admin refused", user=request.user, object=request.path)
        return allowed


class JpsAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``JpsAdminSite`` as ``admin.site`` (in INSTALLED_APPS)."""

    default_site = "jps.admin_site.JpsAdminSite"
