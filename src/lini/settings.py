"""Lini's settings: one module, configured by environment variables (see `.env.example`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lini.conf import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent

# Where Lini keeps its data on this machine: the SQLite database, uploads, exports, the demo key.
LINI_HOME = Path(env_str("LINI_HOME", "var")).resolve()

DEBUG = env_bool("LINI_DEBUG", default=False)


def _secret_key() -> str:
    key = env_str("LINI_SECRET_KEY")
    if key:
        return key
    if DEBUG:
        return "django-insecure-lini-development-only-never-use-in-production"
    raise ImproperlyConfigured(
        "LINI_SECRET_KEY is not set. Set it (or LINI_SECRET_KEY_FILE) to a long random value, "
        "or set LINI_DEBUG=1 on a development machine. `lini demo` creates one for itself."
    )


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("LINI_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("LINI_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "lini.core",
    "lini.regions",
    "lini.accounts",
    "lini.exchange",
    "lini.register",
    "lini.audit",
    "lini.workforce",
    "lini.kampung",
    "lini.poktan",
    "lini.kb",
    "lini.monthly",
    "lini.indicators",
    "lini.campaigns",
    "lini.api",
    "lini.odk",
    "lini.dhis2",
    "lini.visits",
    "lini.reminders",
    "lini.web",
    "lini.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lini.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lini.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lini.audit.context.AuditContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages (they tell why a session ended); before the views run.
    "lini.accounts.middleware.SessionExpiryMiddleware",
    "lini.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a login that reached the failure limit into the "locked" page; last, as axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lini.urls"
WSGI_APPLICATION = "lini.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lini.web.context_processors.lini",
            ],
        },
    },
]

# Database: SQLite in LINI_HOME by default, PostgreSQL (or another) through LINI_DATABASE_URL.
DEFAULT_DATABASE_URL = f"sqlite:///{LINI_HOME / 'lini.sqlite3'}"
DATABASE_URL = env_str("LINI_DATABASE_URL", DEFAULT_DATABASE_URL)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("LINI_DB_CONN_MAX_AGE", default=60, minimum=0),
            conn_health_checks=True,
        )
    }
except ValueError as exc:  # dj_database_url's errors for unknown schemes and bad URLs
    raise ImproperlyConfigured(
        f"LINI_DATABASE_URL is not a database URL ({exc}); e.g. postgres://user:pw@host:5432/db"
    ) from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while an import writes; IMMEDIATE avoids upgrade deadlocks; a
        # 64 MB page cache (SQLite's default is 2 MB) keeps index updates of bulk writes in memory.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after LINI_LOGIN_FAILURES failed logins for one username, each
# within LINI_LOCKOUT_MINUTES of the one before, logging in with that username (from any address,
# whether it exists or not) is refused for LINI_LOCKOUT_MINUTES. A successful login, or an
# administrator's "unlock", clears the count. Attempts while locked neither count nor extend it.
AUTHENTICATION_BACKENDS = [
    "lini.accounts.backends.LockoutBackend",  # axes' check, first
    "django.contrib.auth.backends.ModelBackend",
]
LINI_LOGIN_FAILURES = env_int("LINI_LOGIN_FAILURES", default=5, minimum=1)
LINI_LOCKOUT_MINUTES = env_int("LINI_LOCKOUT_MINUTES", default=15, minimum=1)
AXES_FAILURE_LIMIT = LINI_LOGIN_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(minutes=LINI_LOCKOUT_MINUTES)
# Per username, and per address + username (the second never locks before the first; it is
# listed so that a lock can also be looked up per address, and axes' check W006 is met).
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "lini.accounts.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # logins and failures are in Lini's own audit trail
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]

# Two-factor login with a time-based code (TOTP, django-otp). Any user may turn it on; with
# LINI_REQUIRE_2FA officers and national administrators must, before any other page opens.
LINI_REQUIRE_2FA = env_bool("LINI_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "Lini"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds; doubled after each wrong code (1, 2, 4, 8 ...)

# Sessions end LINI_SESSION_AGE seconds after logging in, after LINI_SESSION_IDLE_MINUTES without
# a request, or when the browser is closed, whichever comes first.
SESSION_COOKIE_AGE = env_int("LINI_SESSION_AGE", default=8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LINI_SESSION_IDLE_MINUTES = env_int("LINI_SESSION_IDLE_MINUTES", default=60, minimum=1)

# Internationalisation: Bahasa Indonesia by default, English on request.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("LINI_TIME_ZONE", "Asia/Jakarta")
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = LINI_HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the package, so `lini demo` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = LINI_HOME / "media"

# Transport security. LINI_HTTPS is on in production (the default when LINI_DEBUG is off);
# `lini demo` turns it off because it serves plain HTTP on the loopback address.
HTTPS = env_bool("LINI_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("LINI_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("LINI_HSTS_SECONDS", default=31536000 if HTTPS else 0, minimum=0)
# HSTS for sub-domains and browser preload lists are hard to undo (a whole *.go.id domain may not
# be all HTTPS): off unless asked for. `check --deploy` would warn about exactly this choice, so
# those two warnings are silenced while the choice stands, and only then.
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env_bool("LINI_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = HTTPS and env_bool("LINI_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
if env_bool("LINI_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Sent on every response by lini.web.middleware.SecurityHeadersMiddleware. No inline scripts or
# styles anywhere: behaviour lives in static/lini/*.js, looks in static/lini/*.css. blob: images
# are the dashboard's own SVG charts drawn into a PNG by static/lini/charts.js.
LINI_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The camera for the photo upload's file input; every other powerful feature off.
LINI_PERMISSIONS_POLICY = (
    "camera=(self), geolocation=(), microphone=(), payment=(), usb=(), display-capture=()"
)

# The REST API (/api/v1/, lini.api): keys of API tokens or the session (with its CSRF check),
# JSON only, pages of 50 rows (?page_size= up to 500), the filters of each app's filters.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lini.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "lini.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "lini.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "lini.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lini API",
    "DESCRIPTION": "Read and change Lini's data with the rights of the token's user (docs/api.md).",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names the key; the session (the docs page, logged in) works without being named.
    "AUTHENTICATION_WHITELIST": ["lini.api.authentication.ApiTokenAuthentication"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lini.api.schema.empty_query_values",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "KBStatusEnum": "lini.register.choices.KBStatus",
        "MethodEnum": "lini.register.choices.Method",
        "NotUsingReasonEnum": "lini.register.choices.NotUsingReason",
        "VisitTypeEnum": "lini.kb.choices.VisitType",
    },
    # The docs page's Swagger UI from our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Background tasks (Django's tasks API through the django-tasks backport).
TASKS = {
    "default": {
        "BACKEND": env_str("LINI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Uploads (imports): the largest file accepted, in MB. The web server's own limit must allow it.
LINI_UPLOAD_MAX_MB = env_int("LINI_UPLOAD_MAX_MB", default=200, minimum=1)
# A running import or export whose worker showed no sign of life for this many minutes is marked
# failed (its worker was killed or its machine restarted); the job's worker beats every 15 s.
LINI_JOB_STALE_MINUTES = env_int("LINI_JOB_STALE_MINUTES", default=5, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads go to a temporary file

# The register: a couple is a PUS while the wife's age lies within these limits (DOMAIN.md §5:
# Renstra 15-49; PK21 asks Blok II of married women 10-49).
LINI_PUS_MIN_AGE = env_int("LINI_PUS_MIN_AGE", default=15, minimum=0)
LINI_PUS_MAX_AGE = env_int("LINI_PUS_MAX_AGE", default=49, minimum=1)

# The date Lini treats as today, for a demo or a training copy frozen on one day (YYYY-MM-DD);
# empty: the real date. `lini demo` sets 2019-11-01 (its register is dated 31 October 2019).
_today = env_str("LINI_TODAY")
try:
    LINI_TODAY = dt.date.fromisoformat(_today) if _today else None
except ValueError as exc:
    raise ImproperlyConfigured(f"LINI_TODAY must be a date as YYYY-MM-DD, not {_today!r}") from exc

# Indicators: the first month that carries counts (YYYY-MM); counts run to a year after today.
_counts_from = env_str("LINI_COUNTS_FROM", "2018-01")
try:
    LINI_COUNTS_FROM = dt.date.fromisoformat(_counts_from + "-01")
except ValueError as exc:
    raise ImproperlyConfigured(
        f"LINI_COUNTS_FROM must be a month as YYYY-MM, not {_counts_from!r}"
    ) from exc

# Ranking "where is it behind": weights of the composite gap, as JSON over
# lini.indicators.ranking.WEIGHTS (e.g. {"mcpr": 2, "no_counsellor": 0}); empty: the defaults.
LINI_RANK_WEIGHTS = env_str("LINI_RANK_WEIGHTS", "{}")

# Rewrite the counts of a village in the same transaction as every change (always, but for most
# tests, which turn it off for speed).
LINI_COUNTS_LIVE = True

# Field work: a poktan group counts as active when it met within this many months.
LINI_POKTAN_ACTIVE_MONTHS = env_int("LINI_POKTAN_ACTIVE_MONTHS", default=3, minimum=1)

# Due lists: after a visit where nobody was at home, the family is due again this many days later.
LINI_DUE_NOT_HOME_DAYS = env_int("LINI_DUE_NOT_HOME_DAYS", default=3, minimum=1)
# A due list covers at most this many villages (a wider scope picks a district or a village).
LINI_DUE_MAX_VILLAGES = env_int("LINI_DUE_MAX_VILLAGES", default=40, minimum=1)

# Campaigns: the largest photo a team may attach to a day of a lokus, in MB.
LINI_PHOTO_MAX_MB = env_int("LINI_PHOTO_MAX_MB", default=8, minimum=1)
LINI_PHOTO_MAX_BYTES = LINI_PHOTO_MAX_MB * 1_000_000

# Backups on PostgreSQL: the folder of the client programs (pg_dump, pg_restore, psql) that
# `lini backup` and `lini restore` run; empty: those of the server's version when installed
# (/usr/lib/postgresql/N/bin), else the ones on the PATH.
LINI_PG_BIN = env_str("LINI_PG_BIN")

# Privacy: counts of families or couples from 1 to LINI_SMALL_CELL_THRESHOLD - 1 are shown as
# "<5" (and the figures that would reveal them withheld) in village-level figures that leave the
# people who may see identities: every downloaded file, and pages for users without that right
# (lini.core.privacy). 0 turns the rule off.
LINI_SMALL_CELL_THRESHOLD = env_int("LINI_SMALL_CELL_THRESHOLD", default=5, minimum=0)
# Privacy: how data subjects reach the data protection officer (an e-mail address, a phone
# number, an office), shown on the public privacy page /privasi/; empty: not shown.
LINI_DPO_CONTACT = env_str("LINI_DPO_CONTACT")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "LINI_LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
        ),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # axes logs every login at INFO; the audit trail has them. Failures stay (WARNING).
        "axes": {"level": "WARNING"},
    },
}

# Reminders (lini.reminders): an outbox of SMS or WhatsApp messages to field workers (their week's
# due list, as counts) and to clients who consented (a revisit date), queued and sent by
# `lini reminders queue` / `lini reminders send` through a pluggable gateway (docs/reminders.md).
# Off by default: nothing is queued or sent until LINI_REMINDERS=1.
LINI_REMINDERS = env_bool("LINI_REMINDERS", default=False)
# The gateway: the dotted path of a class with send(message) -> provider's message id.
LINI_REMINDER_GATEWAY = env_str("LINI_REMINDER_GATEWAY", "lini.reminders.gateways.WebhookGateway")
# The webhook gateway: messages are POSTed as JSON to this URL (https:// in production), with
# "Authorization: Bearer <token>" when a token is set (or LINI_REMINDER_WEBHOOK_TOKEN_FILE).
LINI_REMINDER_WEBHOOK_URL = env_str("LINI_REMINDER_WEBHOOK_URL")
LINI_REMINDER_WEBHOOK_TOKEN = env_str("LINI_REMINDER_WEBHOOK_TOKEN")
# Seconds to wait for the webhook's answer before counting the attempt as failed.
LINI_REMINDER_WEBHOOK_TIMEOUT = env_int("LINI_REMINDER_WEBHOOK_TIMEOUT", default=10, minimum=1)
# A message is tried at most this many times (once per `lini reminders send` run), then failed.
LINI_REMINDER_MAX_ATTEMPTS = env_int("LINI_REMINDER_MAX_ATTEMPTS", default=3, minimum=1)
# A client's message is sent from this many days before the revisit date.
LINI_REMINDER_DAYS_BEFORE = env_int("LINI_REMINDER_DAYS_BEFORE", default=2, minimum=0)
# The language of the messages (id or en), and the channel of the field workers' messages.
LINI_REMINDER_LANGUAGE = env_str("LINI_REMINDER_LANGUAGE", "id")
if LINI_REMINDER_LANGUAGE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(
        f"LINI_REMINDER_LANGUAGE={LINI_REMINDER_LANGUAGE!r} is not one of id, en."
    )
LINI_REMINDER_WORKER_CHANNEL = env_str("LINI_REMINDER_WORKER_CHANNEL", "sms")
if LINI_REMINDER_WORKER_CHANNEL not in ("sms", "whatsapp"):
    raise ImproperlyConfigured(
        f"LINI_REMINDER_WORKER_CHANNEL={LINI_REMINDER_WORKER_CHANNEL!r} is not sms or whatsapp."
    )
