"""Django settings, all from the environment (see README's configuration table)."""

import os
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shipdesk import config

HOME = config.home()
SECRET_KEY = config.secret_key()
ENCRYPTION_KEY = config.encryption_key()
DEBUG = os.environ.get("SHIPDESK_DEBUG", "") == "1"
# The address people reach shipdesk at: links in emails are built from it, never from a
# request's Host header, which anyone can set.
SHIPDESK_BASE_URL = os.environ.get("SHIPDESK_BASE_URL", "").strip() or "http://127.0.0.1:8000"
_base = urlsplit(SHIPDESK_BASE_URL)
try:
    _base_ok = (
        _base.scheme in ("http", "https")
        and bool(_base.hostname)
        and "@" not in _base.netloc
        and _base.port != 0  # reading .port raises ValueError unless it is 0 to 65535
    )
except ValueError:
    _base_ok = False
if not _base_ok or _base.path not in ("", "/") or _base.query or _base.fragment:
    raise ImproperlyConfigured(
        "SHIPDESK_BASE_URL must be a scheme and host, like https://ship.example.com, "
        f"not {SHIPDESK_BASE_URL!r}"
    )
SHIPDESK_BASE_URL = f"{_base.scheme}://{_base.netloc}"
# Requests for other host names are refused (400): this machine's, the base URL's, and any
# added in SHIPDESK_ALLOWED_HOSTS.
_base_host = f"[{_base.hostname}]" if ":" in _base.hostname else _base.hostname
_more_hosts = [h.strip() for h in os.environ.get("SHIPDESK_ALLOWED_HOSTS", "").split(",")]
ALLOWED_HOSTS = list(
    dict.fromkeys(h for h in ["localhost", "127.0.0.1", "[::1]", _base_host, *_more_hosts] if h)
)
CSRF_TRUSTED_ORIGINS = [
    SHIPDESK_BASE_URL,
    *(o for o in os.environ.get("SHIPDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o),
]
# Behind HTTPS, cookies travel only over HTTPS and browsers are told to stay on it (HSTS).
# TLS usually ends at a proxy: uvicorn takes the scheme from the X-Forwarded-Proto of the
# proxies it trusts (FORWARDED_ALLOW_IPS), so SECURE_PROXY_SSL_HEADER is not needed (and set,
# it would trust that header from anyone who can reach shipdesk directly).
_https = _base.scheme == "https"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = _https
SECURE_HSTS_SECONDS = int(os.environ.get("SHIPDESK_HSTS_SECONDS", "31536000")) if _https else 0

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "ninja",
    "shipdesk.core",
    "shipdesk.stores",
    "shipdesk.orders",
    "shipdesk.shipping",
    "shipdesk.sync",
    "shipdesk.outbox",
    "shipdesk.documents",
    "shipdesk.notifications",
    "shipdesk.api",
    "shipdesk.web",
    "shipdesk.carriers",
    "shipdesk.rules",
    "shipdesk.batches",
    "shipdesk.customers",
    "shipdesk.invoices",
    "shipdesk.run",
    "shipdesk.sandbox",
]

MIDDLEWARE = [
    "shipdesk.core.middleware.freeze_after_first_request",
    "django.middleware.security.SecurityMiddleware",
    "shipdesk.core.middleware.content_security_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "shipdesk.core.middleware.api_in_english",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shipdesk.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = "shipdesk.wsgi.application"
ASGI_APPLICATION = "shipdesk.asgi.application"

DATABASES = {"default": dj_database_url.parse(config.database_url(), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL + IMMEDIATE: the web server and the worker write concurrently without
    # "database is locked" on lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that worker processes started by tests share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(HOME / "test-shipdesk.sqlite3")}
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        config.private_file(Path(DATABASES["default"]["NAME"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = config.redis_url()
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "shipdesk",
        "url": REDIS_URL,
        "immediate": False,
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "shipdesk",
        "filename": str(config.private_file(HOME / "huey.sqlite3")),
        "immediate": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
HUEY["consumer"] = {
    "workers": int(os.environ.get("SHIPDESK_WORKER_THREADS", "4")),
    "worker_type": "thread",
    "max_delay": 1.0,  # idle SQLite-queue workers poll at least every second
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every sign-in (web, admin) goes through the failed sign-in lockout.
AUTHENTICATION_BACKENDS = ["shipdesk.web.backends.LockoutBackend"]
LOGIN_URL = "/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = os.environ.get("SHIPDESK_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps: no collectstatic step for `make demo`.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
MEDIA_URL = "media/"
MEDIA_ROOT = HOME / "media"

# Back Market asks integrations to identify themselves: BM-<company>-<integration>;<email>.
# The placeholder names nobody: connecting a real Back Market store with it warns.
BACKMARKET_PLACEHOLDER_USER_AGENT = "BM-shipdesk-shipdesk;contact@example.com"
BACKMARKET_USER_AGENT = os.environ.get("SHIPDESK_BM_USER_AGENT", BACKMARKET_PLACEHOLDER_USER_AGENT)
# ShipStation API v1 calls per minute per API key (ShipStation's own limit is 40).
SHIPDESK_API_RATE_LIMIT = int(os.environ.get("SHIPDESK_API_RATE_LIMIT", "40"))
# The time zone of the ShipStation API's dates: ShipStation's own (US Pacific, no offset in the
# strings) by default, so integrations written for it read and filter the same hours.
SHIPDESK_SSAPI_TIME_ZONE = os.environ.get("SHIPDESK_SSAPI_TIME_ZONE", "America/Los_Angeles")
try:
    zoneinfo.ZoneInfo(SHIPDESK_SSAPI_TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    raise ImproperlyConfigured(
        "SHIPDESK_SSAPI_TIME_ZONE must be a time zone name such as America/Los_Angeles or UTC"
    ) from None
# Requests per 10 s per Back Market account; the documented edge limit is ~200.
BACKMARKET_RATE_LIMIT = int(os.environ.get("SHIPDESK_BM_RATE_LIMIT", "150"))
# How long a worker holds a store's import, or a notification being sent, before another
# worker may take it over: a killed worker's work waits that long.
IMPORT_LEASE_S = float(os.environ.get("SHIPDESK_IMPORT_LEASE_S", "600"))
OUTBOX_LEASE_S = float(os.environ.get("SHIPDESK_OUTBOX_LEASE_S", "300"))


def _bounded(name: str, default: float, low: float, high: float) -> float:
    """A number from the environment; a bad one stops the start with its name and range."""
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails too
        raise ImproperlyConfigured(f"{name} must be a number from {low} to {high}")
    return value


# Webhooks go to public addresses only, unless this allows the local network (the demo, tests).
SHIPDESK_WEBHOOKS_ALLOW_PRIVATE = os.environ.get("SHIPDESK_WEBHOOKS_ALLOW_PRIVATE", "") == "1"
# Seconds one webhook POST may take in all: resolving, connecting, sending, reading the answer.
SHIPDESK_WEBHOOKS_DEADLINE_S = _bounded("SHIPDESK_WEBHOOKS_DEADLINE_S", 10, 1, 60)
# The largest ShipStation API request body; Django's own limit on any body (2.5 MB,
# DATA_UPLOAD_MAX_MEMORY_SIZE) applies before it, hence the maximum.
SHIPDESK_API_MAX_BODY_BYTES = int(
    _bounded("SHIPDESK_API_MAX_BODY_BYTES", 1024 * 1024, 1024, 2_621_440)
)

# Label requests a batch has in flight at once per carrier account.
SHIPDESK_BATCH_CONCURRENCY = int(_bounded("SHIPDESK_BATCH_CONCURRENCY", 8, 1, 32))

# Labels printed straight to this CUPS queue or ipp:// URI (documents/printing.py); unset:
# the browser prints.
SHIPDESK_PRINTER = os.environ.get("SHIPDESK_PRINTER", "").strip()

# Email: SMTP from SHIPDESK_EMAIL_URL; without it, emails are kept in the local outbox page.
_email = config.email_settings()
SHIPDESK_EMAIL_CONFIGURED = bool(_email)
EMAIL_BACKEND = "shipdesk.notifications.backend.LocalOutboxBackend"
DEFAULT_FROM_EMAIL = "shipdesk@localhost"
globals().update(_email)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"debug_off": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Django prints its own errors only with DEBUG; this prints them the rest of the time.
        "django_errors": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": "ERROR",
            "filters": ["debug_off"],
        },
    },
    "loggers": {
        "shipdesk": {
            "handlers": ["console"],
            "level": os.environ.get("SHIPDESK_LOG_LEVEL", "INFO"),
        },
        # A page's 500 with its traceback; a refused Host header.
        "django.request": {"handlers": ["django_errors"]},
        "django.security": {"handlers": ["django_errors"]},
    },
}
