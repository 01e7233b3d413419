"""Sign-in and password reset, with per-address limits, and the reset email sent by the worker.

Django's views, with two changes. Sign-in answers 429 to an address past its failed
sign-ins across all usernames (``jps.limits.sign_in_wait``; django-axes still locks a
username tried from one address). The reset form counts requests per address and per
email, and queues a task that looks the account up: the request does the same work and
answers the same page whether or not the account exists, and never waits on a mail server.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy

from jps.limits import password_reset_allowed, sign_in_wait
from tasks import emails
from tasks.queue import enqueue

A = "frontend/auth/"


def too_many(request: HttpRequest, *, wait: int, what: str) -> HttpResponse:
    """429 with Retry-After and a page that says what to do."""
    minutes = max(round(wait / 60), 1)
    response = render(request, A + "too_many.html", {"what": what, "minutes": minutes}, status=429)
    response["Retry-After"] = str(wait)
    return response


class SignInView(auth_views.LoginView):
    template_name = A + "login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = sign_in_wait(request)
        if wait:
            return too_many(request, wait=wait, what="sign-in attempts")
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = A + "password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        wait, send = password_reset_allowed(request=self.request, email=email)
        if wait:
            return too_many(self.request, wait=wait, what="password reset requests")
        if send:
            # Nothing is written here, so there is no commit to wait for: queue at once.
            enqueue(emails.password_reset_email, email=email)
        return HttpResponseRedirect(self.get_success_url())
