"""Probity settings, read from the environment.

PROBITY_ENV=production switches to production mode: DEBUG off, a real SECRET_KEY
required, HTTPS-only cookies and HSTS, so `manage.py check --deploy` is clean.
DATABASE_URL selects PostgreSQL (or any database dj-database-url knows);
without it Probity runs on a SQLite file in WAL mode under var/.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PROBITY_VAR_DIR", BASE_DIR / "var"))

PRODUCTION = os.environ.get("PROBITY_ENV", "development") == "production"
DEBUG = not PRODUCTION and os.environ.get("DJANGO_DEBUG", "1") == "1"

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
    "association",
    "members",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "probity.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run while one writer writes; IMMEDIATE takes the
                # write lock at BEGIN so two transitions queue instead of deadlocking.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
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

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Per-case permissions live in tables with a real foreign key to the case
# (cases.models.CaseUserObjectPermission); see docs/decisions/0002.
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "association" / "static"]
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The case record's anchor (docs/decisions/0011): the Ed25519 private key that signs
# checkpoints of each case record's head, in a file outside the database and outside
# the database's backups (`manage.py record_key --generate PATH` makes one). Without
# it nothing is signed and `verify_case_record` reports the record unanchored. The
# public key file lets a verifier without the private key (or a replaced key's
# public half) check the signatures.
PROBITY_RECORD_KEY_FILE = os.environ.get("PROBITY_RECORD_KEY_FILE", "")
PROBITY_RECORD_PUBLIC_KEY_FILE = os.environ.get("PROBITY_RECORD_PUBLIC_KEY_FILE", "")

PROBITY_ASSOCIATION_NAME = os.environ.get(
    "PROBITY_ASSOCIATION_NAME", "Northbridge Automation Trade Association"
)

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
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
# Letters are sent after the step commits, in the same request: a mail server that
# does not answer must not hold the page (the failure is recorded; staff retry).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 10))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ethics@probity.invalid")

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"probity": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

