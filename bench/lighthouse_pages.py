"""The pages bench/lighthouse.sh measures, and a signed-in session for the staff ones, as JSON.

Run with the demo's settings (the script's environment): "My work" and a problem page as the demo's
officer (a session made as the sign-in makes one, marked verified by an authenticator when the user
needs two-factor), and a public priority's page from the exported public site.
"""

from __future__ import annotations

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from jps import publishing  # noqa: E402
from jps.models import Problem, User  # noqa: E402


def signed_in_cookie(username: str) -> dict[str, str]:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    if user.two_factor_required:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="Lighthouse", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


def main() -> None:
    base = sys.argv[1].rstrip("/")
    username = os.environ.get("LIGHTHOUSE_USER", "officer")
    problem = Problem.objects.filter(owner__username=username).order_by("pk").first() or Problem.objects.first()
    priority = publishing.public_priorities()[0]
    public = f"{base}/public/priorities/{priority.reference.split('-')[0].lower()}/{priority.slug}.html"
    pages = {"My work": f"{base}/", "A problem page": f"{base}/problems/{problem.pk}/", "A public page": public}
    print(json.dumps({"cookie": signed_in_cookie(username), "pages": pages}))


if __name__ == "__main__":
    main()
