"""Staff assets: compressed, fingerprinted and cached for a year in production; no render-blocking script."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.jps.test_settings import run_manage

pytestmark = pytest.mark.django_db

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_production_uses_whitenoises_compressed_manifest_storage():
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    result = run_manage("shell", "-c", code, DEBUG="0", SECRET_KEY="x" * 64, ALLOWED_HOSTS="jps.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == MANIFEST


@pytest.fixture
def collected(settings, tmp_path):  # type: ignore[no-untyped-def]
    """The static files as production collects them (docker/build.sh static), served by whitenoise."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    settings.SECURE_SSL_REDIRECT = False
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.mark.slow
def test_fingerprinted_css_is_compressed_and_cached_for_a_year(collected):
    url = staticfiles_storage.url("dist/app.css")
    assert re.search(r"/dist/app\.[0-9a-f]{12}\.css$", url), url
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    plain = Client().get(url)
    assert int(response["Content-Length"]) < int(plain["Content-Length"]) / 4


def test_no_render_blocking_script_on_the_staff_pages(client, pcso):
    """Every script is deferred or a module, but js-enabled.js: a few bytes at the top of <body> that set
    GOV.UK Frontend's ``js-enabled`` class before the first paint (no inline script: the CSP)."""
    client.force_login(pcso)
    body = client.get(reverse("home")).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts
    blocking = [s for s in scripts if "defer" not in s and 'type="module"' not in s]
    assert [s for s in blocking if "js-enabled" not in s] == []
    head = body.split("</head>")[0]
    assert "<script" not in head
