"""The public site keeps to the same strict Content Security Policy as the staff pages.

Every exported page (English and Welsh) is scanned for inline script, event handlers and
styles; each carries the policy in a <meta> tag, and nginx sends it as a header.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jps.models import Force, Postcode
from publicsite.export import publish
from publicsite.render import PUBLIC_CSP
from tests.csp import PUBLIC_POLICY, STAFF_POLICY, STAFF_SCRIPT_HASHES, inline_code, parse_policy

from .conftest import site_files

pytestmark = pytest.mark.django_db

NGINX = Path(__file__).resolve().parents[2] / "docker" / "nginx-public.conf"


def _nginx_headers() -> dict[str, str]:
    return {
        name: value.strip('"')
        for name, value in re.findall(r"^\s*add_header\s+(\S+)\s+(\"[^\"]*\"|\S+)\s+always;", NGINX.read_text(), re.M)
    }


def test_every_public_page_has_no_inline_code_and_carries_the_policy(priorities, settings, force, area):
    Force.objects.filter(pk=force.pk).update(welsh_enabled=True)
    Postcode.objects.create(postcode="CT1 1AA", outward="CT1", neighbourhood=area)
    publish(full=True)
    files = site_files(settings.PUBLIC_SITE_DIR)
    pages = {path: body.decode() for path, body in files.items() if path.endswith(".html")}
    assert {"index.html", "cy/index.html", "postcodes/CT1.html"} <= set(pages)
    assert any(path.startswith("priorities/") for path in pages)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{PUBLIC_CSP}">'
    found = {path: bad for path, html in pages.items() if (bad := inline_code(html, allowed=()))}
    assert found == {}
    assert [path for path, html in pages.items() if meta.replace("'", "&#x27;") not in html] == []


def test_the_public_policy_is_the_staff_policy_less_the_tile_host_and_what_meta_cannot_carry():
    # ... and less GOV.UK Frontend's js-enabled line: the public site runs no script at all.
    assert {**PUBLIC_POLICY, "script-src": [*PUBLIC_POLICY["script-src"], *STAFF_SCRIPT_HASHES]} == STAFF_POLICY
    meta = parse_policy(PUBLIC_CSP)
    assert meta == {k: v for k, v in PUBLIC_POLICY.items() if k != "frame-ancestors"}
    assert "unsafe" not in PUBLIC_CSP


def test_nginx_sends_the_policy_and_the_other_security_headers():
    headers = _nginx_headers()
    assert parse_policy(headers["Content-Security-Policy"]) == PUBLIC_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "geolocation=()" in headers["Permissions-Policy"]
