"""Shared fixtures: one area, one user per role, and a problem in the officer's district."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.db.backends.postgresql.creation import DatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from jps import models as m

from . import factories as f
from .db_roles import execute_sql_flush_as_owner
from .parallel import isolate_redis

# Under pytest-xdist each worker has its own Redis database (and, from pytest-django, its own test database).
isolate_redis()

# The read replica (jps/db_router.py, DATABASE_REPLICA_URL in CI): the suite reads the primary, since a
# replica never sees a test's uncommitted rows; tests/jps/test_replica.py turns it on. Child processes
# (a served app, manage.py) inherit REPLICA_READS=0.
django_settings.REPLICA_READS = False
os.environ["REPLICA_READS"] = "0"

# The role the suite works as on PostgreSQL (DB_SET_ROLE, set by .ci/run): not while the test
# database is created and migrated, which the login (its owner) does; from then on, everywhere.
WORK_AS_ROLE = django_settings.DB_SET_ROLE


#: What ``make test-fast`` leaves out (``pytest -m "not slow"``): tests that drive a browser, run a real
#: Celery worker or the app behind a real server, inject faults, restore backups, fuzz, or load the whole
#: demo. They are marked here, by marker, fixture or place, so a new test of the kind is slow unasked.
SLOW_MARKERS = {"browser", "celery"}
SLOW_FIXTURES = {"live_server", "celery_worker", "celery_worker_concurrent", "app_server", "private_redis"}
SLOW_PLACES = (  # node id prefixes; the access-control attacks in tests/reliability/ stay in the fast set
    "tests/reliability/test_database_faults.py",
    "tests/deploy/",
    "tests/api/test_schemathesis.py",
    "tests/api/test_meetings_schema.py",
    "tests/jps/test_workflow_fuzz.py",
    "tests/jps/test_demo.py",
    "tests/meetings/test_demo_meetings.py",
    "tests/frontend/test_csp.py::test_no_page_any_role_sees_has_inline_script_handlers_or_styles",
    "tests/security/test_edges.py::test_concurrent_api_writes_on_the_sqlite_demo_give_no_500",
)


def is_slow(item: pytest.Item) -> bool:
    return (
        any(item.get_closest_marker(name) for name in SLOW_MARKERS)
        or bool(SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())))
        or item.nodeid.startswith(SLOW_PLACES)
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine} ({settings.DATABASES['default'].get('HOST') or 'embedded'})"


def _destroy_test_db_forced(self: DatabaseCreation, test_database_name: str, verbosity: int) -> None:
    """Behind PgBouncer (``DB_POOLER``, .ci/run) the pooler keeps server connections to the test database
    after the last test, and a plain ``DROP DATABASE`` refuses while any is open: drop it ``WITH (FORCE)``."""
    self.connection.close_pool()
    with self._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE {self.connection.ops.quote_name(test_database_name)} WITH (FORCE)")


if django_settings.DB_POOLER == "pgbouncer":
    DatabaseCreation._destroy_test_db = _destroy_test_db_forced  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Create and migrate the test database as the login role, the tables' owner."""
    django_settings.DB_SET_ROLE = ""


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Then every connection (tests, live server, Celery worker, child processes) works as the app role."""
    django_settings.DB_SET_ROLE = WORK_AS_ROLE
    with django_db_blocker.unblock():
        connections.close_all()  # the one opened to migrate is the owner's
    yield
    django_settings.DB_SET_ROLE = ""
    with django_db_blocker.unblock():
        connections.close_all()  # the owner drops the test database


@pytest.fixture(scope="session", autouse=True)
def _flush_as_owner() -> Iterator[None]:
    """The flush after each transactional test empties the access log too: as the owner (tests/db_roles.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush_as_owner)
        yield


@pytest.fixture(scope="session", autouse=True)
def _print_database(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        role = f" as {django_settings.DB_SET_ROLE}" if django_settings.DB_SET_ROLE else ""
        print(f"\nTests run on {connection.vendor} {connection.settings_dict.get('NAME')}{role}")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Real hashers are deliberately slow; tests only need passwords to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Limits count in the cache (jps/limits.py): each test starts with none of another's attempts."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _live_dashboard_figures(settings):  # type: ignore[no-untyped-def]
    """Figures are computed afresh in tests (tests/jps/test_scale.py turns the cache on)."""
    settings.JPS_FIGURE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _public_site_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Exports triggered by any test (an approval, a closure) write to a temporary folder."""
    settings.PUBLIC_SITE_DIR = tmp_path / "public_site"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploads made by any test (the demo's attachments, say) go to a temporary folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"


def verified_login(client, user):  # type: ignore[no-untyped-def]
    """Sign ``user`` in as if with their password and a code: a confirmed authenticator, and the
    session marked as verified by it (what ``django_otp.login`` does). Two-factor stays enforced;
    use plain ``force_login`` to test what happens before the code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(client, admin_user):  # type: ignore[no-untyped-def]
    """pytest-django's admin client, past two-factor (administrators always need it)."""
    return verified_login(client, admin_user)


@pytest.fixture
def force(db) -> m.Force:  # type: ignore[no-untyped-def]
    return f.ForceFactory()


@pytest.fixture
def district(force) -> m.District:  # type: ignore[no-untyped-def]
    return f.DistrictFactory(force=force, name="Canterbury")


@pytest.fixture
def other_district(force) -> m.District:  # type: ignore[no-untyped-def]
    return f.DistrictFactory(force=force, name="Dover")


@pytest.fixture
def neighbourhood(district) -> m.Neighbourhood:  # type: ignore[no-untyped-def]
    return f.NeighbourhoodFactory(district=district, name="Northgate")


@pytest.fixture
def other_neighbourhood(other_district) -> m.Neighbourhood:  # type: ignore[no-untyped-def]
    return f.NeighbourhoodFactory(district=other_district, name="Castle")


@pytest.fixture
def police(force) -> m.Agency:  # type: ignore[no-untyped-def]
    return f.PoliceAgencyFactory(force=force)


@pytest.fixture
def council(force) -> m.Agency:  # type: ignore[no-untyped-def]
    return f.AgencyFactory(name="Canterbury City Council", force=force)


@pytest.fixture
def housing(force) -> m.Agency:  # type: ignore[no-untyped-def]
    return f.AgencyFactory(name="Orbit Housing", kind=m.Agency.Kind.HOUSING, force=force)


@pytest.fixture
def category(db) -> m.Category:  # type: ignore[no-untyped-def]
    return f.CategoryFactory()


@pytest.fixture
def pcso(police, neighbourhood) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="pcso", role=m.User.Role.OFFICER, agency=police, neighbourhoods=[neighbourhood])


@pytest.fixture
def other_officer(police, other_neighbourhood) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(
        username="dover_pcso", role=m.User.Role.OFFICER, agency=police, neighbourhoods=[other_neighbourhood]
    )


@pytest.fixture
def supervisor(police, district) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="sergeant", role=m.User.Role.SUPERVISOR, agency=police, districts=[district])


@pytest.fixture
def other_supervisor(police, other_district) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(
        username="dover_sergeant", role=m.User.Role.SUPERVISOR, agency=police, districts=[other_district]
    )


@pytest.fixture
def partner_user(council, neighbourhood) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="council", role=m.User.Role.PARTNER, agency=council, neighbourhoods=[neighbourhood])


@pytest.fixture
def other_partner(housing, neighbourhood) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="housing", role=m.User.Role.PARTNER, agency=housing, neighbourhoods=[neighbourhood])


@pytest.fixture
def analyst(police) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="analyst", role=m.User.Role.ANALYST, agency=police)


@pytest.fixture
def training_manager(police) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="training", role=m.User.Role.TRAINING, agency=police)


@pytest.fixture
def web_editor(police) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="webeditor", role=m.User.Role.WEB_EDITOR, agency=police)


@pytest.fixture
def call_handler(police) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="callhandler", role=m.User.Role.CALL_HANDLER, agency=police)


@pytest.fixture
def admin_user(police) -> m.User:  # type: ignore[no-untyped-def]
    return f.UserFactory(username="admin", role=m.User.Role.ADMIN, agency=police, is_staff=True, is_superuser=True)


@pytest.fixture
def problem(pcso, neighbourhood, category) -> m.Problem:  # type: ignore[no-untyped-def]
    """A problem owned by the PCSO in their own neighbourhood, in scanning."""
    return f.ProblemFactory(owner=pcso, neighbourhood=neighbourhood, category=category)
