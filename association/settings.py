"""Probity settings, read from the environment.

PROBITY_ENV=production switches to production mode: DEBUG off, a real SECRET_KEY
required, HTTPS-only cookies and HSTS, so `manage.py check --deploy` is clean.
DATABASE_URL selects PostgreSQL (or any database dj-database-url knows);
without it Probity runs on a SQLite file in WAL mode under var/.
"""

import datetime
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PROBITY_VAR_DIR", BASE_DIR / "var"))

PRODUCTION = os.environ.get("PROBITY_ENV", "development") == "production"
# Debug pages (tracebacks, the list of every URL on a 404) only when asked for with
# DJANGO_DEBUG=1, and never in production (docs/decisions/0014).
DEBUG = not PRODUCTION and os.environ.get("DJANGO_DEBUG", "0") == "1"

_DEV_SECRET_KEY = "dev-only-insecure-key-probity-never-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY or "insecure" in SECRET_KEY:
        raise ImproperlyConfigured(
            "Production mode needs SECRET_KEY: a random value of at least 50 characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
elif not SECRET_KEY:
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "django_fsm",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Accounts (docs/decisions/0009, 0010): two-factor sign-in, lockout.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "two_factor",
    "axes",
    "association",
    "members",
    "cases",
]

MIDDLEWARE = [
    # First, so every log line of the request carries its id (association/logging.py).
    "association.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Headers (docs/decisions/0013): Content-Security-Policy, Permissions-Policy.
    "csp.middleware.CSPMiddleware",
    "association.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's chosen language (kept in the session) over the browser's.
    "association.middleware.SessionLanguageMiddleware",
    # Before anything reads the body (CSRF reads the form): a request larger than the
    # caller's cap is refused unread (docs/decisions/0014).
    "association.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Accounts (docs/decisions/0009, 0010): which second factor this session used,
    # staff/board/panel sent to set one up, their shorter sessions, then the lockout.
    "members.accounts.SessionDeviceMiddleware",
    "members.accounts.PrivilegedSessionMiddleware",
    "members.accounts.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "association.urls"
WSGI_APPLICATION = "association.wsgi.application"

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
                "members.context_processors.navigation",
            ],
        },
    },
]


def _sqlite(name: str) -> dict:
    """The embedded database, however it is named (SQLITE_PATH or a sqlite:// DATABASE_URL):
    always with the options that make it safe under several workers (docs/decisions/0004,
    0014)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # Kept between requests, as PostgreSQL's are (conn_max_age below): opening one
        # (reading the schema, Django's functions, the pragmas) cost a portal request
        # ~9 ms of its ~25 (issue 15; docs/decisions/0036).
        "CONN_MAX_AGE": 60,
        "OPTIONS": {
            # WAL lets readers run while one writer writes; IMMEDIATE takes the
            # write lock at BEGIN so two transitions queue instead of deadlocking.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    _parsed = dj_database_url.parse(DATABASE_URL, conn_max_age=60)
    if _parsed["ENGINE"] == "django.db.backends.sqlite3":
        if _parsed["NAME"] in ("", ":memory:"):
            raise ImproperlyConfigured(
                f"DATABASE_URL={DATABASE_URL!r} names no SQLite file. Point it at the file, "
                "e.g. DATABASE_URL=sqlite:////srv/probity/var/probity.sqlite3 (four slashes "
                "for an absolute path), or leave DATABASE_URL unset and set SQLITE_PATH."
            )
        DATABASES = {"default": _sqlite(_parsed["NAME"])}
    else:
        # Server-side prepared statements for the queries that ask for them, the
        # PreparedTogether queries the portal runs on every request (association.prefetch):
        # planning them cost more than running them. Django's own cursors bind on the
        # client and never prepare, whatever this says; psycopg's default threshold. Set
        # PROBITY_PG_PREPARE=0 behind a pooler that cannot keep them (pgbouncer in
        # transaction mode).
        if os.environ.get("PROBITY_PG_PREPARE", "1") != "0":
            _parsed.setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
        DATABASES = {"default": _parsed}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": _sqlite(os.environ.get("SQLITE_PATH", str(VAR_DIR / "probity.sqlite3")))
    }
# Two database roles on PostgreSQL (docs/decisions/0012): the application connects
# as DATABASE_URL's role, which does not own the tables (it may read and write rows,
# not ALTER, DISABLE TRIGGER or TRUNCATE); DATABASE_OWNER_URL is the role that owns
# them, used only by `manage.py migrate` (which then grants the application's role
# what it needs).
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
DATABASE_OWNER = dj_database_url.parse(DATABASE_OWNER_URL) if DATABASE_OWNER_URL else None
if DATABASE_OWNER is not None and not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_OWNER_URL needs DATABASE_URL (the application's role).")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},  # Django's own
    # Rendered rows, in each worker's memory, under a digest of the rows read on that
    # request (association/templatetags/fragments.py): never stale, so not shared.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "probity-fragments",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, loading the session's user with their roles and devices (0029).
    "members.accounts.SignInBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Per-case permissions live in tables with a real foreign key to the case
# (cases.models.CaseUserObjectPermission); see docs/decisions/0002.
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A form without a valid CSRF token gets the site's 403 page (association/errors.py).
CSRF_FAILURE_VIEW = "association.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Accounts: second factor, lockout, sessions (docs/decisions/0009, 0010) ---------
# Ethics staff, board and appeals panel (and admin users) must sign in with a second
# factor (TOTP, with backup codes); representatives may, and must when this is on.
PROBITY_REQUIRE_2FA_FOR_REPRESENTATIVES = (
    os.environ.get("PROBITY_REQUIRE_2FA_FOR_REPRESENTATIVES", "0") == "1"
)
TWO_FACTOR_PATCH_ADMIN = True  # the admin signs in through the same two-step login
TWO_FACTOR_LOGIN_TIMEOUT = 600  # seconds between the password and the code
TWO_FACTOR_REMEMBER_COOKIE_AGE = None  # no "remember this browser": the code every time
OTP_TOTP_ISSUER = os.environ.get("PROBITY_TOTP_ISSUER", "Probity")
# Lockout (django-axes): after this many failed sign-ins for one username, or from one
# address, further attempts are refused until the window has passed since the last.
PROBITY_LOGIN_FAILURE_LIMIT = int(os.environ.get("PROBITY_LOGIN_FAILURE_LIMIT", 5))
PROBITY_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("PROBITY_LOGIN_LOCKOUT_MINUTES", 15))
AXES_FAILURE_LIMIT = PROBITY_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=PROBITY_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the wait shown is the wait
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "members.accounts.locked_out"  # the page, with the time to wait
AXES_VERBOSE = False  # Probity logs lockouts itself (logger "probity.accounts")
# Password reset and set-password forms: at most this many posts per address (and,
# for the reset form, per e-mail address) in the lockout window.
PROBITY_RESET_LIMIT = int(os.environ.get("PROBITY_RESET_LIMIT", 5))
# Staff, board and panel sessions end after this long idle, and this long after sign-in;
# representatives keep the ordinary session (SESSION_COOKIE_AGE, two weeks).
PROBITY_PRIVILEGED_IDLE_MINUTES = int(os.environ.get("PROBITY_PRIVILEGED_IDLE_MINUTES", 30))
PROBITY_PRIVILEGED_SESSION_HOURS = int(os.environ.get("PROBITY_PRIVILEGED_SESSION_HOURS", 12))
# Referral, closing a ballot and the appeal decision ask for the password again when
# the last sign-in (or confirmation) is older than this.
PROBITY_REAUTH_MINUTES = int(os.environ.get("PROBITY_REAUTH_MINUTES", 15))
# --- end of accounts -------------------------------------------------------------

# Languages (issue 13): English, and French with its catalogue in locale/. A signed-in
# person's choice (their account page) is carried in the session; otherwise the
# browser's Accept-Language decides (django.middleware.locale.LocaleMiddleware).
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One style of dates per language (association/formats/): templates and code use the
# named formats (DATE_FORMAT, SHORT_DATE_FORMAT, DATETIME_FORMAT, SHORT_DATETIME_FORMAT),
# never a literal pattern; a time is shown with its time zone.
FORMAT_MODULE_PATH = ["association.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("PROBITY_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "association" / "static"]
# Without DEBUG (the default in development too), WhiteNoise serves the app's static
# files straight from the source folders in development; production serves the
# collected, hashed files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Evidence, responses and letters are private: stored outside the web root and
# served only through views that check the user's permission on the case.
PRIVATE_STORAGE_ROOT = Path(os.environ.get("PROBITY_PRIVATE_DIR", VAR_DIR / "private"))
MEDIA_ROOT = PRIVATE_STORAGE_ROOT
# Evidence, attachments and letters are read and written only through Django's storage
# API, so several app servers can share an object store by settings alone: name a
# storage backend (e.g. django-storages' "storages.backends.s3.S3Storage") and its
# options as JSON. Unset: the private folder above (cases.models.PrivateStorage).
if os.environ.get("PROBITY_PRIVATE_STORAGE"):
    STORAGES["private"] = {
        "BACKEND": os.environ["PROBITY_PRIVATE_STORAGE"],
        "OPTIONS": json.loads(os.environ.get("PROBITY_PRIVATE_STORAGE_OPTIONS", "{}")),
    }

# Upload limits for evidence and response attachments.
PROBITY_UPLOAD_MAX_BYTES = int(os.environ.get("PROBITY_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
# Detected from the file's content, never from its name or the browser's claim.
PROBITY_UPLOAD_ALLOWED_TYPES = [
    t.strip()
    for t in os.environ.get(
        "PROBITY_UPLOAD_ALLOWED_TYPES",
        "application/pdf,image/png,image/jpeg,image/gif,text/plain,text/html,message/rfc822",
    ).split(",")
    if t.strip()
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Request size, before the body is read (docs/decisions/0014) ---------------------
# A request whose declared size is over the caller's cap is refused with the 413 page
# before a byte of its body is read (association.middleware.RequestSizeLimitMiddleware);
# the upload handler association.uploads.RequestSizeLimitHandler counts the bytes as a
# multipart body streams in and stops the upload past the cap, so nothing larger is
# ever spooled to disk. Anonymous requests (the login page, password reset, the public
# pages) get the small cap; signed-in users a cap that fits five files at the upload
# limit. The web server in front should cap the body too (docs/deploy.md).
PROBITY_ANONYMOUS_REQUEST_MAX_BYTES = int(
    os.environ.get("PROBITY_ANONYMOUS_REQUEST_MAX_BYTES", 1024 * 1024)
)
PROBITY_REQUEST_MAX_BYTES = int(
    os.environ.get("PROBITY_REQUEST_MAX_BYTES", 5 * PROBITY_UPLOAD_MAX_BYTES + 1024 * 1024)
)
FILE_UPLOAD_HANDLERS = [
    "association.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Form fields that are not files (a urlencoded body, a multipart form's text fields).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The case record's anchor (docs/decisions/0011): the Ed25519 private key that signs
# checkpoints of each case record's head, in a file outside the database and outside
# the database's backups (`manage.py record_key --generate PATH` makes one). Without
# it nothing is signed and `verify_case_record` reports the record unanchored. The
# public key file lets a verifier without the private key (or a replaced key's
# public half) check the signatures.
PROBITY_RECORD_KEY_FILE = os.environ.get("PROBITY_RECORD_KEY_FILE", "")
PROBITY_RECORD_PUBLIC_KEY_FILE = os.environ.get("PROBITY_RECORD_PUBLIC_KEY_FILE", "")

# The association's currency (ISO 4217 code): dues are invoiced and fines decided in
# it, and every amount is shown (and a fine stored) with it.
PROBITY_CURRENCY = os.environ.get("PROBITY_CURRENCY", "EUR").strip().upper()

# Signed letters (docs/decisions/0026): the association's certificate and key as a
# PKCS#12 file, its passphrase from the environment; without a file letters are issued
# unsigned. `manage.py letter_certificate --generate PATH` makes a self-signed one (the
# demo's). PROBITY_LETTER_TSA_URL, if set, adds an RFC 3161 time stamp to each signature.
PROBITY_LETTER_SIGNING_FILE = os.environ.get("PROBITY_LETTER_SIGNING_FILE", "")
PROBITY_LETTER_SIGNING_PASSPHRASE = os.environ.get("PROBITY_LETTER_SIGNING_PASSPHRASE", "")
PROBITY_LETTER_TSA_URL = os.environ.get("PROBITY_LETTER_TSA_URL", "")

PROBITY_ASSOCIATION_NAME = os.environ.get(
    "PROBITY_ASSOCIATION_NAME", "Northbridge Automation Trade Association"
)

# The annual report's year: 1 is the calendar year; 4, a fiscal year from 1 April.
PROBITY_REPORT_YEAR_START_MONTH = int(os.environ.get("PROBITY_REPORT_YEAR_START_MONTH", 1))
if not 1 <= PROBITY_REPORT_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured("PROBITY_REPORT_YEAR_START_MONTH must be a month, 1 to 12.")
# The case officers' weekly digest, queued by the task worker this often (0: never;
# `manage.py send_digest` from cron works as well).
PROBITY_DIGEST_EVERY = int(os.environ.get("PROBITY_DIGEST_EVERY", 7 * 24 * 3600))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# On by default in production (STARTTLS); EMAIL_USE_TLS=0 turns it off.
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1" if PRODUCTION else "0") == "1"
# Letters are sent after the step commits, in the same request: a mail server that
# does not answer must not hold the page (the failure is recorded; staff retry).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 10))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ethics@probity.invalid")

# --- Headers: Content-Security-Policy and Permissions-Policy (docs/decisions/0013) ----
# The same strict policy in development and production: nothing inline (no <script>,
# no style= attributes, no <style> blocks), nothing from another origin. Evidence
# downloads and letter previews set their own, stricter policy (cases/views.py), which
# the middleware leaves in place.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
# Powerful browser features Probity never uses: denied to the page and to any frame.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# The task queue (docs/decisions/0015): django-tasks with its database backend, so
# letters are emailed by a worker (`manage.py probity_worker`), not in the request.
# PROBITY_TASKS_BACKEND=immediate runs every task at once in the caller (the tests do).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
PROBITY_TASKS_BACKEND = os.environ.get("PROBITY_TASKS_BACKEND", "database")
if PROBITY_TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured("PROBITY_TASKS_BACKEND must be 'database' or 'immediate'.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[PROBITY_TASKS_BACKEND]}}
# Automatic delivery retries: one delay (seconds) per retry; an SMTP 5xx is not retried.
PROBITY_DELIVERY_RETRY_DELAYS = [
    int(d)
    for d in os.environ.get("PROBITY_DELIVERY_RETRY_DELAYS", "60,300,1800,7200").split(",")
    if d.strip()
]
# A worker holds a letter for this long while sending; one killed mid-send is replaced after.
PROBITY_DELIVERY_LEASE_SECONDS = int(os.environ.get("PROBITY_DELIVERY_LEASE_SECONDS", 300))
# Letters are prepared (PDF, signature, storage) by a worker too (docs/decisions/0027):
# the automatic retries of a failed preparation, one delay (seconds) each, then staff's
# retry; and how long a worker holds an order while preparing it (a killed one is
# replaced after).
PROBITY_LETTER_RETRY_DELAYS = [
    int(d)
    for d in os.environ.get("PROBITY_LETTER_RETRY_DELAYS", "30,300,1800").split(",")
    if d.strip()
]
PROBITY_LETTER_LEASE_SECONDS = int(os.environ.get("PROBITY_LETTER_LEASE_SECONDS", 300))
# The worker runs the deadline job every this many seconds (0: only from cron or systemd).
PROBITY_DEADLINES_EVERY = int(os.environ.get("PROBITY_DEADLINES_EVERY", 900))
# The worker's heartbeat, and how old it may be before /health/ reports the worker down.
PROBITY_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("PROBITY_WORKER_HEARTBEAT_SECONDS", 15))
PROBITY_WORKER_STALE_SECONDS = int(os.environ.get("PROBITY_WORKER_STALE_SECONDS", 120))

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Logs (docs/decisions/0016): one line per record on stderr, with the request id
# (association.logging); PROBITY_LOG_FORMAT=json writes each line as a JSON object.
PROBITY_LOG_FORMAT = os.environ.get("PROBITY_LOG_FORMAT", "text")
if PROBITY_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("PROBITY_LOG_FORMAT must be 'text' or 'json'.")
PROBITY_LOG_LEVEL = os.environ.get("PROBITY_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "association.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "association.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": PROBITY_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "probity": {"handlers": ["console"], "level": PROBITY_LOG_LEVEL, "propagate": False},
        "django_tasks": {"handlers": ["console"], "level": PROBITY_LOG_LEVEL, "propagate": False},
        "django_tasks_db": {
            "handlers": ["console"],
            "level": PROBITY_LOG_LEVEL,
            "propagate": False,
        },
    },
}
