"""Staff assets: compressed, fingerprinted and cached for a year in production and in the demo (`make run`);
no render-blocking script."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.jps.test_settings import ROOT, run_manage

pytestmark = pytest.mark.django_db

MANIFEST = "jps.static_storage.CollectedStaticFilesStorage"  # WhiteNoise's compressed manifest storage


def test_the_storage_is_whitenoises_compressed_manifest_storage():
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    from jps.static_storage import CollectedStaticFilesStorage

    assert issubclass(CollectedStaticFilesStorage, CompressedManifestStaticFilesStorage)


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


def test_the_demo_serves_the_collected_files_whatever_debug_says():
    """`make run` collects the static files and serves them with STATIC_MANIFEST=1 and DEBUG on: fingerprinted,
    compressed, from STATIC_ROOT only (WhiteNoise, not runserver's own static view, nor the app folders)."""
    code = (
        "from django.conf import settings as s; print(s.DEBUG, s.STORAGES['staticfiles']['BACKEND'], "
        "s.WHITENOISE_USE_FINDERS, s.WHITENOISE_AUTOREFRESH, s.INSTALLED_APPS.index('whitenoise.runserver_nostatic')"
        " < s.INSTALLED_APPS.index('django.contrib.staticfiles'))"
    )
    result = run_manage("shell", "-c", code, DEBUG="1", STATIC_MANIFEST="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == ["True", MANIFEST, "False", "False", "True"]
    plain = run_manage("shell", "-c", "from django.conf import settings as s; print(s.STATIC_MANIFEST)", DEBUG="1")
    assert plain.stdout.split()[-1] == "False"  # developing and testing: the files as built
    makefile = (ROOT / "Makefile").read_text()
    assert "STATIC_MANIFEST=1 $(PY) manage.py collectstatic" in makefile
    assert "STATIC_MANIFEST=1 $(PY) manage.py runserver" in makefile


@pytest.mark.slow
def test_the_demo_sends_fingerprinted_css_compressed_and_cached_for_a_year(collected, settings):
    settings.DEBUG = True  # as `make run`
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = False
    url = staticfiles_storage.url("dist/app.css")
    assert re.search(r"/dist/app\.[0-9a-f]{12}\.css$", url), url
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    # What a module imports is fingerprinted too, so it is cached as long.
    module = b"".join(Client().get(staticfiles_storage.url("dist/jps.js")).streaming_content).decode()
    imported = re.search(r'from "\./(govuk-frontend\.min\.[0-9a-f]{12}\.js)"', module)
    assert imported, module[:200]
    response = Client().get(f"/static/dist/{imported.group(1)}")
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"


def test_no_render_blocking_script_on_the_staff_pages(client, pcso):
    """Every script file is deferred or a module; the one inline script is GOV.UK Frontend's js-enabled line at
    the top of <body> (it sets the class its JavaScript-only styles need before the first paint, costing no
    request), run by its hash in the Content Security Policy."""
    client.force_login(pcso)
    body = client.get(reverse("home")).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", body)
    assert len(scripts) >= 3
    files = [s for s in scripts if "src=" in s]
    assert [s for s in files if " defer" not in s and 'type="module"' not in s] == []
    inline = re.findall(r"<script>(.*?)</script>", body, re.S)
    assert inline == [settings.GOVUK_JS_ENABLED_SCRIPT]
    assert settings.GOVUK_JS_ENABLED_HASH in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    head = body.split("</head>")[0]
    assert "<script" not in head
