"""Emails a request asks for, sent by the worker: password resets, new accounts' links, alert confirmations.

Sending from the request would make its timing tell whether an account exists (an SMTP
round trip or none) and hold the request on the mail server. The request only queues one
of these; the password reset looks the account up here, so the request does the same work
whether or not it exists. Retried when the mail server or the database fails.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from jps import alerts
from jps.models import User

from .celery import app
from .jobs import TASK_OPTIONS

AUTH_TEMPLATES = "frontend/auth/"


def _site() -> dict[str, Any]:
    """Links in emails point at ``SITE_URL``, never at the Host a request claimed."""
    parts = urlsplit(settings.SITE_URL)
    return {"domain": parts.netloc, "protocol": parts.scheme or "https"}


class _ResetForm(PasswordResetForm):
    def get_users(self, email: str) -> Any:
        """Active users with this email, including those yet to choose a password (imported staff)."""
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")


@app.task(name="accounts.password_reset_email", **TASK_OPTIONS)
def password_reset_email(*, email: str) -> int:
    """Email a reset link to each active account with this address; nothing if there is none."""
    form = _ResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    site = _site()
    form.save(
        domain_override=site["domain"],
        use_https=site["protocol"] == "https",
        subject_template_name=AUTH_TEMPLATES + "password_reset_subject.txt",
        email_template_name=AUTH_TEMPLATES + "password_reset_email.txt",
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    return len(users)


@app.task(name="accounts.account_created_email", **TASK_OPTIONS)
def account_created_email(*, user_id: int) -> int:
    """Tell a newly created account where to choose its password (a reset link, valid as long)."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    context = {
        **_site(),
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string(AUTH_TEMPLATES + "account_created_subject.txt", context).strip()
    body = render_to_string(AUTH_TEMPLATES + "account_created_email.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


@app.task(name="accounts.account_created_emails", **TASK_OPTIONS)
def account_created_emails(*, user_ids: list[int]) -> int:
    """A staff import's new accounts, a few hundred per message: each gets its own email task here.

    Publishing 30,000 messages took the national import two minutes; the import now publishes
    one message per 500 accounts and the worker fans them out, so each email is still retried alone.
    """
    from .queue import enqueue

    return sum(enqueue(account_created_email, user_id=user_id) for user_id in user_ids)


@app.task(name="alerts.confirmation_email", **TASK_OPTIONS)
def alert_confirmation_email(*, email: str, neighbourhood_ids: list[int]) -> int:
    """The double opt-in email of an alert subscription (the public form only queues it)."""
    message = alerts.confirmation_message(email=email, neighbourhood_ids=neighbourhood_ids)
    return message.send() if message else 0
