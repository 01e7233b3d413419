"""The arrows of the public site: jobs call ``jps`` only, the domain names no web route, links come from one helper.

Read from the source (the AST of every module), so an import hidden inside a function counts too.
"""

from __future__ import annotations

import ast
import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve

from jps import alerts, links, publishing
from jps.models import Action, Reminder
from jps.reminders import digest_context
from publicsite import export
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _from(path: Path, packages: tuple[str, ...]) -> set[str]:
    return {name for name in _imports(path) if name.split(".")[0] in packages}


@pytest.mark.parametrize("path", _modules("tasks"), ids=lambda p: p.name)
def test_jobs_import_nothing_from_the_web_face_nor_the_public_site_package(path: Path) -> None:
    assert _from(path, ("frontend", "api", "publicsite")) == set()


@pytest.mark.parametrize("path", _modules("jps"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_imports_none_of_the_outer_packages(path: Path) -> None:
    assert _from(path, ("frontend", "api", "publicsite")) == set()


def test_the_public_site_package_depends_on_jps_only() -> None:
    for path in _modules("publicsite"):
        assert _from(path, ("frontend", "api", "tasks")) == set(), path


def test_no_module_of_the_public_site_package_passes_500_lines() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in _modules("publicsite")}
    assert max(sizes.values()) <= 500, sizes


def test_the_domain_reverses_no_web_route() -> None:
    """Links in emails come from ``jps.links``; only the two-factor middleware (it guards web requests) reverses.

    The middleware runs inside a request to the web application, where the routes it names exist;
    nothing that builds an email or an export may name a route.
    """
    reversing = {
        str(path.relative_to(ROOT))
        for path in _modules("jps")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) in {"reverse", "reverse_lazy"}
    }
    assert reversing == {"jps/two_factor.py"}


def test_url_for_prefixes_the_site_for_the_webs_pages_and_leaves_the_public_sites_alone(settings) -> None:
    settings.SITE_URL = "https://jps.example.org"
    settings.PUBLIC_SITE_URL = "https://priorities.example.org/"
    assert links.url_for("problem", problem_id=7) == "https://jps.example.org/problems/7/"
    assert links.url_for("problem", problem_id=7, action_id=3) == "https://jps.example.org/problems/7/#action-3"
    assert links.path_for("meetings") == "/meetings/"
    assert links.url_for("alerts_subscribe") == "https://jps.example.org/alerts/subscribe/"
    assert links.url_for("public_priority", reference="KNT-2026-00042") == (
        "https://priorities.example.org/priorities/knt/knt-2026-00042.html"
    )
    with pytest.raises(ValueError):
        links.url_for("no-such-page")


def test_without_a_registered_resolver_the_domain_says_so(monkeypatch) -> None:
    monkeypatch.setattr(links, "_resolver", None)
    with pytest.raises(links.LinksNotRegistered):
        links.url_for("meetings")


@pytest.mark.django_db
def test_the_links_in_a_reminder_email_open_the_right_pages(settings, pcso, neighbourhood) -> None:
    settings.SITE_URL = "https://jps.example.org"
    problem = f.ProblemFactory(neighbourhood=neighbourhood, owner=pcso)
    action = Action.objects.create(
        problem=problem,
        action_type=Action.Type.ENFORCEMENT,
        description="Dispersal order",
        agency=pcso.agency,
        created_by=pcso,
    )
    due = datetime.date(2026, 3, 2)
    reminders = [
        Reminder(kind=Reminder.Kind.REVIEW_OVERDUE, problem=problem, due_on=due),
        Reminder(kind=Reminder.Kind.ACTION_OVERDUE, problem=problem, action=action, due_on=due),
        Reminder(kind=Reminder.Kind.MEETING_STANDARD, neighbourhood=neighbourhood, due_on=due),
    ]
    urls = sorted(item["url"] for section in digest_context(reminders)["sections"] for item in section["items"])
    assert urls == [
        "https://jps.example.org/meetings/",
        f"https://jps.example.org/problems/{problem.pk}/",
        f"https://jps.example.org/problems/{problem.pk}/#action-{action.pk}",
    ]
    pages = [resolve(urlsplit(url).path) for url in urls]
    assert [(p.url_name, p.kwargs) for p in pages] == [
        ("meeting_list", {}),
        ("problem", {"pk": problem.pk}),
        ("problem", {"pk": problem.pk}),
    ]
    # the staff list of reminders links to the same pages, as paths
    assert sorted(r.item_path for r in reminders) == sorted(
        urlsplit(u)._replace(scheme="", netloc="").geturl() for u in urls
    )


@pytest.mark.django_db
def test_the_links_in_an_alert_email_open_the_alert_pages(settings, neighbourhood) -> None:
    settings.SITE_URL = "https://jps.example.org"
    message = alerts.confirmation_message(email="resident@example.org", neighbourhood_ids=[neighbourhood.pk])
    assert message is not None
    confirm = next(line for line in message.body.splitlines() if line.startswith("https://"))
    assert confirm.startswith("https://jps.example.org/alerts/confirm/")
    assert resolve(urlsplit(confirm).path).url_name == "alerts_confirm"
    assert resolve(urlsplit(alerts.unsubscribe_url("a@example.org")).path).url_name == "alerts_unsubscribe"


@pytest.mark.django_db
def test_the_publishing_service_calls_the_exporter_the_public_site_registered(monkeypatch) -> None:
    assert publishing._exporter is export.publish  # registered by PublicSiteConfig.ready
    result = publishing.site_publish(full=True)
    assert result.full and "index.html" in result.written
    monkeypatch.setattr(publishing, "_exporter", None)
    with pytest.raises(ImproperlyConfigured):
        publishing.site_publish()
