"""The request of a signed-in view, typed: ``request.user`` is a ``User``, not ``User | AnonymousUser``.

Views behind ``login_required`` take an ``AuthedHttpRequest`` (as django-stubs documents), so the
signed-in user reaches services and forms without a cast.
"""

from __future__ import annotations

from django.http import HttpRequest

from jps.models import User


class AuthedHttpRequest(HttpRequest):
    user: User
