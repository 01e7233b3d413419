"""The web's link resolver, registered with ``jps.links`` when the app starts: page kinds to this app's routes.

The domain asks for "the problem's page" and this module answers with the route it is
served at, so a renamed or moved route changes here and in ``urls.py`` only, and every email
follows. A public priority's page is on the static public site, at the path the public-site
package gives it under ``PUBLIC_SITE_URL``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

from publicsite.viewmodels import priority_path


def _problem(*, problem_id: int, action_id: int | None = None) -> str:
    anchor = f"#action-{action_id}" if action_id else ""
    return reverse("problem", kwargs={"pk": problem_id}) + anchor


def _public_priority(*, reference: str) -> str:
    return settings.PUBLIC_SITE_URL.rstrip("/") + "/" + priority_path(reference)


ROUTES: dict[str, Callable[..., str]] = {
    "problem": _problem,
    "meetings": lambda: reverse("meeting_list"),
    "case_review": lambda *, case_review_id: reverse("case_review", kwargs={"pk": case_review_id}),
    "alerts_subscribe": lambda: reverse("alerts_subscribe"),
    "alerts_confirm": lambda *, token: reverse("alerts_confirm", args=[token]),
    "alerts_unsubscribe": lambda *, token: reverse("alerts_unsubscribe", args=[token]),
    "public_priority": _public_priority,
    "resident_report": lambda *, resident_report_id: reverse("resident_report_triage", args=[resident_report_id]),
    "resident_report_form": lambda: reverse("resident_report"),
    "resident_feedback": lambda *, token: reverse("resident_feedback", args=[token]),
    "resident_unsubscribe": lambda *, token: reverse("resident_unsubscribe", args=[token]),
    "team_message": lambda *, team_message_id: reverse("team_message", args=[team_message_id]),
    "team_message_form": lambda *, force, district, neighbourhood: reverse(
        "team_message_form", args=[force, district, neighbourhood]
    ),
}


def resolve(kind: str, **ids: object) -> str:
    """A path on this application, or an absolute URL for a page of the public site."""
    try:
        route = ROUTES[kind]
    except KeyError:
        raise ValueError(f"Unknown kind of page: {kind!r}") from None
    return route(**ids)
