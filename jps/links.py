"""Links to the web application's pages, for emails and exports: the ONE place the domain gets a URL from.

The domain does not know the web's route names (arrows point inward: ``jps`` imports
neither ``frontend`` nor ``api``). The web registers a resolver at start-up
(``frontend.apps.FrontendConfig.ready``); reminders, alert emails and the public site ask
for a page by *kind* and ids::

    links.url_for("problem", problem_id=42, action_id=7)  # https://jps.example/problems/42/#action-7
    links.path_for("meetings")                            # /meetings/

The kinds: ``problem`` (``problem_id``, optional ``action_id``), ``meetings``,
``alerts_subscribe``, ``alerts_confirm`` (``token``), ``alerts_unsubscribe`` (``token``),
``public_priority`` (``reference``), ``resident_report`` (``resident_report_id``: its triage page),
``resident_report_form``, ``resident_feedback`` and ``resident_unsubscribe`` (``token``), ``team_message``
(``team_message_id``: its page in the team's inbox) and ``team_message_form`` (``force``, ``district``,
``neighbourhood``: the slugs of the neighbourhood whose team the resident writes to). A resolver
returns a path on the web application (``/problems/42/``), which ``url_for`` prefixes with ``SITE_URL``
(never the Host a request claimed), or an absolute URL (a public-site page), which it returns as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

Resolver = Callable[..., str]

_resolver: Resolver | None = None


class LinksNotRegistered(RuntimeError):
    pass


def register(resolver: Resolver) -> None:
    """Install the web's resolver (``resolver(kind, **ids) -> path or absolute URL``); the last one wins."""
    global _resolver
    _resolver = resolver


def path_for(kind: str, **ids: object) -> str:
    """The page as the resolver gives it: a path on the web application, or an absolute URL."""
    if _resolver is None:
        raise LinksNotRegistered("No link resolver: the web application (frontend) registers one when it starts.")
    return _resolver(kind, **ids)


def url_for(kind: str, **ids: object) -> str:
    """The page's absolute URL, for an email or a page served elsewhere."""
    path = path_for(kind, **ids)
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path.startswith("/") else path
