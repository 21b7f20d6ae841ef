"""Sourcemark settings.

Every value is read from the environment with a default that makes a fresh
checkout work: `make run` needs no configuration (SQLite in the project
folder, DEBUG on, loopback only). Anything production needs has no default
and is required as soon as DEBUG is off. README.md lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "annotate",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (hashed, compressed) before any other work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # 413 for a body over the limits below, before anything reads it. After
    # the auth and message middleware only so its page can use base.html.
    "annotate.web.middleware.RequestBodyLimitMiddleware",
    "annotate.web.middleware.NulRefusalMiddleware",
    # 503 with Retry-After when a write gave up waiting for a lock.
    "annotate.web.middleware.DatabaseBusyMiddleware",
    # Records who made each change in the span history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into our page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotate.web.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"


# How many seconds a write on SQLite waits for another connection's write
# lock (another request's short transaction, or an import holding it for
# minutes) before giving up; the request then answers 503 with Retry-After
# (annotate/web/middleware.py) rather than keep a worker and a reviewer
# waiting. Writes take milliseconds, so a few seconds outlast any queue of
# them; anything longer is a long transaction that a retry will outwait.
SQLITE_BUSY_TIMEOUT = env_int("SQLITE_BUSY_TIMEOUT", 5)
if SQLITE_BUSY_TIMEOUT < 0:
    raise ImproperlyConfigured(f"SQLITE_BUSY_TIMEOUT={SQLITE_BUSY_TIMEOUT} must be 0 or more seconds")


def _database_from_url(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer writes; IMMEDIATE takes the
        # write lock when a transaction starts, so two writers queue on the
        # busy timeout instead of failing with "database is locked" when a
        # read transaction tries to upgrade.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT * 1000};PRAGMA foreign_keys=ON;"
            ),
        }
    return config


DATABASES = {
    "default": _database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes checks every sign-in first (annotate/web/login_throttle.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "annotate.web.login_throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "annotate.web.login_throttle.client_ip"
AXES_USERNAME_CALLABLE = "annotate.web.login_throttle.client_username"
# How many reverse proxies of ours append to X-Forwarded-For; the client's
# address is the entry the outermost one added.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Independent judgement: reviewers see only their own spans on an article
# until they submit it (annotate/permissions.py, visible_spans).
INDEPENDENT_REVIEW = env_bool("INDEPENDENT_REVIEW", True)

CSRF_FAILURE_VIEW = "annotate.web.http.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "article-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Production (DEBUG off) serves what `collectstatic` gathered, through
# whitenoise, under hashed names; the development server serves the source
# folders as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "config.storage.StaticStorage"
    },
}
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# Request bodies other than uploads are read into memory whole, up to this
# size; an upload (admin imports) may be UPLOAD_MAX_SIZE, and is held in
# memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, on disk beyond. Larger bodies are
# refused with 413 and a clear message (annotate/web/middleware.py) instead of
# exhausting a worker.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
UPLOAD_MAX_SIZE = env_int("UPLOAD_MAX_SIZE", 25 * 1024 * 1024)
# Zip files are checked before they are inflated (annotate/io/zip_limits.py):
# an XLSX import may unpack to at most this much, all its parts together
# (openpyxl holds a good part of it in memory); a project archive's tables
# are streamed, so each may be large, but not without bound.
XLSX_MAX_UNPACKED_BYTES = env_int("XLSX_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
ARCHIVE_MAX_MEMBER_BYTES = env_int("ARCHIVE_MAX_MEMBER_BYTES", 8 * 1024 * 1024 * 1024)

# django-import-export: every import runs in a transaction, so one bad row
# rolls back the whole file. Formula escaping is done by our own formats
# (annotate/io/spreadsheets.py), which are reversible; the library's strips "=".
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True

# Security: strict by default in production, relaxed only with DEBUG on.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer polls the health check over plain HTTP from inside the
# network; a redirect to HTTPS would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own
# files, so injected markup cannot run script or restyle the page. No page
# has inline <script>, event-handler attributes or style attributes; data
# reaches scripts through json_script, colours through /labels.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if env_bool("BEHIND_TLS_PROXY", False):
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# security.W021 asks for HSTS preload, which is a promise to browser vendors
# that a team must make on purpose (README: "Production configuration").
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [] if SECURE_HSTS_PRELOAD else ["security.W021"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}


# Reports cache each article's figures under a key made of everything they
# are computed from (annotate/read/reports.py), so an entry is never stale, only
# unused. The local-memory cache suits one process; with several app servers
# point CACHES at a shared cache (Redis, Memcached or the database cache).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sourcemark"},
    "reports": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sourcemark-reports",
        "OPTIONS": {"MAX_ENTRIES": env_int("REPORT_CACHE_ENTRIES", 100_000)},
    },
}
REPORT_CACHE = "reports"
REPORT_CACHE_SECONDS = env_int("REPORT_CACHE_SECONDS", 7 * 24 * 3600)

# ClaimReview exports (annotate/io/interop/claimreview.py): who publishes the
# verdicts, and the public address of this site for links back to a review.
CLAIMREVIEW_ORGANISATION = env_str("CLAIMREVIEW_ORGANISATION", "Sourcemark review desk")
CLAIMREVIEW_ORGANISATION_URL = env_str("CLAIMREVIEW_ORGANISATION_URL", "")
SOURCEMARK_SITE_URL = env_str("SOURCEMARK_SITE_URL", "")

# REST API (/api/, annotate/api/). Scripts authenticate with a token
# ("Authorization: Token …", from POST /api/auth/token/ or `manage.py
# drf_create_token`); the browser's session works too, with its CSRF token.
# JSON only: the schema and the Swagger UI at /api/docs/ document it.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotate.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The pages' JSON reader: the same limit, refusals and error shape.
    "DEFAULT_PARSER_CLASSES": ["annotate.api.parsers.JsonParser"],
    "DEFAULT_FILTER_BACKENDS": ["annotate.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "annotate.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotate.api.errors.exception_handler",
    # ?format= chooses an export's format, not a renderer.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# How long an API token works, counted from when it was made; then it is
# refused with a 401 saying so, and POST /api/auth/token/ hands out a new one.
# A month by default: a token copied into a script, a notebook or a CI secret
# outlives the reason it was made, and a leaked one should not work for ever,
# while a script that signs in on each run (README, "REST API") never notices.
# 0 means tokens never expire. A token also goes when its user's password
# changes or the user is deactivated (annotate/actions/tokens.py).
_token_days = env_int("API_TOKEN_MAX_AGE_DAYS", 30)
if _token_days < 0:
    raise ImproperlyConfigured(f"API_TOKEN_MAX_AGE_DAYS={_token_days} must be 0 (never expire) or more days")
API_TOKEN_MAX_AGE = timedelta(days=_token_days) if _token_days else None

SPECTACULAR_SETTINGS = {
    "TITLE": "Sourcemark API",
    "DESCRIPTION": (
        "Articles, labels, annotations, assignments, agreement, reports and exports, under the same "
        "rules as the pages. Offsets are code points of the article's stored text; the browser's "
        "UTF-16 offsets are accepted as start16/end16."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "annotate.api.schema.document_errors",
    ],
}


# Background tasks (django-tasks): URL fetches queued by the New article
# page and the API run in `manage.py db_worker` processes, which take them
# from this database (django-tasks-db), so SQLite and PostgreSQL need no
# other service and more workers on more machines share one queue (README,
# "The worker"). Tests run tasks in-process with the ImmediateBackend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# An annotation file larger than this (bytes) is imported by a background
# worker, not within its request (about 30,000 spans of CSV; a request's
# import of that many takes a few seconds, well inside gunicorn's timeout).
ANNOTATION_IMPORT_BACKGROUND_BYTES = env_int("ANNOTATION_IMPORT_BACKGROUND_BYTES", 2_000_000)

# Fetching articles from URLs (annotate/io/fetching.py). The addresses a
# URL may lead to are checked (no private, loopback, link-local, multicast,
# reserved or cloud metadata addresses) unless ARTICLE_FETCH_ALLOW_PRIVATE
# is on, which the tests do to serve pages from 127.0.0.1; never in
# production. ARTICLE_FETCH_PRIVATE_HOSTS names hosts that may be fetched
# although they resolve to private addresses (an intranet CMS); every other
# host, redirect targets included, is still checked.
ARTICLE_FETCH_ALLOW_PRIVATE = env_bool("ARTICLE_FETCH_ALLOW_PRIVATE", False)
ARTICLE_FETCH_PRIVATE_HOSTS = env_list("ARTICLE_FETCH_PRIVATE_HOSTS", [])
ARTICLE_FETCH_CONNECT_TIMEOUT = env_int("ARTICLE_FETCH_CONNECT_TIMEOUT", 10)
# The whole fetch, redirects and body included, in seconds.
ARTICLE_FETCH_TIMEOUT = env_int("ARTICLE_FETCH_TIMEOUT", 30)
# The most a page may be, in bytes once decompressed; read as a stream and
# refused as soon as it passes this. News pages are well under 5 MB.
ARTICLE_FETCH_MAX_BYTES = env_int("ARTICLE_FETCH_MAX_BYTES", 20 * 1024 * 1024)
ARTICLE_FETCH_MAX_REDIRECTS = env_int("ARTICLE_FETCH_MAX_REDIRECTS", 5)
# Sites see who is fetching; name this site's address in it when it has one.
ARTICLE_FETCH_USER_AGENT = env_str(
    "ARTICLE_FETCH_USER_AGENT",
    "Sourcemark/1 (source-reliability review; article fetcher"
    + (f"; +{SOURCEMARK_SITE_URL}" if SOURCEMARK_SITE_URL else "")
    + ")",
)
# The certificate authorities https pages are checked against: certifi's
# bundle when empty; a file of PEM certificates for a private CA.
ARTICLE_FETCH_CA_BUNDLE = env_str("ARTICLE_FETCH_CA_BUNDLE", "")
for _name in ("ARTICLE_FETCH_CONNECT_TIMEOUT", "ARTICLE_FETCH_TIMEOUT", "ARTICLE_FETCH_MAX_BYTES"):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name}={globals()[_name]} must be more than 0")
if ARTICLE_FETCH_MAX_REDIRECTS < 0:
    raise ImproperlyConfigured(f"ARTICLE_FETCH_MAX_REDIRECTS={ARTICLE_FETCH_MAX_REDIRECTS} must be 0 or more")

# Following outlets' feeds (annotate/io/feeds.py, manage.py poll_feeds). A
# feed is fetched as an article is, under the limits above. An item whose
# article cannot be imported is tried again on the next polls, this many
# times in all, then given up; one poll fetches at most FEED_POLL_MAX_ENTRIES
# items' pages, and the rest wait for the next poll, so a first poll of a
# long feed cannot run for an hour.
FEED_ENTRY_ATTEMPTS = env_int("FEED_ENTRY_ATTEMPTS", 3)
FEED_POLL_MAX_ENTRIES = env_int("FEED_POLL_MAX_ENTRIES", 30)
for _name in ("FEED_ENTRY_ATTEMPTS", "FEED_POLL_MAX_ENTRIES"):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name}={globals()[_name]} must be more than 0")
