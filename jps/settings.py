"""Settings for JPS, all from the environment.

Defaults are for development only: an embedded SQLite database, no Redis,
console email. Production sets ``DEBUG=0``, ``SECRET_KEY``, ``DATABASE_URL``,
``REDIS_URL`` and ``ALLOWED_HOSTS``; ``manage.py check --deploy`` must then pass.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from kombu import Queue

from jps.media_storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Where the staff application is reached, for links in emails and on the public site. Unset, it is
# the address `make run` serves: http://127.0.0.1:$PORT (8000 unless PORT says otherwise).
PORT = envint("PORT", 8000)
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

# The force whose reference prefix (e.g. KNT) is used by default in the demo.
JPS_FORCE_CODE = os.environ.get("JPS_FORCE_CODE", "KNT")

INSTALLED_APPS = [
    "jps.admin_site.JpsAdminConfig",  # django.contrib.admin with a site that logs refusals
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver leaves /static/ to WhiteNoise, as production does
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "jps",
    "api",
    "tasks",
    "frontend",
    "publicsite",  # the static public site: renders and stores it; registers itself as the exporter
]

MIDDLEWARE = [
    "jps.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "jps.errors.RequestBodyLimitMiddleware",  # an oversized /api/ body: 413 JSON before anything reads it
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a code was entered this session
    "jps.two_factor.TwoFactorMiddleware",  # those who need two-factor reach nothing else until verified
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "jps.errors.OwnNotFoundPageMiddleware",  # DEBUG too answers a 404 with our page, not the URL list
]

ROOT_URLCONF = "jps.urls"
WSGI_APPLICATION = "jps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "public_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql") and not envbool("DB_JIT", "0"):
    # PostgreSQL's JIT compiles any query whose estimated cost is high (a count over every
    # problem, a national figure): 50-70 ms of compilation that short queries never win back
    # (docs/performance.md). Off for this application's sessions unless DB_JIT=1.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded demo serialises writes: a transaction takes the write lock when it begins
    # (BEGIN IMMEDIATE), so two requests that read then write queue for it instead of one failing
    # at once with "database is locked"; a waiter waits up to SQLITE_TIMEOUT seconds; and with the
    # write-ahead log readers never wait for a writer.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("transaction_mode", "IMMEDIATE")
    _options.setdefault("timeout", envint("SQLITE_TIMEOUT", 20))
    _options.setdefault("init_command", "PRAGMA journal_mode=WAL")
# PgBouncer in transaction mode (DB_POOLER=pgbouncer, docs/deploy.md): a server connection serves
# another client after each transaction, so nothing may outlive one -- no server-side cursors
# (``.iterator()`` fetches client-side), no prepared statements (psycopg prepares a query run five
# times), no persistent connections of Django's own (the pooler keeps them), and no session-level
# ``SET ROLE`` (DB_SET_ROLE): behind the pooler the application logs in as its role directly.
DB_POOLER = os.environ.get("DB_POOLER", "").strip().lower()
if DB_POOLER == "pgbouncer" and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    # nor does it pass on the ``options`` startup parameter: JIT is turned off on the role instead
    # (``ALTER ROLE jps_app SET jit = off``, docker/db-roles.sql).
    DATABASES["default"]["OPTIONS"].pop("options", None)
# A streaming read replica (jps/db_router.py, docs/deploy.md): only the reads that opt in with
# ``replica_reads()`` and can be a second old go there, when it is at most REPLICA_MAX_LAG_SECONDS
# behind (asked at most every REPLICA_CHECK_SECONDS); after a POST a cookie keeps a browser's
# reads on the primary for REPLICA_PIN_SECONDS. The test runner never creates a database on it:
# it mirrors ``default`` (same name, the replica's own host), which streaming keeps in step.
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "1.5"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", 5)
REPLICA_READS = envbool("REPLICA_READS", "1")
if os.environ.get("DATABASE_REPLICA_URL") and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "connect_timeout": envint("REPLICA_CONNECT_TIMEOUT", 2),
    }
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["jps.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "jps.db_router.PrimaryAfterWriteMiddleware")  # fmt: skip
# Least-privilege roles (docs/deploy.md): ``migrate`` runs as the tables' owner and grants the
# application role named here what it needs after every run (jps/db_roles.py) -- and on the access
# log only SELECT and INSERT. The application itself logs in as that role and owns nothing.
DB_APP_ROLE = os.environ.get("DB_APP_ROLE", "")
# For the test suite only: log in as the owner (to create and migrate the test database), then
# SET ROLE to this role on every connection. Never in production, where the login is the app role.
DB_SET_ROLE = os.environ.get("DB_SET_ROLE", "")
if DB_SET_ROLE and DB_POOLER == "pgbouncer":
    raise RuntimeError("DB_SET_ROLE cannot work behind PgBouncer: log in as the application role itself.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "jps.User"
AUTHENTICATION_BACKENDS = [
    "jps.limits.SignInLimitBackend",  # refuses every sign-in from an address over its failure limit
    "axes.backends.AxesStandaloneBackend",  # lock-out after repeated failures; before the password is checked
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2 first (OWASP's recommendation); the others only to verify and upgrade old hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out after repeated failed sign-ins, per username and address; every attempt is recorded
# (django-axes' access attempts and access logs are the audit of sign-ins).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "frontend/auth/locked_out.html"

# Who is asking (jps/net.py): how many proxies of ours stand in front of the application and
# append to X-Forwarded-For (nginx, a load balancer). 0: trust no forwarding header, the
# client is the peer (REMOTE_ADDR); N: the N-th address from the right. Also whether an
# incoming X-Request-ID is kept. DRF throttles, django-axes, the limits below and the logs
# all use jps.net.client_ip. AXES_PROXY_COUNT is its former name.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", envint("AXES_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "jps.net.client_ip"

# Limits per client address and per recipient (jps/limits.py), as "N/period" (s, m, h, d, with
# an optional multiple: "1/10minutes"); several windows separated by commas must all allow.
# Failed sign-ins from one address, whatever the usernames (web, admin and API token together):
# past it every sign-in from there is refused until the window ends. Generous, as a police
# station's staff share one address.
JPS_SIGN_IN_FAILURES_PER_ADDRESS = os.environ.get("JPS_SIGN_IN_FAILURES_PER_ADDRESS", "30/hour,100/day")
JPS_PASSWORD_RESETS_PER_ADDRESS = os.environ.get("JPS_PASSWORD_RESETS_PER_ADDRESS", "10/hour,30/day")
JPS_PASSWORD_RESETS_PER_EMAIL = os.environ.get("JPS_PASSWORD_RESETS_PER_EMAIL", "1/10minutes,5/day")
# Every public form that sends email (alert subscriptions; resident reports and messages to come).
JPS_PUBLIC_EMAILS_PER_ADDRESS = os.environ.get("JPS_PUBLIC_EMAILS_PER_ADDRESS", "5/hour,20/day")
JPS_PUBLIC_EMAILS_PER_RECIPIENT = os.environ.get("JPS_PUBLIC_EMAILS_PER_RECIPIENT", "1/10minutes,3/day")
# data.police.uk's locate-neighbourhood (/api/locate-neighbourhood), public: lookups per client address.
JPS_LOCATE_PER_ADDRESS = os.environ.get("JPS_LOCATE_PER_ADDRESS", "60/minute,2000/day")
# Open311 GeoReport v2 at /open311/v2/ (api.open311): calls per client address, requests posted per
# partner key, and the most service requests one GET answers (newest adopted first).
JPS_OPEN311_PER_ADDRESS = os.environ.get("JPS_OPEN311_PER_ADDRESS", "120/minute,5000/day")
JPS_OPEN311_POSTS_PER_KEY = os.environ.get("JPS_OPEN311_POSTS_PER_KEY", "60/hour,500/day")
JPS_OPEN311_PAGE_SIZE = envint("JPS_OPEN311_PAGE_SIZE", 200)

# Two-factor authentication (django-otp, TOTP): required for administrators and for everyone in
# an agency that requires it (User.two_factor_required). Wrong codes back off exponentially per
# device (1, 2, 4, 8... seconds times the factor); the admin never shows a device's secret.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "JPS")
OTP_TOTP_THROTTLE_FACTOR = envint("OTP_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = envint("OTP_THROTTLE_FACTOR", 1)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "publicsite" / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Static files as collected (`collectstatic`): fingerprinted names, gzip copies, and WhiteNoise serving them
# from STATIC_ROOT with a year's `immutable` caching. Always in production; the demo asks for it too
# (`make run` collects, then serves with STATIC_MANIFEST=1, DEBUG or not). Off, as in tests and plain
# development, the files are served as built, straight from the app folders.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", "0" if DEBUG else "1")


STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {
        "BACKEND": "jps.static_storage.CollectedStaticFilesStorage"  # WhiteNoise's, fingerprinted in DEBUG too
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if STATIC_MANIFEST:
    WHITENOISE_USE_FINDERS = False  # the collected files only, not the app folders
    WHITENOISE_AUTOREFRESH = False  # scanned once at start, not on every request as with DEBUG

# Uploaded files (residents' photos, staff attachments): the default storage (``jps.media_storage``),
# never served as static or public files; no MEDIA_URL is routed. Staff read them through JPS's views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Staff attachments (issue 20): the largest file, how many a problem may hold, an image's longest side.
JPS_ATTACHMENT_MAX_BYTES = envint("JPS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
JPS_ATTACHMENTS_PER_PROBLEM = envint("JPS_ATTACHMENTS_PER_PROBLEM", 50)
JPS_ATTACHMENT_IMAGE_MAX_SIDE = envint("JPS_ATTACHMENT_IMAGE_MAX_SIDE", 2400)

# Residents' reports (issue 20): per-address limit, photos, triage target, the questionnaire after closure.
#: Messages to neighbourhood teams (the contact form) one address may send.
JPS_TEAM_MESSAGES_PER_ADDRESS = os.environ.get("JPS_TEAM_MESSAGES_PER_ADDRESS", "5/hour,20/day")
JPS_RESIDENT_REPORTS_PER_ADDRESS = os.environ.get("JPS_RESIDENT_REPORTS_PER_ADDRESS", "5/hour,20/day")
JPS_RESIDENT_PHOTO_MAX_BYTES = envint("JPS_RESIDENT_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
JPS_RESIDENT_PHOTOS_MAX = envint("JPS_RESIDENT_PHOTOS_MAX", 3)
JPS_RESIDENT_TRIAGE_DAYS = envint("JPS_RESIDENT_TRIAGE_DAYS", 2)
JPS_RESIDENT_QUESTIONNAIRE_DAYS = envint("JPS_RESIDENT_QUESTIONNAIRE_DAYS", 28)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jps@localhost")
if os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "1")

# The static public site (issue 6): rendered into PUBLIC_SITE_DIR/versions/, served from PUBLIC_SITE_DIR/current.
PUBLIC_SITE_DIR = Path(os.environ.get("PUBLIC_SITE_DIR", BASE_DIR / "public_site"))
PUBLIC_SITE_URL = os.environ.get("PUBLIC_SITE_URL", f"{SITE_URL}/public/")

# The neighbourhood map's background tiles (Leaflet); their host is allowed in the CSP's img-src.
JPS_MAP_TILES_URL = os.environ.get("JPS_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# Personal data on closed problems is redacted this many days after closure.
JPS_RETENTION_DAYS = envint("JPS_RETENTION_DAYS", 6 * 365)

# The access log (every read of personal data) is kept this long, by default as long as the data
# it records reads of; on PostgreSQL a month leaves as a whole once its last day is this old
# (jps/access_partitions.py). Months are created this many months ahead by the scheduled job.
JPS_ACCESS_LOG_RETENTION_DAYS = envint("JPS_ACCESS_LOG_RETENTION_DAYS", JPS_RETENTION_DAYS)
JPS_ACCESS_LOG_MONTHS_AHEAD = envint("JPS_ACCESS_LOG_MONTHS_AHEAD", 3)

# One cache shared by every web and worker process (API throttles, CSP report limits, the cached
# dashboard figures) when CACHE_URL names a Redis database; without it each process keeps its own,
# which is right for the embedded demo and the tests.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "jps"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Redis is optional: without it the embedded demo runs Celery tasks eagerly.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Without Redis, an in-memory broker that eager tasks never use; named with a host, or kombu warns
# "No hostname was supplied" on every task queued.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker that loses Redis gives its late-acknowledged tasks back at once (they are redelivered and
# idempotent) rather than finishing work it can no longer acknowledge: Celery 6's default.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# One queue per kind of job (docs/deploy.md): the reminders and the digest's chunks on `reminders`,
# public-site exports and alert digests on `publishing`, the rest (emails, webhooks, retention, figures)
# on the default `celery`. A worker started without -Q takes all three; production runs a worker per
# queue, so a national export never holds up the morning's reminders.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("reminders"), Queue("publishing")]
CELERY_TASK_ROUTES = {"reminders.*": {"queue": "reminders"}, "jps.publishing.*": {"queue": "publishing"}}
# A task taken by a worker that died (late acknowledgement: never acknowledged) is given to another
# worker once this many seconds have passed since it was taken. It must exceed the longest task (the
# nightly full export) and the longest retry countdown (retry_backoff_max, 600 s in tasks/jobs.py),
# or a long task or a delayed retry would run twice. Redis's default, one hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# Reminder jobs (jps.reminders); the times they run are in the admin (django-celery-beat).
# Dashboard figures that took longer than this to compute are kept for a while (per scope, never
# shared between different scopes): a national figure is computed at most once per period.
JPS_FIGURE_CACHE_SECONDS = envint("JPS_FIGURE_CACHE_SECONDS", 600)
# At national scale a district's or a partner's figures take 20-45 ms each (15 of them on a dashboard),
# so 10 ms keeps those too, labelled "Figures as of HH:MM"; a figure quicker than that stays live.
JPS_FIGURE_CACHE_SLOWER_THAN_MS = envint("JPS_FIGURE_CACHE_SLOWER_THAN_MS", 10)
# "My work" keeps a supervisor's Pledge counts (complete months) this long; explanations are read afresh.
JPS_PLEDGE_CACHE_SECONDS = envint("JPS_PLEDGE_CACHE_SECONDS", 3600)
REMINDER_ESCALATION_GRACE_DAYS = envint("REMINDER_ESCALATION_GRACE_DAYS", 7)
REMINDER_ACTION_ESCALATION_GRACE_DAYS = envint("REMINDER_ACTION_ESCALATION_GRACE_DAYS", 14)
REMINDER_ACTION_DUE_SOON_DAYS = envint("REMINDER_ACTION_DUE_SOON_DAYS", 3)
REMINDER_PUBLIC_UPDATE_DAYS = envint("REMINDER_PUBLIC_UPDATE_DAYS", 30)
REMINDER_EVALUATION_AFTER_DAYS = envint("REMINDER_EVALUATION_AFTER_DAYS", 14)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Scoped throttles of the API (api/permissions.py): token requests per address, writes per user.
    # The address is jps.net.client_ip's; NUM_PROXIES makes DRF's own get_ident agree with it.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("API_THROTTLE_AUTH", "10/minute"),
        "writes": os.environ.get("API_THROTTLE_WRITES", "120/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "JPS — joint problem solving API",
    "DESCRIPTION": "Problems, actions, reviews and updates for neighbourhood policing partners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN needed
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "jps.models.Stage",
        "ActionStatusEnum": "jps.models.Action.Status",
        "UpdateStatusEnum": "jps.models.ProgressUpdate.Status",
        "MeetingStatusEnum": "jps.models.Meeting.Status",
        "PersonRoleEnum": "jps.models.PersonRole",
        "PlaceRoleEnum": "jps.models.PlaceRole",
        "RiskEnum": "jps.models.Risk",
        "ContactMethodEnum": "jps.models.Contact.Method",
        "ContactKindEnum": "jps.models.Contact.Kind",
        "PanelKindEnum": "jps.models.Panel.Kind",
        "CaseReviewChannelEnum": "jps.models.CaseReviewApplication.Channel",
        "CaseReviewStateEnum": "jps.models.CaseReviewState",  # beside TeamMessageStateEnum: two "state" fields
        "ResidentReportChannelEnum": "jps.models.ResidentReport.Channel",
        "TeamMessageStateEnum": "jps.models.TeamMessage.State",
        "TeamMessageCloseReasonEnum": "jps.models.TeamMessage.CloseReason",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "jps.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "jps.observability.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Production hardening; active whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    # The load balancer probes over plain HTTP, inside the network: it must see 200 or 503, not a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> list[str]:
    """The scheme and host of a tile URL template, for the CSP (``{s}`` subdomains become ``*``)."""
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}", "*")
    return [f"{parts.scheme}://{host}"] if parts.scheme in {"http", "https"} and host else []


# A strict Content Security Policy on every response (django-csp): scripts and styles only from
# our own files, so no inline script, event-handler attribute, <style> or style="" runs. Pages
# must keep to that (tests/jps/test_csp.py scans them); the public site carries the same policy.
#: GOV.UK Frontend's one line at the top of <body> (frontend/base.html) that marks the page as running its
#: JavaScript before the first paint, allowed by the hash GOV.UK Frontend publishes for it: inline, it costs no
#: request before the page is drawn, and a hash allows that exact text and nothing else (no 'unsafe-inline').
GOVUK_JS_ENABLED_SCRIPT = (
    "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? "
    "' govuk-frontend-supported' : '');"
)
GOVUK_JS_ENABLED_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", GOVUK_JS_ENABLED_HASH],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_origin(JPS_MAP_TILES_URL)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report/"],  # frontend/csp.py logs each on jps.security
    }
}
JPS_CSP_REPORTS_PER_MINUTE = envint("JPS_CSP_REPORTS_PER_MINUTE", 20)  # logged per address; the rest dropped
