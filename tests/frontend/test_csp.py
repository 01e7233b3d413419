"""The strict Content Security Policy: sent on every page and API response, and every page keeps to it.

The pages are the real rendered responses, crawled as each role of the demo force from
"My work" along every link, so a template, include, widget or tag that writes an inline
script, an on*= handler or a style= attribute fails here before a browser refuses it.
"""

from __future__ import annotations

import json
import logging
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from jps import selectors
from jps.models import User
from tests.conftest import verified_login
from tests.csp import STAFF_POLICY, STAFF_SCRIPT_HASHES, inline_code, parse_policy
from tests.otp import code_for

pytestmark = pytest.mark.django_db

TILE_HOST = "https://tile.openstreetmap.org"
#: Not crawled: sign-out ends the session; the admin is Django's own (checked in the browser test);
#: the API's HTML is checked on its own below; downloads are not pages.
SKIP = re.compile(r"^/(accounts/logout/|admin/|api/|static/|public/)|\.(csv|json|atom|webmanifest|js)$")
PAGES_PER_SHAPE = 2  # /problems/12/ and /problems/13/ are the same template: two of each is enough


def _policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    assert "Content-Security-Policy" in response, f"{response.request['PATH_INFO']} has no CSP header"
    return parse_policy(response["Content-Security-Policy"])


def _expected(tile_host: str = TILE_HOST) -> dict[str, list[str]]:
    return {**STAFF_POLICY, "img-src": [*STAFF_POLICY["img-src"], tile_host], "report-uri": ["/csp-report/"]}


def test_a_staff_page_carries_the_exact_policy(client, pcso):
    client.force_login(pcso)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert _policy(response) == _expected()
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "nonce-" not in header


def test_the_sign_in_page_and_an_api_response_carry_the_policy(client, pcso):
    assert _policy(client.get(reverse("login"))) == _expected()
    client.force_login(pcso)
    response = client.get("/api/problems/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert _policy(response) == _expected()


def test_the_map_tile_host_comes_from_the_setting():
    from jps.settings import _origin

    assert _origin("https://tiles.example.gov.uk/osm/{z}/{x}/{y}.png") == ["https://tiles.example.gov.uk"]
    assert _origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == ["https://*.tile.example.org"]
    assert _origin("/static/tiles/{z}/{x}/{y}.png") == []  # same origin: 'self' covers it


def test_api_docs_load_their_start_up_script_from_a_url(client):
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert inline_code(html) == []
    assert _policy(page) == _expected()
    script = re.search(r'<script src="([^"]*script[^"]*)"', html)
    assert script, "Swagger UI's start-up script is not loaded from a URL"
    response = client.get(script.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in response.content


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _crawl(client: Client, start: list[str], limit: int = 80, least: int = 5) -> dict[str, list[str]]:
    """Visit same-site pages from ``start`` along links; return the offending markup of each page."""
    queue, seen, shapes = deque(start), set(start), {}  # type: ignore[var-annotated]
    problems: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        visited += 1
        html = response.content.decode()
        assert _policy(response) == _expected(), path
        if found := inline_code(html):
            problems[path] = found
        for href in re.findall(r'href="([^"]+)"', html):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(link)
            if parts.netloc and parts.netloc != "testserver" or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in seen or SKIP.search(parts.path):
                continue
            seen.add(link)
            shapes[_shape(parts.path)] = shapes.get(_shape(parts.path), 0) + 1
            if shapes[_shape(parts.path)] <= PAGES_PER_SHAPE:
                queue.append(link)
    assert visited >= least, f"the crawl from {start} found almost nothing"
    return problems


def test_no_page_any_role_sees_has_inline_script_handlers_or_styles(client):
    """The demo force, every role: every page reachable from My work renders nothing the policy blocks."""
    call_command("load_demo", "--password", "demo-password-for-tests-2026", stdout=open("/dev/null", "w"))  # noqa: SIM115
    signed_out = [reverse("login"), reverse("password_reset"), reverse("alerts_subscribe"), reverse("resident_report")]
    problems = _crawl(client, signed_out, limit=10, least=4)
    # A form re-rendered with its errors (different markup: the error summary, error classes).
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    problems.update({"login (errors)": found} if (found := inline_code(response.content.decode())) else {})
    response = client.post(reverse("resident_report"), {"email": "not an email"})
    assert response.status_code == 400 and _policy(response) == _expected()
    problems.update({"report a problem (errors)": found} if (found := inline_code(response.content.decode())) else {})
    visited_roles = set()
    for user in User.objects.filter(
        username__in=["officer", "partner", "supervisor", "analyst", "training", "webeditor", "callhandler", "admin"]
    ):
        verified_login(client, user)  # with a second factor where the role needs one
        visited_roles.add(user.role)
        problems.update({f"{user.username} {k}": v for k, v in _crawl(client, [reverse("home")]).items()})
        if user.has_perm("jps.log_problem"):
            response = client.post(reverse("problem_create"), {})
            assert response.status_code == 200
            if found := inline_code(response.content.decode()):
                problems[f"{user.username} problem_create (errors)"] = found
        problems.update(_case_review_and_panel_pages(client, user))
        problems.update(_resident_report_pages(client, user))
        client.logout()
    assert len(visited_roles) == 8
    problems.update(_two_factor_pages(client))
    assert problems == {}


def _case_review_and_panel_pages(client: Client, user: User) -> dict[str, list[str]]:
    """The case review and panel pages each role reaches, whether or not the crawl's limit got there: the
    lists, an application and a panel it sees, the applicant search, and each form sent empty."""
    from jps import selectors

    pages = {"case reviews": client.get(reverse("case_review_list")), "panels": client.get(reverse("panel_list"))}
    if application := selectors.case_reviews_visible_to(user).first():
        pages["case review"] = client.get(reverse("case_review", args=[application.pk]))
        pages["letter"] = client.get(reverse("case_review_letter", args=[application.pk]))
    if panel := selectors.panels_visible_to(user).filter(status="held").first():
        pages["panel"] = client.get(reverse("panel", args=[panel.pk]))
        if item := selectors.panel_minutes(user, panel).items[:1]:
            url = reverse("panel_item_step", args=[panel.pk, item[0].pk, "decide"])
            pages["panel decision (errors)"] = client.post(url, {"sent": "1"})
    if user.has_perm("jps.record_case_review"):
        pages["record an application (search)"] = client.get(reverse("case_review_new"), {"q": "Okoye"})
        pages["record an application (errors)"] = client.post(reverse("case_review_new"), {"sent": "1"})
    if user.has_perm("jps.record_panel"):
        pages["arrange a panel (errors)"] = client.post(reverse("panel_new"), {"sent": "1"})
    found = {}
    for name, response in pages.items():
        if response.status_code not in (200, 400, 403, 404):
            found[f"{user.username} {name}"] = [f"status {response.status_code}"]
        elif response.status_code in (200, 400) and (code := inline_code(response.content.decode())):
            found[f"{user.username} {name}"] = code
    return found


def _resident_report_pages(client: Client, user: User) -> dict[str, list[str]]:
    """The demo's residents' reports the user's team holds: one waiting (its triage page, and a decision
    re-rendered with its errors) and one already triaged. Others are a 404 and checked by no one."""
    reports = selectors.resident_reports_visible_to(user)
    waiting, triaged = reports.filter(status="new").first(), reports.exclude(status="new").first()
    if waiting is None:
        return {}
    assert triaged is not None, "the demo has triaged reports beside the waiting ones"
    pages = {
        "resident report": client.get(reverse("resident_report_triage", args=[waiting.pk])),
        "resident report (triaged)": client.get(reverse("resident_report_triage", args=[triaged.pk])),
        "resident report (errors)": client.post(reverse("resident_report_decide", args=[waiting.pk, "decline"]), {}),
    }
    assert [r.status_code for r in pages.values()] == [200, 200, 400]
    return {
        f"{user.username} {name}": found
        for name, response in pages.items()
        if (found := inline_code(response.content.decode()))
    }


def _two_factor_pages(client: Client) -> dict[str, list[str]]:
    """Setting up an authenticator (with its QR code), entering a code, the recovery codes, with errors."""
    admin = User.objects.create_user("csp_admin", password="x", role=User.Role.ADMIN, is_staff=True)
    client.force_login(admin)  # password only: held at the two-factor pages
    pages = {}
    enrol = client.get(reverse("home"), follow=True)
    assert enrol.redirect_chain and reverse("two_factor_enrol") in enrol.redirect_chain[-1][0]
    assert b"<svg" in enrol.content  # the QR code, drawn inline as SVG
    pages["enrol"] = enrol
    pages["enrol (errors)"] = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    device = TOTPDevice.objects.get(user=admin)
    pages["recovery codes"] = client.post(reverse("two_factor_enrol"), {"code": code_for(device)})
    client.logout()
    client.force_login(admin)
    pages["verify"] = client.get(reverse("home"), follow=True)
    assert reverse("two_factor_verify") in pages["verify"].redirect_chain[-1][0]
    pages["verify (errors)"] = client.post(reverse("two_factor_verify"), {"code": "000000"})
    for name, response in pages.items():
        assert _policy(response) == _expected(), name
    return {f"two-factor {k}": found for k, r in pages.items() if (found := inline_code(r.content.decode()))}


def test_the_scanner_finds_what_the_policy_blocks():
    """The check above can fail: each kind of inline code is found, data and external scripts are not."""
    assert inline_code('<script src="/static/a.js"></script><script type="application/json">{"a": 1}</script>') == []
    assert len(inline_code("<script>alert(1)</script>")) == 1
    assert len(inline_code('<a href="#" onclick="print()">x</a>')) == 1
    assert len(inline_code('<p style="color: red">x</p>')) == 1
    assert len(inline_code("<style>p { color: red }</style>")) == 1
    assert len(inline_code('<button hx-on:click="go()">x</button>')) == 1
    assert len(inline_code('<a href="javascript:go()">x</a>')) == 1
    assert len(inline_code('<svg><rect style="fill: red"/></svg>')) == 1
    # GOV.UK Frontend's js-enabled line runs by its hash, byte for byte; any change to it is blocked.
    js_enabled = f"<script>{settings.GOVUK_JS_ENABLED_SCRIPT}</script>"
    assert inline_code(js_enabled) == []
    assert len(inline_code(js_enabled.replace("+=", "= "))) == 1
    assert len(inline_code(js_enabled, allowed=())) == 1  # the public site allows no inline script at all
    assert STAFF_SCRIPT_HASHES == (settings.GOVUK_JS_ENABLED_HASH,)


REPORT = {
    "csp-report": {
        "document-uri": "https://jps.example/problems/?q=Mrs+Featherstonehaugh",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "https://jps.example/problems/?q=Mrs+Featherstonehaugh",
        "line-number": 14,
        "disposition": "enforce",
        "status-code": 200,
    }
}


def _post_report(client, body, address="192.0.2.1"):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(reverse("csp_report"), data, content_type="application/csp-report", REMOTE_ADDR=address)


def test_a_violation_report_is_logged_on_the_security_log_without_query_strings(client, caplog):
    cache.clear()
    with caplog.at_level(logging.WARNING, logger="jps.security"):
        response = _post_report(client, REPORT)
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "jps.security"]
    assert record.getMessage() == "content security policy violation"
    assert record.document == "https://jps.example/problems/"  # type: ignore[attr-defined]
    assert record.blocked == "inline" and record.effective_directive == "script-src-elem"  # type: ignore[attr-defined]
    assert "Featherstonehaugh" not in str(vars(record))


def test_violation_reports_are_rate_limited_per_address_and_bad_ones_are_dropped(client, caplog, settings):
    cache.clear()
    settings.JPS_CSP_REPORTS_PER_MINUTE = 3
    with caplog.at_level(logging.WARNING, logger="jps.security"):
        statuses = {_post_report(client, REPORT).status_code for _ in range(10)}
        _post_report(client, REPORT, address="192.0.2.99")  # another address has its own allowance
        _post_report(client, "not json", address="192.0.2.50")
        _post_report(client, {"csp-report": "x" * 20_000}, address="192.0.2.51")
        _post_report(client, [1, 2], address="192.0.2.52")
    assert statuses == {204}
    assert len([r for r in caplog.records if r.name == "jps.security"]) == 3 + 1
    assert client.get(reverse("csp_report")).status_code == 405


def test_a_report_from_a_page_held_for_two_factor_is_still_logged(client, admin_user, caplog):
    cache.clear()
    client.force_login(admin_user)  # password only: everything else redirects to the two-factor pages
    with caplog.at_level(logging.WARNING, logger="jps.security"):
        assert _post_report(client, REPORT).status_code == 204
    assert [r.getMessage() for r in caplog.records if r.name == "jps.security"] == ["content security policy violation"]
